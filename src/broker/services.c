/* The service requests of docs/protocol.md (ops 36..38): SERVICE_QUERY (a service's state, its
   process id and the active services that depend on it, in the order Windows gives them: the order
   in which they must be stopped), SERVICE_STOP (ControlService(SERVICE_CONTROL_STOP), then waits for
   SERVICE_STOPPED) and SERVICE_START (StartServiceW, then waits for SERVICE_RUNNING; a service still
   stopping is first waited for, then started). Primitives only:
   which services to stop, in which order, and when to start them again is the engine's. Nothing is
   ever killed: a service that does not stop in time is reported in the state it is in. */
#include "broker.h"
#include <stdlib.h>
#include <string.h>

#define MAX_SERVICE_NAME 256
#define MAX_WAIT_MS 600000

static int service_error(request *r, DWORD e, const char *api, const char *what) {
  char m[300];
  cfmt(m, sizeof m, "%s: %s error %lu", what, api, (unsigned long)e);
  return request_error(r, e, api, m);
}

/* Opens the SCM and the service named by argument 0; on failure the error reply is written and 0 returned. */
static int open_service(request *r, DWORD access, SC_HANDLE *scm, SC_HANDLE *service) {
  wchar_t *name = arg_text(r, 0, 1, MAX_SERVICE_NAME);
  if (!name) {
    bad_request(r, "(string service name, 1..256 characters, ...)");
    return 0;
  }
  *scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
  if (!*scm) {
    free(name);
    service_error(r, GetLastError(), "OpenSCManagerW", "cannot open the service control manager");
    return 0;
  }
  *service = OpenServiceW(*scm, name, access);
  free(name);
  if (!*service) {
    DWORD e = GetLastError();
    CloseServiceHandle(*scm);
    service_error(r, e, "OpenServiceW", "cannot open the service");
    return 0;
  }
  return 1;
}

static int status_of(SC_HANDLE service, SERVICE_STATUS_PROCESS *status) {
  DWORD need = 0;
  return QueryServiceStatusEx(service, SC_STATUS_PROCESS_INFO, (BYTE *)status, sizeof *status, &need);
}

/* Polls until the service is in `wanted` (or stopped, when starting) or the time is up; the last state. */
static DWORD wait_for(SC_HANDLE service, DWORD wanted, DWORD timeout_ms) {
  SERVICE_STATUS_PROCESS status;
  ULONGLONG until = GetTickCount64() + timeout_ms;
  for (;;) {
    if (!status_of(service, &status)) return 0;
    if (status.dwCurrentState == wanted) return wanted;
    if (wanted == SERVICE_RUNNING && status.dwCurrentState == SERVICE_STOPPED) return SERVICE_STOPPED;
    if (GetTickCount64() >= until) return status.dwCurrentState;
    Sleep(100);
  }
}

int service_query(request *r) {
  if (!arg_types(r, "s")) return bad_request(r, "(string service name, 1..256 characters)");
  SC_HANDLE scm, service;
  if (!open_service(r, SERVICE_QUERY_STATUS | SERVICE_ENUMERATE_DEPENDENTS, &scm, &service)) return 1;
  SERVICE_STATUS_PROCESS status = { 0 };
  DWORD e = 0;
  BYTE *data = NULL;
  DWORD count = 0;
  if (!status_of(service, &status)) e = GetLastError();
  DWORD need = 0;
  if (!e && !EnumDependentServicesW(service, SERVICE_ACTIVE, NULL, 0, &need, &count)) {
    DWORD first = GetLastError();
    if (first != ERROR_MORE_DATA) e = first;
    else if (!(data = malloc(need))) e = ERROR_OUTOFMEMORY;
    else if (!EnumDependentServicesW(service, SERVICE_ACTIVE, (ENUM_SERVICE_STATUSW *)data, need, &need, &count)) e = GetLastError();
  }
  CloseServiceHandle(service);
  CloseServiceHandle(scm);
  if (e) {
    free(data);
    return service_error(r, e, status.dwCurrentState ? "EnumDependentServicesW" : "QueryServiceStatusEx", "cannot query the service");
  }
  request_ok(r, 3);
  buf_int(r->reply, status.dwCurrentState);
  buf_int(r->reply, status.dwProcessId);
  buf_u8(r->reply, V_LIST);
  buf_u32(r->reply, count);
  const ENUM_SERVICE_STATUSW *dependents = (const ENUM_SERVICE_STATUSW *)data;
  for (DWORD i = 0; i < count; i++) buf_wstring(r->reply, dependents[i].lpServiceName ? dependents[i].lpServiceName : L"");
  free(data);
  return 1;
}

static int control(request *r, int start) {
  const char *expected = "(string service name, 1..256 characters; integer milliseconds to wait, 1..600000)";
  if (!arg_types(r, "si") || !arg_in_range(r, 1, 1, MAX_WAIT_MS)) return bad_request(r, expected);
  SC_HANDLE scm, service;
  DWORD access = SERVICE_QUERY_STATUS | (start ? SERVICE_START : SERVICE_STOP);
  if (!open_service(r, access, &scm, &service)) return 1;
  DWORD timeout = (DWORD)r->f->args.items[1].integer;
  DWORD e = 0;
  if (start) {
    if (!StartServiceW(service, 0, NULL) && (e = GetLastError()) == ERROR_SERVICE_ALREADY_RUNNING) {
      /* still stopping (it was asked to stop and took longer than the engine waited): let it stop, then start it */
      SERVICE_STATUS_PROCESS now;
      e = 0;
      if (status_of(service, &now) && now.dwCurrentState == SERVICE_STOP_PENDING) {
        if (wait_for(service, SERVICE_STOPPED, timeout) != SERVICE_STOPPED) e = ERROR_SERVICE_REQUEST_TIMEOUT;
        else if (!StartServiceW(service, 0, NULL) && (e = GetLastError()) == ERROR_SERVICE_ALREADY_RUNNING) e = 0;
      }
    }
  } else {
    SERVICE_STATUS ignored;
    if (!ControlService(service, SERVICE_CONTROL_STOP, &ignored) && (e = GetLastError()) == ERROR_SERVICE_NOT_ACTIVE) e = 0;
  }
  DWORD state = e ? 0 : wait_for(service, start ? SERVICE_RUNNING : SERVICE_STOPPED, timeout);
  if (!e && !state) e = GetLastError();
  CloseServiceHandle(service);
  CloseServiceHandle(scm);
  if (e) return service_error(r, e, start ? "StartServiceW" : "ControlService", start ? "cannot start the service" : "cannot stop the service");
  request_ok(r, 1);
  buf_int(r->reply, state);
  return 1;
}

int service_stop(request *r) { return control(r, 0); }
int service_start(request *r) { return control(r, 1); }
