/* Starting the engine process: its command line (the JVM options that keep stdout for frames), an
   environment without the variables that inject JVM options, only the three pipe ends inherited,
   suspended until it is in its kill-on-close Job Object, and its working directory the admin-only
   extraction folder (the DLL search path starts there, and a crash report lands there). */
#include "broker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define ENGINE_JVM_OPTIONS L"-Xlog:disable -Xlog:all=warning:stderr -XX:+DisplayVMOutputToStderr -Xshare:auto -XX:TieredStopAtLevel=1 " \
                           L"-XX:+UseSerialGC -XX:-UsePerfData"

/* INUSE_ENGINE_DEBUG=<port>: a decimal port, else 0 (unset or not a port). */
int debug_port(void) {
  wchar_t text[16];
  DWORD n = GetEnvironmentVariableW(L"INUSE_ENGINE_DEBUG", text, 16);
  if (n == 0 || n >= 16) return 0;
  wchar_t *end;
  long port = wcstol(text, &end, 10);
  return *end == 0 && port > 0 && port < 65536 ? (int)port : 0;
}

/* The broker's environment without the variables through which anyone could inject JVM options
   or classes into an engine that may run as SYSTEM. */
static wchar_t *engine_environment(void) {
  /* _JAVA_LAUNCHER_DEBUG makes the launcher trace to stdout, the frame pipe */
  static const wchar_t *dropped[] = { L"JAVA_TOOL_OPTIONS=", L"_JAVA_OPTIONS=", L"JDK_JAVA_OPTIONS=", L"CLASSPATH=",
                                      L"_JAVA_LAUNCHER_DEBUG=" };
  wchar_t *all = GetEnvironmentStringsW();
  if (!all) return NULL;
  size_t total = 0;
  for (wchar_t *p = all; *p; p += wcslen(p) + 1) total += wcslen(p) + 1;
  wchar_t *env = calloc(total + 2, sizeof(wchar_t)), *to = env;
  for (wchar_t *p = all; env && *p; p += wcslen(p) + 1) {
    int skip = 0;
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++) skip |= _wcsnicmp(p, dropped[i], wcslen(dropped[i])) == 0;
    if (!skip) { wcscpy(to, p); to += wcslen(p) + 1; }
  }
  FreeEnvironmentStringsW(all);
  return env;   /* ends with two NULs: calloc */
}

int start_engine(broker *b, const engine_run *run, HANDLE child[3], PROCESS_INFORMATION *pi, HANDLE job) {
  static wchar_t command[8192];
  wchar_t options[160] = L"";
  int port = run->debug_port;
  if (port) {
    wfmt(options, 159, L"-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,quiet=y,address=127.0.0.1:%d ", port);
    log_line(b->session, L"INUSE_ENGINE_DEBUG=%d: the engine waits for a debugger on 127.0.0.1:%d, and any local user could "
             L"attach to it; no timeout. For support only.", port, port);
  }
  /* stdout carries frames and nothing else: HotSpot's unified logging (a rejected class-data-sharing
     archive, a large-pages warning) writes to stdout by default, and its other messages (warnings, a
     crash's banner) go to stdout unless told otherwise. Measured: only the three options together
     leave stdout empty (docs/runtime.md). */
  if (!wfmt(command, 8192, L"\"%ls\" %ls" ENGINE_JVM_OPTIONS L" -cp \"%ls\" io.inuse.engine.Main %ls",
            run->rt->java, options, run->classpath, b->action)) {
    log_line(b->session, L"the engine's command line is too long");
    return 0;
  }

  SIZE_T size = 0;
  InitializeProcThreadAttributeList(NULL, 1, 0, &size);
  LPPROC_THREAD_ATTRIBUTE_LIST attributes = malloc(size);
  wchar_t *env = engine_environment();
  STARTUPINFOEXW si;
  memset(&si, 0, sizeof si);
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = child[0];
  si.StartupInfo.hStdOutput = child[1];
  si.StartupInfo.hStdError = child[2];
  /* only the three pipe ends are inherited, not every inheritable handle of msiexec */
  if (!attributes || !env || !InitializeProcThreadAttributeList(attributes, 1, 0, &size) ||
      !UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, child, 3 * sizeof(HANDLE), NULL, NULL)) {
    log_line(b->session, L"cannot prepare the engine's start (error %lu)", GetLastError());
    free(attributes);
    free(env);
    return 0;
  }
  si.lpAttributeList = attributes;
  BOOL started = CreateProcessW(run->rt->java, command, NULL, NULL, TRUE,
                                CREATE_NO_WINDOW | CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT | CREATE_UNICODE_ENVIRONMENT,
                                env, run->folder, &si.StartupInfo, pi);
  DWORD error = GetLastError();
  DeleteProcThreadAttributeList(attributes);
  free(attributes);
  free(env);
  if (!started) {
    log_line(b->session, L"cannot start the engine: CreateProcessW(%ls) failed with error %lu", run->rt->java, error);
    return 0;
  }
  if (!job || !AssignProcessToJobObject(job, pi->hProcess))
    log_line(b->session, L"the engine is not in a job object (error %lu): it may outlive a broker that crashes", GetLastError());
  ResumeThread(pi->hThread);
  return 1;
}

HANDLE kill_on_close_job(void) {
  HANDLE job = CreateJobObjectW(NULL, NULL);
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
  memset(&limits, 0, sizeof limits);
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (job && !SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
    CloseHandle(job);
    job = NULL;
  }
  return job;
}

int make_pipes(HANDLE ours[3], HANDLE child[3]) {
  SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
  if (!CreatePipe(&child[0], &ours[0], &inherit, 1 << 20) ||      /* stdin: engine reads */
      !CreatePipe(&ours[1], &child[1], &inherit, 1 << 16) ||      /* stdout: frames */
      !CreatePipe(&ours[2], &child[2], &inherit, 1 << 16)) return 0;  /* stderr */
  for (int i = 0; i < 3; i++) SetHandleInformation(ours[i], HANDLE_FLAG_INHERIT, 0);
  return 1;
}

