/* servicelocker: a Windows service that holds a DLL loaded, for the Wine end-to-end tests (test
   scaffolding, never packaged): the KB Q148272 case of a service that has MAPI32.DLL loaded.

     servicelocker.exe <short name> <dll> <report file>

   is the command line the SCM runs (sc create ... binPath= "..."). The service registers under
   <short name> (an own-process service: the process is the service's), LoadLibraryW(<dll>), and
   holds it until the SCM sends SERVICE_CONTROL_STOP (sc stop / net stop).

   The report file tells the test what happened, one line, replaced as a whole (written to
   <report file>.tmp, then renamed over it, so a reader never sees half a line):
     "loaded pid=<pid> path=<the module's path>"   after the DLL is loaded and the SCM was told
                                                   SERVICE_RUNNING (so the SCM lists it with its pid)
     "failed error=<GetLastError>"                 LoadLibraryW failed; the service then stops
     "released pid=<pid>"                          after FreeLibrary, before SERVICE_STOPPED
   Started from a console instead of by the SCM, it prints why it cannot run and exits 1. */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

static wchar_t *service_name, *dll_path, *report_path;
static SERVICE_STATUS_HANDLE status_handle;
static SERVICE_STATUS status;
static HANDLE stop_event;

/* Writes one line to the report file through a temporary file and a rename: all or nothing. */
static void report(const char *fmt, ...) {
  char line[4096];
  va_list a;
  va_start(a, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, a);
  va_end(a);
  if (n < 0 || n >= (int)sizeof line - 1) n = (int)strlen(line);
  line[n++] = '\n';
  wchar_t tmp[MAX_PATH + 8];
  _snwprintf(tmp, MAX_PATH + 4, L"%ls.tmp", report_path);
  tmp[MAX_PATH + 4] = 0;
  HANDLE f = CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (f == INVALID_HANDLE_VALUE) return;
  DWORD written = 0;
  BOOL ok = WriteFile(f, line, (DWORD)n, &written, NULL) && written == (DWORD)n;
  CloseHandle(f);
  if (ok) MoveFileExW(tmp, report_path, MOVEFILE_REPLACE_EXISTING);
}

static const char *utf8(const wchar_t *w) {
  static char buf[4 * MAX_PATH];
  int len = WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, sizeof buf, NULL, NULL);
  if (len <= 0) buf[0] = 0;
  return buf;
}

static void set_state(DWORD state, DWORD exit_code) {
  status.dwCurrentState = state;
  status.dwWin32ExitCode = exit_code;
  status.dwControlsAccepted = state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP : 0;
  status.dwWaitHint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : 10000;
  SetServiceStatus(status_handle, &status);
}

static DWORD WINAPI control(DWORD code, DWORD type, LPVOID data, LPVOID context) {
  (void)type; (void)data; (void)context;
  if (code == SERVICE_CONTROL_STOP) {
    set_state(SERVICE_STOP_PENDING, NO_ERROR);
    SetEvent(stop_event);
    return NO_ERROR;
  }
  if (code == SERVICE_CONTROL_INTERROGATE) return NO_ERROR;
  return ERROR_CALL_NOT_IMPLEMENTED;
}

static void WINAPI service_main(DWORD argc, LPWSTR *argv) {
  (void)argc; (void)argv;
  status_handle = RegisterServiceCtrlHandlerExW(service_name, control, NULL);
  if (!status_handle) {
    report("failed error=%lu (RegisterServiceCtrlHandlerExW)", GetLastError());
    return;
  }
  status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  set_state(SERVICE_START_PENDING, NO_ERROR);
  stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
  HMODULE module = stop_event ? LoadLibraryW(dll_path) : NULL;
  if (!module) {
    DWORD e = GetLastError();
    report("failed error=%lu", e);
    set_state(SERVICE_STOPPED, e ? e : ERROR_GEN_FAILURE);
    return;
  }
  wchar_t path[MAX_PATH];
  DWORD n = GetModuleFileNameW(module, path, MAX_PATH);
  path[n < MAX_PATH ? n : MAX_PATH - 1] = 0;
  /* RUNNING first, then the report: once the test reads "loaded", the SCM lists the service
     running, with this process's id */
  set_state(SERVICE_RUNNING, NO_ERROR);
  report("loaded pid=%lu path=%s", GetCurrentProcessId(), utf8(path));
  WaitForSingleObject(stop_event, INFINITE);
  FreeLibrary(module);
  report("released pid=%lu", GetCurrentProcessId());
  set_state(SERVICE_STOPPED, NO_ERROR);
}

int wmain(int argc, wchar_t **argv) {
  if (argc != 4) {
    printf("usage: servicelocker SHORTNAME DLL REPORTFILE (run by the service control manager)\n");
    return 2;
  }
  service_name = argv[1];
  dll_path = argv[2];
  report_path = argv[3];
  SERVICE_TABLE_ENTRYW table[] = { { service_name, service_main }, { NULL, NULL } };
  if (!StartServiceCtrlDispatcherW(table)) {
    printf("servicelocker: not started by the service control manager (StartServiceCtrlDispatcherW error %lu)\n", GetLastError());
    return 1;
  }
  return 0;
}
