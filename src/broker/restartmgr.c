/* The Restart Manager requests of docs/protocol.md (ops 17..21): RM_START (RmStartSession),
   RM_JOIN (RmJoinSession), RM_REGISTER (RmRegisterResources), RM_GET_LIST (RmGetList), RM_END
   (RmEndSession). Primitives only: what to register and what an answer means is the engine's.

   Sessions: the broker answers only for the sessions this action started or joined (the table
   in the broker struct, at most RM_MAX_SESSIONS); any other handle is refused with 87 before
   rstrtmgr.dll sees it. rm_end_all ends those still open when the action ends.

   rstrtmgr.dll is loaded at the first request, by its full path in the system folder, rather
   than imported: a broker that cannot load it still serves every other request.

   RmJoinSession ABORTS THE CALLING PROCESS under Wine 8 (not implemented: msiexec itself would
   die). The engine joins only when MsiRestartManagerSessionKey is set, which Wine never does;
   and the broker, under Wine only, answers RM_JOIN with 120 ERROR_CALL_NOT_IMPLEMENTED without
   calling it. */
#include "broker.h"
#include <restartmanager.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define RM_MAX_FILES 65536
#define RM_MAX_SERVICES 1024
#define RM_GET_LIST_TRIES 5
#define RM_GET_LIST_SLACK 8
#ifndef ERROR_MAX_SESSIONS_REACHED
#define ERROR_MAX_SESSIONS_REACHED 353   /* what RmStartSession answers past its own limit */
#endif

static HMODULE rm_module;
static __typeof__(&RmStartSession) p_start;
static __typeof__(&RmJoinSession) p_join;
static __typeof__(&RmEndSession) p_end;
static __typeof__(&RmRegisterResources) p_register;
static __typeof__(&RmGetList) p_get_list;

/* GetProcAddress's FARPROC through void (*)(void), which -Wcast-function-type lets pass */
#define LOAD(var, name) (var = (__typeof__(var))(void (*)(void))GetProcAddress(m, name))

/* 0 when loaded, else the Win32 error with *api the API that failed */
static DWORD rm_load(const char **api) {
  if (rm_module) return 0;
  wchar_t path[MAX_PATH];
  UINT n = GetSystemDirectoryW(path, MAX_PATH);
  *api = "GetSystemDirectoryW";
  if (n == 0) return GetLastError();
  if (!wfmt(path + n, MAX_PATH - n, L"\\rstrtmgr.dll")) return ERROR_FILENAME_EXCED_RANGE;
  *api = "LoadLibraryW";
  HMODULE m = LoadLibraryW(path);
  if (!m) return GetLastError();
  *api = "GetProcAddress";
  if (!LOAD(p_start, "RmStartSession") || !LOAD(p_join, "RmJoinSession") || !LOAD(p_end, "RmEndSession")
      || !LOAD(p_register, "RmRegisterResources") || !LOAD(p_get_list, "RmGetList")) {
    DWORD e = GetLastError();
    FreeLibrary(m);
    return e ? e : ERROR_PROC_NOT_FOUND;
  }
  rm_module = m;
  return 0;
}

static int error_code(request *r, uint32_t status, const char *api, const char *what) {
  char m[300];
  cfmt(m, sizeof m, "%s: %s error %lu", what, api, (unsigned long)status);
  return request_error(r, status, api, m);
}

static int bad(request *r, const char *expected) {
  char m[300];
  cfmt(m, sizeof m, "wrong arguments: expected %s", expected);
  return request_error(r, ERROR_INVALID_PARAMETER, "protocol", m);
}

static int loaded(request *r) {
  const char *api = "";
  DWORD e = rm_load(&api);
  if (e) error_code(r, e, api, "cannot load the Restart Manager (rstrtmgr.dll)");
  return e == 0;
}

static int room_for_one(request *r) {
  if (r->b->rm_count < RM_MAX_SESSIONS) return 1;
  char m[200];
  cfmt(m, sizeof m, "this action already has %d Restart Manager sessions open: end one first", RM_MAX_SESSIONS);
  request_error(r, ERROR_MAX_SESSIONS_REACHED, "protocol", m);
  return 0;
}

/* The slot of the session handle in argument 0, or -1 with the refusal written. */
static int session_arg(request *r, const char *expected) {
  const value *a = &r->f->args;
  if (a->length == 0 || a->items[0].tag != V_INT) { bad(r, expected); return -1; }
  int64_t handle = a->items[0].integer;
  for (uint32_t i = 0; handle >= 0 && handle <= 0xFFFFFFFFLL && i < r->b->rm_count; i++)
    if (r->b->rm_session[i] == (DWORD)handle) return (int)i;
  request_error(r, ERROR_INVALID_PARAMETER, "protocol", "not a Restart Manager session this action started or joined");
  return -1;
}

static void forget(broker *b, int slot) {
  b->rm_session[slot] = b->rm_session[--b->rm_count];
}

int rm_start_session(request *r) {
  if (r->f->args.length != 0) return bad(r, "none");
  if (!room_for_one(r) || !loaded(r)) return 1;
  DWORD handle = 0;
  WCHAR key[CCH_RM_SESSION_KEY + 1] = L"";
  DWORD e = p_start(&handle, 0, key);
  if (e != ERROR_SUCCESS) return error_code(r, e, "RmStartSession", "cannot start a Restart Manager session");
  key[CCH_RM_SESSION_KEY] = 0;
  r->b->rm_session[r->b->rm_count++] = handle;
  request_ok(r, 2);
  buf_int(r->reply, handle);
  buf_wstring(r->reply, key);
  return 1;
}

int rm_join_session(request *r) {
  const value *a = &r->f->args;
  const char *expected = "(string session key, 1..32 characters)";
  if (a->length != 1 || a->items[0].tag != V_STRING || a->items[0].length == 0 || a->items[0].length > CCH_RM_SESSION_KEY
      || memchr(a->items[0].data, 0, a->items[0].length))
    return bad(r, expected);
  if (on_wine())
    return request_error(r, ERROR_CALL_NOT_IMPLEMENTED, "RmJoinSession",
                         "not called under Wine: Wine 8's RmJoinSession aborts the calling process");
  if (!room_for_one(r) || !loaded(r)) return 1;
  wchar_t *key = utf8_to_wide(a->items[0].data, a->items[0].length);
  if (!key) return bad(r, expected);
  DWORD handle = 0, e = p_join(&handle, key);
  free(key);
  if (e != ERROR_SUCCESS) return error_code(r, e, "RmJoinSession", "cannot join the Restart Manager session");
  r->b->rm_session[r->b->rm_count++] = handle;
  request_ok(r, 1);
  buf_int(r->reply, handle);
  return 1;
}

/* A list of 0..max strings, each non-empty, without NUL, at most max_chars characters: a NULL-ended
   array (the strings malloc'ed), or NULL when the list is not one. */
static wchar_t **strings_of(const value *list, uint32_t max, size_t max_chars) {
  if (list->tag != V_LIST || list->length > max) return NULL;
  wchar_t **out = calloc(list->length + 1, sizeof *out);
  for (uint32_t i = 0; out && i < list->length; i++) {
    const value *v = &list->items[i];
    int ok = v->tag == V_STRING && v->length > 0 && !memchr(v->data, 0, v->length);
    out[i] = ok ? utf8_to_wide(v->data, v->length) : NULL;
    if (!out[i] || wcslen(out[i]) > max_chars) {
      for (uint32_t k = 0; k <= i; k++) free(out[k]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static void free_strings(wchar_t **s) {
  for (size_t i = 0; s && s[i]; i++) free(s[i]);
  free(s);
}

int rm_register_resources(request *r) {
  const char *expected = "(integer session, list of 0..65536 file paths, list of 0..1024 service short names; "
                         "strings non-empty, without NUL, paths at most 32767 and names at most 63 characters)";
  if (r->f->args.length != 3) return bad(r, expected);
  int slot = session_arg(r, expected);
  if (slot < 0) return 1;
  wchar_t **files = strings_of(&r->f->args.items[1], RM_MAX_FILES, MAX_PATH_CHARS);
  wchar_t **services = strings_of(&r->f->args.items[2], RM_MAX_SERVICES, CCH_RM_MAX_SVC_NAME);
  if (!files || !services) {
    free_strings(files);
    free_strings(services);
    return bad(r, expected);
  }
  UINT nfiles = r->f->args.items[1].length, nservices = r->f->args.items[2].length;
  DWORD e = p_register(r->b->rm_session[slot], nfiles, nfiles ? (LPCWSTR *)files : NULL, 0, NULL, nservices,
                        nservices ? (LPCWSTR *)services : NULL);
  free_strings(files);
  free_strings(services);
  if (e != ERROR_SUCCESS) return error_code(r, e, "RmRegisterResources", "cannot register the resources");
  request_ok(r, 0);
  return 1;
}

/* [reboot reasons, list of [pid, app name, service short name, application type, app status, TS
   session id, restartable]], through RmGetList's ERROR_MORE_DATA loop: first with room for none,
   then with room for what it said it needs (and a little more, for a process that starts in
   between), a bounded number of times. */
int rm_get_list(request *r) {
  if (r->f->args.length != 1) return bad(r, "(integer session)");
  int slot = session_arg(r, "(integer session)");
  if (slot < 0) return 1;
  DWORD session = r->b->rm_session[slot], reasons = 0, e = ERROR_MORE_DATA;
  UINT needed = 0, count = 0;
  RM_PROCESS_INFO *info = NULL;
  for (int tries = 0; e == ERROR_MORE_DATA && tries < RM_GET_LIST_TRIES; tries++) {
    if (tries > 0) {
      count = needed + RM_GET_LIST_SLACK;
      RM_PROCESS_INFO *grown = realloc(info, (size_t)count * sizeof *info);
      if (!grown) { e = ERROR_OUTOFMEMORY; break; }
      info = grown;
    }
    e = p_get_list(session, &needed, &count, info, &reasons);
  }
  if (e != ERROR_SUCCESS) {
    free(info);
    return error_code(r, e, "RmGetList", e == ERROR_MORE_DATA ? "the list kept growing" : "cannot list the affected applications");
  }
  if (!info) count = 0;
  request_ok(r, 2);
  buf_int(r->reply, reasons);
  buf_u8(r->reply, V_LIST);
  buf_u32(r->reply, count);
  for (UINT i = 0; i < count; i++) {
    RM_PROCESS_INFO *p = &info[i];
    p->strAppName[CCH_RM_MAX_APP_NAME] = 0;
    p->strServiceShortName[CCH_RM_MAX_SVC_NAME] = 0;
    buf_u8(r->reply, V_LIST);
    buf_u32(r->reply, 7);
    buf_int(r->reply, p->Process.dwProcessId);
    buf_wstring(r->reply, p->strAppName);
    buf_wstring(r->reply, p->strServiceShortName);
    buf_int(r->reply, p->ApplicationType);
    buf_int(r->reply, p->AppStatus);
    buf_int(r->reply, p->TSSessionId);
    buf_int(r->reply, p->bRestartable ? 1 : 0);
  }
  free(info);
  return 1;
}

int rm_end_session(request *r) {
  if (r->f->args.length != 1) return bad(r, "(integer session)");
  int slot = session_arg(r, "(integer session)");
  if (slot < 0) return 1;
  DWORD e = p_end(r->b->rm_session[slot]);
  forget(r->b, slot);   /* ended or not, the handle is not offered again */
  if (e != ERROR_SUCCESS) return error_code(r, e, "RmEndSession", "cannot end the Restart Manager session");
  request_ok(r, 0);
  return 1;
}

void rm_end_all(broker *b) {
  while (b->rm_count > 0) {
    DWORD handle = b->rm_session[b->rm_count - 1];
    DWORD e = rm_module ? p_end(handle) : ERROR_INVALID_HANDLE;
    log_line(b->session, L"%ls: the engine left Restart Manager session %lu open: RmEndSession %ls (%lu)", b->action,
             (unsigned long)handle, e == ERROR_SUCCESS ? L"ended it" : L"failed", (unsigned long)e);
    b->rm_count--;
  }
}
