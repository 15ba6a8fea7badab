/* The MSI requests of docs/protocol.md, one handler per op in one table. A handler validates its
   arguments, calls the documented API, and answers with the API's name and the Win32 error when
   the call fails. Adding a request: one handler and one row. */
#include "broker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

typedef int (*handler)(request *r);  /* writes the reply; returns 1 */

int request_error(request *r, uint32_t status, const char *api, const char *message) {
  reply_begin(r->reply, r->f->id, status, api, message);
  buf_list(r->reply, 0);
  return 1;
}

void request_ok(request *r, uint32_t values) {
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
  cfmt(m, sizeof m, "wrong arguments: expected %s", expected);
  return request_error(r, ERROR_INVALID_PARAMETER, "protocol", m);
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

/* Deferred mode as Windows has it ("Obtaining Context Information for Deferred Execution Custom
   Actions"): a deferred action may read only CustomActionData, ProductCode (not in a commit
   action) and UserSID, format records, process messages, read the language (not in a commit
   action) and ask MsiGetMode for SCHEDULED, ROLLBACK and COMMIT (FALSE for any other mode). No
   other property, no MsiSetProperty, no MsiSetMode, no database. Wine grants a deferred action all
   of it: the broker refuses what Windows would not give, so a mistake fails under Wine too. */
static int refused_in_deferred(request *r, const char *api, const wchar_t *asked, const char *why) {
  log_line(r->b->session, L"the deferred action %ls asked for %ls, which Windows does not give a deferred action (%hs): refused",
           r->b->action, asked, why);
  return request_error(r, ERROR_ACCESS_DENIED, api, why);
}

static int deferred_may_read(const broker *b, const wchar_t *name) {
  return wcscmp(name, L"CustomActionData") == 0 || wcscmp(name, L"UserSID") == 0 ||
         (wcscmp(name, L"ProductCode") == 0 && !b->commit);
}

static int hello(request *r) {
  if (!args_are(r, "is")) return bad_args(r, "(integer version, string engine)");
  int64_t version = r->f->args.items[0].integer;
  wchar_t *engine = arg_string(r, 1);
  log_line(r->b->session, L"engine started: %ls (protocol %d)", engine ? engine : L"?", (int)version);
  free(engine);
  if (version != PROTOCOL_VERSION) {
    char m[200];
    cfmt(m, sizeof m, "protocol version %d is not the broker's %d", (int)version, PROTOCOL_VERSION);
    log_line(r->b->session, L"the engine speaks protocol version %d, this broker %d: engine and broker come from different builds",
             (int)version, PROTOCOL_VERSION);
    r->b->fatal = 1;
    return request_error(r, ERROR_INVALID_FUNCTION, "protocol", m);
  }
  r->b->hello_done = 1;
  request_ok(r, 3);
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
  if (!name) return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "a property name cannot hold a NUL character");
  note_asked(r->b, name);
  if (r->b->deferred && !deferred_may_read(r->b, name)) {
    wchar_t asked[300];
    wfmt(asked, 300, L"the property %ls", name);
    free(name);
    return refused_in_deferred(r, "MsiGetPropertyW", asked, r->b->commit ? "a commit action sees only CustomActionData and UserSID"
                               : "a deferred action sees only CustomActionData, ProductCode and UserSID");
  }
  UINT rc;
  wchar_t *text = read_property(r->b->session, name, &rc);
  free(name);
  if (!text) return request_error(r, rc, "MsiGetPropertyW", "cannot read the property");
  request_ok(r, 1);
  buf_wstring(r->reply, text);
  free(text);
  return 1;
}

static int set_prop(request *r) {
  if (!args_are(r, "ss")) return bad_args(r, "(string name, string value)");
  if (r->b->deferred) return refused_in_deferred(r, "MsiSetPropertyW", L"MsiSetProperty", "a deferred action cannot set properties");
  wchar_t *name = arg_string(r, 0), *text = arg_string(r, 1);
  if (!name || !text) {
    free(name);
    free(text);
    return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "a property name or value cannot hold a NUL character");
  }
  UINT rc = MsiSetPropertyW(r->b->session, name, text);
  free(name);
  free(text);
  if (rc != ERROR_SUCCESS) return request_error(r, rc, "MsiSetPropertyW", "cannot set the property");
  request_ok(r, 0);
  return 1;
}

/* A record from a list of fields (field 0 first); 0 and a message when a field cannot be set. */
static MSIHANDLE make_record(const value *fields, char *why, size_t why_size) {
  if (fields->length == 0) { cfmt(why, why_size, "a record needs at least field 0"); return 0; }
  MSIHANDLE rec = MsiCreateRecord(fields->length - 1);
  if (!rec) { cfmt(why, why_size, "MsiCreateRecord failed"); return 0; }
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
      cfmt(why, why_size, "record field %u: only strings without NUL, 32-bit integers and null fit in a record", i);
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
  if (!rec) return request_error(r, ERROR_INVALID_PARAMETER, "protocol", why);
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
  if (rc != ERROR_SUCCESS) { free(text); return request_error(r, rc, "MsiFormatRecordW", "cannot format the record"); }
  request_ok(r, 1);
  buf_wstring(r->reply, text);
  free(text);
  return 1;
}

static int message(request *r) {
  if (!args_are(r, "il") || !in_range(r, 0, 0, 0xFFFFFFFFLL)) return bad_args(r, "(integer type 0..0xFFFFFFFF, list fields)");
  char why[200];
  MSIHANDLE rec = make_record(&r->f->args.items[1], why, sizeof why);
  if (!rec) return request_error(r, ERROR_INVALID_PARAMETER, "protocol", why);
  /* The clock of the timeout stands still in here: a person may be answering a dialog. */
  int answer = MsiProcessMessage(r->b->session, (INSTALLMESSAGE)(uint32_t)r->f->args.items[0].integer, rec);
  MsiCloseHandle(rec);
  request_ok(r, 1);
  buf_int(r->reply, answer);
  return 1;
}

static int get_mode(request *r) {
  if (!args_are(r, "i") || !in_range(r, 0, 0, 31)) return bad_args(r, "(integer mode 0..31)");
  MSIRUNMODE mode = (MSIRUNMODE)(int)r->f->args.items[0].integer;
  int answer;
  if (r->b->deferred && mode != MSIRUNMODE_SCHEDULED && mode != MSIRUNMODE_ROLLBACK && mode != MSIRUNMODE_COMMIT) {
    log_line(r->b->session, L"the deferred action %ls asked MsiGetMode for run mode %d: answered FALSE, as Windows answers a "
             L"deferred action for any mode but SCHEDULED, ROLLBACK and COMMIT", r->b->action, (int)mode);
    answer = 0;
  } else {
    answer = MsiGetMode(r->b->session, mode) ? 1 : 0;
  }
  request_ok(r, 1);
  buf_int(r->reply, answer);
  return 1;
}

static int set_mode(request *r) {
  if (!args_are(r, "ii") || !in_range(r, 0, 0, 31) || !in_range(r, 1, 0, 1)) return bad_args(r, "(integer mode 0..31, integer state 0 or 1)");
  /* WiX's util custom actions schedule a deferred action's reboot from an immediate action after
     InstallFinalize for the same reason (wixca CheckReboot.cpp: deferred actions "cannot") */
  if (r->b->deferred)
    return refused_in_deferred(r, "MsiSetMode", L"MsiSetMode", "a deferred action cannot set a run mode: ask for the reboot from an immediate action");
  UINT rc = MsiSetMode(r->b->session, (MSIRUNMODE)(int)r->f->args.items[0].integer, r->f->args.items[1].integer != 0);
  if (rc != ERROR_SUCCESS) return request_error(r, rc, "MsiSetMode", "cannot set the run mode");
  request_ok(r, 0);
  return 1;
}

static int language(request *r) {
  if (!args_are(r, "")) return bad_args(r, "no arguments");
  if (r->b->commit) return refused_in_deferred(r, "MsiGetLanguage", L"MsiGetLanguage", "a commit action cannot read the language");
  request_ok(r, 1);
  buf_int(r->reply, MsiGetLanguage(r->b->session));
  return 1;
}

static int result(request *r) {
  if (!args_are(r, "i")) return bad_args(r, "(integer return code)");
  int64_t code = r->f->args.items[0].integer;
  if (!r->b->session) {
    /* the command line: its exit code, 0..125 (docs/cli.md) */
    if (code < 0 || code > 125) return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "an exit code must be 0..125");
  } else if (code != ERROR_SUCCESS && code != ERROR_INSTALL_USEREXIT && code != ERROR_INSTALL_FAILURE)
    return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "a result must be 0, 1602 or 1603");
  r->b->result = (int)code;
  request_ok(r, 0);
  return 1;
}

/* Windows Installer's column type letters: s/l string, i/j integer, v stream (MSICOLINFO_TYPES). */
static int column_kind(MSIHANDLE types, UINT field) {
  wchar_t type[16];
  DWORD n = 16;
  if (MsiRecordGetStringW(types, field, type, &n) != ERROR_SUCCESS || n == 0) return 0;
  wchar_t t = towlower(type[0]);
  return t == L'i' || t == L'j' ? V_INT : t == L's' || t == L'l' || t == L'g' ? V_STRING : 0;
}

/* One row as a list value: strings, integers and nulls. 0 when a column cannot be served. */
static int put_row(request *r, MSIHANDLE row, MSIHANDLE types, UINT fields, char *why, size_t why_size) {
  buf_u8(r->reply, V_LIST);
  buf_u32(r->reply, fields);
  for (UINT i = 1; i <= fields; i++) {
    int kind = column_kind(types, i);
    if (!kind) { cfmt(why, why_size, "column %u is a stream or of an unknown type: only string and integer columns are served", i); return 0; }
    if (MsiRecordIsNull(row, i)) { buf_u8(r->reply, V_NULL); continue; }
    if (kind == V_INT) { buf_int(r->reply, MsiRecordGetInteger(row, i)); continue; }
    DWORD size = 0;
    wchar_t empty[1] = L"";
    UINT rc = MsiRecordGetStringW(row, i, empty, &size);
    wchar_t *text = (rc == ERROR_MORE_DATA || rc == ERROR_SUCCESS) ? malloc((++size) * sizeof(wchar_t)) : NULL;
    if (!text || MsiRecordGetStringW(row, i, text, &size) != ERROR_SUCCESS) {
      free(text);
      cfmt(why, why_size, "cannot read column %u (MsiRecordGetStringW)", i);
      return 0;
    }
    buf_wstring(r->reply, text);
    free(text);
  }
  return 1;
}

/* DB_QUERY, immediate actions only: a SELECT on the installation's own database, each row a list of
   strings, integers and nulls. Only SELECT: the engine reads the package, it never changes it. */
static int db_query(request *r) {
  if (!args_are(r, "s")) return bad_args(r, "(string SELECT query)");
  if (r->b->deferred) return refused_in_deferred(r, "MsiGetActiveDatabase", L"a database query", "a deferred action has no database");
  wchar_t *sql = arg_string(r, 0);
  if (!sql) return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "a query cannot hold a NUL character");
  const wchar_t *start = sql;
  while (iswspace(*start)) start++;
  if (_wcsnicmp(start, L"SELECT", 6) != 0 || !iswspace(start[6])) {
    free(sql);
    return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "only SELECT queries are served");
  }
  MSIHANDLE db = MsiGetActiveDatabase(r->b->session), view = 0, types = 0, row = 0;
  const char *api = "MsiGetActiveDatabase";
  UINT rc = db ? ERROR_SUCCESS : ERROR_INVALID_HANDLE;
  if (rc == ERROR_SUCCESS) { api = "MsiDatabaseOpenViewW"; rc = MsiDatabaseOpenViewW(db, sql, &view); }
  if (rc == ERROR_SUCCESS) { api = "MsiViewExecute"; rc = MsiViewExecute(view, 0); }
  if (rc == ERROR_SUCCESS) { api = "MsiViewGetColumnInfo"; rc = MsiViewGetColumnInfo(view, MSICOLINFO_TYPES, &types); }
  free(sql);
  char why[200] = "";
  if (rc == ERROR_SUCCESS) {
    UINT fields = MsiRecordGetFieldCount(types);
    request_ok(r, 1);
    buf_u8(r->reply, V_LIST);
    size_t count_at = r->reply->size;
    buf_u32(r->reply, 0);
    uint32_t rows = 0;
    while ((rc = MsiViewFetch(view, &row)) == ERROR_SUCCESS) {
      int served = put_row(r, row, types, fields, why, sizeof why);
      MsiCloseHandle(row);
      if (!served) break;
      if (r->reply->size > MAX_FRAME - 65536) { cfmt(why, sizeof why, "the result does not fit in a frame (16 MiB): select fewer rows or columns"); break; }
      rows++;
    }
    if (rc == ERROR_NO_MORE_ITEMS && !why[0] && !r->reply->failed) {
      rc = ERROR_SUCCESS;
      for (int k = 0; k < 4; k++) r->reply->data[count_at + k] = (uint8_t)(rows >> (8 * k));
    } else {
      if (!why[0]) cfmt(why, sizeof why, "cannot fetch a row");
      api = "MsiViewFetch";
      if (rc == ERROR_NO_MORE_ITEMS || rc == ERROR_SUCCESS) rc = ERROR_INVALID_DATA;
    }
  } else {
    cfmt(why, sizeof why, "cannot run the query");
  }
  if (types) MsiCloseHandle(types);
  if (view) { MsiViewClose(view); MsiCloseHandle(view); }
  if (db) MsiCloseHandle(db);
  return rc == ERROR_SUCCESS ? 1 : request_error(r, rc, api, why);
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
  { OP_DB_QUERY, "DB_QUERY", db_query },
  { OP_KNOWN_FOLDER, "KNOWN_FOLDER", machine_known_folder },
  { OP_FILE_IDENTITY, "FILE_IDENTITY", machine_file_identity },
  { OP_OPEN_EXCLUSIVE, "OPEN_EXCLUSIVE", machine_open_exclusive },
  { OP_PROCESS_MODULES, "PROCESS_MODULES", machine_process_modules },
  { OP_SERVICES, "SERVICES", machine_services },
  { OP_WINDOW_TITLES, "WINDOW_TITLES", machine_window_titles },
  { OP_RM_START, "RM_START", rm_start_session },
  { OP_RM_JOIN, "RM_JOIN", rm_join_session },
  { OP_RM_REGISTER, "RM_REGISTER", rm_register_resources },
  { OP_RM_GET_LIST, "RM_GET_LIST", rm_get_list },
  { OP_RM_END, "RM_END", rm_end_session },
  { OP_FILE_READ, "FILE_READ", file_read },
  { OP_FILE_INFO, "FILE_INFO", file_info },
  { OP_FILE_COPY, "FILE_COPY", file_copy },
  { OP_FILE_MOVE, "FILE_MOVE", file_move },
  { OP_FILE_DELETE, "FILE_DELETE", file_delete },
  { OP_FILE_WRITE, "FILE_WRITE", file_write },
  { OP_SECURE_FOLDER, "SECURE_FOLDER", secure_folder },
  { OP_REG_READ, "REG_READ", reg_read },
  { OP_REG_WRITE, "REG_WRITE", reg_write },
  { OP_REG_DELETE_VALUE, "REG_DELETE_VALUE", reg_delete_value },
  { OP_SFC_PROTECTED, "SFC_PROTECTED", sfc_protected },
  { OP_PATH_REMOTE, "PATH_REMOTE", path_remote },
  { OP_CHECK_INSTALLED, "CHECK_INSTALLED", check_installed },
  { OP_FOLDER_REMOVE, "FOLDER_REMOVE", folder_remove },
  { OP_SERVICE_QUERY, "SERVICE_QUERY", service_query },
  { OP_SERVICE_STOP, "SERVICE_STOP", service_stop },
  { OP_SERVICE_START, "SERVICE_START", service_start },
  { OP_REG_DELETE_KEY, "REG_DELETE_KEY", reg_delete_key },
  { OP_CONSOLE_WRITE, "CONSOLE_WRITE", console_write },
};

/* The requests of an MSI session, which the command-line launcher (no session) cannot serve. */
static int needs_session(int op) {
  return op == OP_GET_PROPERTY || op == OP_SET_PROPERTY || op == OP_FORMAT_RECORD || op == OP_MESSAGE || op == OP_GET_MODE ||
         op == OP_SET_MODE || op == OP_GET_LANGUAGE || op == OP_DB_QUERY || op == OP_RM_JOIN;
}

void serve_request(broker *b, const frame *f, buffer *reply) {
  request r = { b, f, reply };
  int found = 0;
  if (!b->hello_done && f->op != OP_HELLO) {
    request_error(&r, ERROR_INVALID_FUNCTION, "protocol", "the first request must be HELLO");
    found = 1;
  }
  if (!found && !b->session && needs_session(f->op)) {
    request_error(&r, ERROR_INVALID_HANDLE, "protocol", "no MSI session: the command line has none");
    found = 1;
  }
  for (size_t i = 0; !found && i < sizeof handlers / sizeof handlers[0]; i++) {
    if (handlers[i].op == f->op) { handlers[i].run(&r); found = 1; }
  }
  if (!found) {
    char m[100];
    cfmt(m, sizeof m, "unknown request op %d", f->op);
    log_line(b->session, L"the engine sent an unknown request (op %d): answered with an error", f->op);
    request_error(&r, ERROR_INVALID_FUNCTION, "protocol", m);
  }
}
