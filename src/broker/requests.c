/* The MSI requests of docs/protocol.md, one handler per op in one table. A handler validates its
   arguments, calls the documented API, and answers with the API's name and the Win32 error when
   the call fails. Adding a request: one handler and one row. */
#include "broker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

typedef struct request {
  broker *b;
  const frame *f;
  buffer *reply;
} request;

typedef int (*handler)(request *r);  /* writes the reply; returns 1 */

static int error(request *r, uint32_t status, const char *api, const char *message) {
  reply_begin(r->reply, r->f->id, status, api, message);
  buf_list(r->reply, 0);
  return 1;
}

static void ok(request *r, uint32_t values) {
  reply_begin(r->reply, r->f->id, 0, "", "");
  buf_list(r->reply, values);
}

/* Checks the argument types: 'i' integer, 's' string, 'l' list. */
static int args_are(request *r, const char *types) {
  const value *a = &r->f->args;
  if (a->length != strlen(types)) return 0;
  for (uint32_t i = 0; i < a->length; i++) {
    int want = types[i] == 'i' ? V_INT : types[i] == 's' ? V_STRING : V_LIST;
    if (a->items[i].tag != want) return 0;
  }
  return 1;
}

static int bad_args(request *r, const char *expected) {
  char m[200];
  snprintf(m, sizeof m, "wrong arguments: expected %s", expected);
  return error(r, ERROR_INVALID_PARAMETER, "protocol", m);
}

/* A string argument for a W API, or NULL when it holds a NUL, which no Windows Installer string can. */
static wchar_t *arg_string(request *r, int index) {
  const value *v = &r->f->args.items[index];
  if (memchr(v->data, 0, v->length)) return NULL;
  return utf8_to_wide(v->data, v->length);
}

static int in_range(request *r, int index, int64_t low, int64_t high) {
  int64_t v = r->f->args.items[index].integer;
  return v >= low && v <= high;
}

static int hello(request *r) {
  if (!args_are(r, "is")) return bad_args(r, "(integer version, string engine)");
  int64_t version = r->f->args.items[0].integer;
  wchar_t *engine = arg_string(r, 1);
  log_line(r->b->session, L"engine started: %ls (protocol %d)", engine ? engine : L"?", (int)version);
  free(engine);
  if (version != PROTOCOL_VERSION) {
    char m[200];
    snprintf(m, sizeof m, "protocol version %d is not the broker's %d", (int)version, PROTOCOL_VERSION);
    log_line(r->b->session, L"the engine speaks protocol version %d, this broker %d: engine and broker come from different builds",
             (int)version, PROTOCOL_VERSION);
    r->b->fatal = 1;
    return error(r, ERROR_INVALID_FUNCTION, "protocol", m);
  }
  r->b->hello_done = 1;
  ok(r, 3);
  buf_int(r->reply, PROTOCOL_VERSION);
  buf_wstring(r->reply, r->b->action);
  buf_int(r->reply, r->b->deferred);
  return 1;
}

static void note_asked(broker *b, const wchar_t *name) {
  size_t used = wcslen(b->asked), need = wcslen(name) + 2;
  if (used + need < sizeof b->asked / sizeof b->asked[0]) {
    if (used) wcscat(b->asked, L",");
    wcscat(b->asked, name);
  }
}

static int get_prop(request *r) {
  if (!args_are(r, "s")) return bad_args(r, "(string name)");
  wchar_t *name = arg_string(r, 0);
  if (!name) return error(r, ERROR_INVALID_PARAMETER, "protocol", "a property name cannot hold a NUL character");
  note_asked(r->b, name);
  UINT rc;
  wchar_t *text = read_property(r->b->session, name, &rc);
  free(name);
  if (!text) return error(r, rc, "MsiGetPropertyW", "cannot read the property");
  ok(r, 1);
  buf_wstring(r->reply, text);
  free(text);
  return 1;
}

static int set_prop(request *r) {
  if (!args_are(r, "ss")) return bad_args(r, "(string name, string value)");
  wchar_t *name = arg_string(r, 0), *text = arg_string(r, 1);
  if (!name || !text) {
    free(name);
    free(text);
    return error(r, ERROR_INVALID_PARAMETER, "protocol", "a property name or value cannot hold a NUL character");
  }
  UINT rc = MsiSetPropertyW(r->b->session, name, text);
  free(name);
  free(text);
  if (rc != ERROR_SUCCESS) return error(r, rc, "MsiSetPropertyW", "cannot set the property");
  ok(r, 0);
  return 1;
}

/* A record from a list of fields (field 0 first); 0 and a message when a field cannot be set. */
static MSIHANDLE make_record(const value *fields, char *why, size_t why_size) {
  if (fields->length == 0) { snprintf(why, why_size, "a record needs at least field 0"); return 0; }
  MSIHANDLE rec = MsiCreateRecord(fields->length - 1);
  if (!rec) { snprintf(why, why_size, "MsiCreateRecord failed"); return 0; }
  for (uint32_t i = 0; i < fields->length; i++) {
    const value *v = &fields->items[i];
    UINT rc = ERROR_SUCCESS;
    if (v->tag == V_STRING) {
      wchar_t *s = memchr(v->data, 0, v->length) ? NULL : utf8_to_wide(v->data, v->length);
      rc = s ? MsiRecordSetStringW(rec, i, s) : ERROR_INVALID_PARAMETER;
      free(s);
    } else if (v->tag == V_INT) {
      if (v->integer < INT32_MIN || v->integer > INT32_MAX) rc = ERROR_INVALID_PARAMETER;
      else rc = MsiRecordSetInteger(rec, i, (int)v->integer);
    } else if (v->tag != V_NULL) {
      rc = ERROR_INVALID_PARAMETER;
    }
    if (rc != ERROR_SUCCESS) {
      snprintf(why, why_size, "record field %u: only strings without NUL, 32-bit integers and null fit in a record", i);
      MsiCloseHandle(rec);
      return 0;
    }
  }
  return rec;
}

static int format_record(request *r) {
  if (!args_are(r, "l")) return bad_args(r, "(list fields)");
  char why[200];
  MSIHANDLE rec = make_record(&r->f->args.items[0], why, sizeof why);
  if (!rec) return error(r, ERROR_INVALID_PARAMETER, "protocol", why);
  DWORD size = 0;
  wchar_t empty[1] = L"";
  UINT rc = MsiFormatRecordW(r->b->session, rec, empty, &size);
  wchar_t *text = NULL;
  if (rc == ERROR_MORE_DATA || rc == ERROR_SUCCESS) {
    size++;
    text = malloc(size * sizeof(wchar_t));
    rc = text ? MsiFormatRecordW(r->b->session, rec, text, &size) : ERROR_OUTOFMEMORY;
  }
  MsiCloseHandle(rec);
  if (rc != ERROR_SUCCESS) { free(text); return error(r, rc, "MsiFormatRecordW", "cannot format the record"); }
  ok(r, 1);
  buf_wstring(r->reply, text);
  free(text);
  return 1;
}

static int message(request *r) {
  if (!args_are(r, "il") || !in_range(r, 0, 0, 0xFFFFFFFFLL)) return bad_args(r, "(integer type 0..0xFFFFFFFF, list fields)");
  char why[200];
  MSIHANDLE rec = make_record(&r->f->args.items[1], why, sizeof why);
  if (!rec) return error(r, ERROR_INVALID_PARAMETER, "protocol", why);
  /* The clock of the timeout stands still in here: a person may be answering a dialog. */
  int answer = MsiProcessMessage(r->b->session, (INSTALLMESSAGE)(uint32_t)r->f->args.items[0].integer, rec);
  MsiCloseHandle(rec);
  ok(r, 1);
  buf_int(r->reply, answer);
  return 1;
}

static int get_mode(request *r) {
  if (!args_are(r, "i") || !in_range(r, 0, 0, 31)) return bad_args(r, "(integer mode 0..31)");
  ok(r, 1);
  buf_int(r->reply, MsiGetMode(r->b->session, (MSIRUNMODE)(int)r->f->args.items[0].integer) ? 1 : 0);
  return 1;
}

static int set_mode(request *r) {
  if (!args_are(r, "ii") || !in_range(r, 0, 0, 31) || !in_range(r, 1, 0, 1)) return bad_args(r, "(integer mode 0..31, integer state 0 or 1)");
  UINT rc = MsiSetMode(r->b->session, (MSIRUNMODE)(int)r->f->args.items[0].integer, r->f->args.items[1].integer != 0);
  if (rc != ERROR_SUCCESS) return error(r, rc, "MsiSetMode", "cannot set the run mode");
  ok(r, 0);
  return 1;
}

static int language(request *r) {
  if (!args_are(r, "")) return bad_args(r, "no arguments");
  ok(r, 1);
  buf_int(r->reply, MsiGetLanguage(r->b->session));
  return 1;
}

static int result(request *r) {
  if (!args_are(r, "i")) return bad_args(r, "(integer return code)");
  int64_t code = r->f->args.items[0].integer;
  if (code != ERROR_SUCCESS && code != ERROR_INSTALL_USEREXIT && code != ERROR_INSTALL_FAILURE)
    return error(r, ERROR_INVALID_PARAMETER, "protocol", "a result must be 0, 1602 or 1603");
  r->b->result = (int)code;
  ok(r, 0);
  return 1;
}

static const struct { int op; const char *name; handler run; } handlers[] = {
  { OP_HELLO, "HELLO", hello },
  { OP_GET_PROPERTY, "GET_PROPERTY", get_prop },
  { OP_SET_PROPERTY, "SET_PROPERTY", set_prop },
  { OP_FORMAT_RECORD, "FORMAT_RECORD", format_record },
  { OP_MESSAGE, "MESSAGE", message },
  { OP_GET_MODE, "GET_MODE", get_mode },
  { OP_SET_MODE, "SET_MODE", set_mode },
  { OP_GET_LANGUAGE, "GET_LANGUAGE", language },
  { OP_RESULT, "RESULT", result },
};

void serve_request(broker *b, const frame *f, buffer *reply) {
  request r = { b, f, reply };
  int found = 0;
  if (!b->hello_done && f->op != OP_HELLO) {
    error(&r, ERROR_INVALID_FUNCTION, "protocol", "the first request must be HELLO");
    found = 1;
  }
  for (size_t i = 0; !found && i < sizeof handlers / sizeof handlers[0]; i++) {
    if (handlers[i].op == f->op) { handlers[i].run(&r); found = 1; }
  }
  if (!found) {
    char m[100];
    snprintf(m, sizeof m, "unknown request op %d", f->op);
    log_line(b->session, L"the engine sent an unknown request (op %d): answered with an error", f->op);
    error(&r, ERROR_INVALID_FUNCTION, "protocol", m);
  }
}
