/* The exports Windows Installer calls, one per custom action, and the run of one action:
   extract the engine, resolve the runtime, serve the engine, clean up. The runtime comes from,
   in this order: the runtime embedded in the package; INUSE_JAVA_HOME (a property in an
   immediate action, an entry of CustomActionData in a deferred one); INUSE_JAVA_HOME_SAVED, the
   runtime an earlier install of the product was given (the same way); a Java 17+ x64 runtime
   registered on the machine (runtime.c lists the keys). */
#include "broker.h"
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#define DEFAULT_TIMEOUT_S 120

static HMODULE self;

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)reserved;
  if (reason == DLL_PROCESS_ATTACH) self = instance;
  return TRUE;
}

static int resolve_runtime(broker *b, const payload *p, runtime *rt) {
  wchar_t why[1024] = L"";
  memset(rt, 0, sizeof *rt);   /* holds nothing until runtime_trust holds the runtime (released after the engine) */
  if (p->has_runtime) {
    wchar_t home[MAX_PATH];
    if (!wfmt(home, MAX_PATH, L"%ls\\runtime", p->folder) || !runtime_check(home, rt, why, 1024)) {
      log_line(b->session, L"the runtime embedded in this package is not usable: %ls. Rebuild the package with a Java 17+ x64 runtime image", why);
      return 0;
    }
    wcscpy(rt->source, L"embedded in the package");
    return 1;
  }
  wchar_t *home = action_setting(b->session, b->deferred, L"INUSE_JAVA_HOME");
  if (home) {
    /* a property or CustomActionData, which a standard user may set: elevated, only a trusted runtime */
    int ok = runtime_check(home, rt, why, 1024) && (!running_elevated() || runtime_trusted(b->session, rt, why, 1024));
    if (!ok) log_line(b->session, L"INUSE_JAVA_HOME=%.*ls%ls is not usable: %ls", MAX_PATH, home, wcslen(home) > MAX_PATH ? L"..." : L"", why);
    else wcscpy(rt->source, L"INUSE_JAVA_HOME");
    free(home);
    return ok;
  }
  /* the runtime an earlier install of this product was given (kept under HKLM\SOFTWARE\inuse\<id>, found by
     AppSearch): tried next; one that is gone or not trusted any more falls through to the registered ones */
  wchar_t *saved = action_setting(b->session, b->deferred, L"INUSE_JAVA_HOME_SAVED");
  if (saved && *saved) {
    int ok = runtime_check(saved, rt, why, 1024) && (!running_elevated() || runtime_trusted(b->session, rt, why, 1024));
    if (ok) {
      wcscpy(rt->source, L"the runtime this product was installed with");
      free(saved);
      return 1;
    }
    log_line(b->session, L"the runtime this product was installed with (%.*ls%ls) is not usable any more: %ls; looking for a "
             L"registered one", MAX_PATH, saved, wcslen(saved) > MAX_PATH ? L"..." : L"", why);
    memset(rt, 0, sizeof *rt);
    why[0] = 0;
  }
  free(saved);
  /* elevated, the newest registered runtime that the trust check does not refuse, already held */
  int registered = runtime_from_registry(b->session, running_elevated(), rt, why, 1024);
  if (registered > 0) return 1;
  if (registered < 0) {
    log_line(b->session, L"no registered Java runtime is usable: %ls", why);
    return 0;
  }
  log_line(b->session, L"no Java runtime for the inuse engine: the package embeds none, INUSE_JAVA_HOME is not set%ls, "
           L"and %ls. Provide one of the three: build the package with a runtime image (-Dinuse.runtimeImage=<folder>), "
           L"pass INUSE_JAVA_HOME=<folder of a Java 17+ x64 runtime> to msiexec, or install a Java 17+ x64 runtime.",
           b->deferred ? L" (in CustomActionData)" : L"", why);
  return 0;
}

static DWORD timeout_ms(broker *b, int debugging) {
  if (debugging) return INFINITE;
  wchar_t *text = action_setting(b->session, b->deferred, L"INUSE_ENGINE_TIMEOUT");
  long seconds = text ? wcstol(text, NULL, 10) : DEFAULT_TIMEOUT_S;
  if (text && (seconds <= 0 || seconds > 86400)) {
    log_line(b->session, L"INUSE_ENGINE_TIMEOUT=%ls is not a number of seconds from 1 to 86400: using %d", text, DEFAULT_TIMEOUT_S);
    seconds = DEFAULT_TIMEOUT_S;
  }
  free(text);
  return (DWORD)seconds * 1000;
}

static double ms_since(LARGE_INTEGER start) {
  LARGE_INTEGER now, frequency;
  QueryPerformanceCounter(&now);
  QueryPerformanceFrequency(&frequency);
  return (double)(now.QuadPart - start.QuadPart) * 1000.0 / (double)frequency.QuadPart;
}

static UINT run_action(MSIHANDLE session, const wchar_t *action) {
  LARGE_INTEGER started;
  QueryPerformanceCounter(&started);
  broker b = { 0 };
  b.session = session;
  b.action = action;
  b.commit = MsiGetMode(session, MSIRUNMODE_COMMIT);
  b.deferred = MsiGetMode(session, MSIRUNMODE_SCHEDULED) || MsiGetMode(session, MSIRUNMODE_ROLLBACK) || b.commit;
  b.result = -1;
  payload p;
  wchar_t why[1024] = L"";
  UINT rc = ERROR_INSTALL_FAILURE;
  int extracted = payload_extract(session, self, &p, why, 1024);
  double extraction_ms = ms_since(started);
  if (!extracted) {
    log_line(session, L"%ls: cannot prepare the engine: %ls", action, why);
    payload_remove(session, &p);
    return rc;
  }
  /* a JDWP port in an elevated or SYSTEM JVM is a door for every local user, and it stops the clock */
  int port = debug_port();
  if (port && running_elevated()) {
    log_line(session, L"INUSE_ENGINE_DEBUG=%d is ignored: this action runs elevated or as SYSTEM, where a debugger port "
             L"would let any local user run code with its rights. Debug an immediate action of an unelevated install instead.", port);
    port = 0;
  }
  runtime rt;
  if (resolve_runtime(&b, &p, &rt)) {
    log_line(session, L"%ls: runtime %ls (Java %ls, %ls)", action, rt.home, rt.version, rt.source);
    wchar_t classpath[2 * MAX_PATH + 64];   /* the engine, then the package's target list (docs/pak.md); fits: the folder is < MAX_PATH */
    wfmt(classpath, 2 * MAX_PATH + 64, L"%ls\\engine\\inuse-engine.jar;%ls\\engine\\inuse-targets.jar", p.folder, p.folder);
    engine_run run = { &rt, classpath, p.folder, timeout_ms(&b, port), port };
    rc = engine_serve(&b, &run);
    rm_end_all(&b);         /* Restart Manager sessions the engine left open */
    runtime_release(&rt);   /* the runtime's files stayed open, unswappable, while the engine ran */
  }
  log_line(session, L"%ls: engine read properties [%ls]; result %u after %.1f ms (extraction %.1f ms); %u requests served in %.1f ms",
           action, b.asked, rc, ms_since(started), extraction_ms, b.served, b.serving_ms);
  payload_remove(session, &p);
  return rc;
}

UINT __stdcall InuseProbe(MSIHANDLE session) { return run_action(session, L"InuseProbe"); }
UINT __stdcall InuseProbeDeferred(MSIHANDLE session) { return run_action(session, L"InuseProbeDeferred"); }
UINT __stdcall InuseDetect(MSIHANDLE session) { return run_action(session, L"InuseDetect"); }
UINT __stdcall InuseReplace(MSIHANDLE session) { return run_action(session, L"InuseReplace"); }
UINT __stdcall InuseReplaceRollback(MSIHANDLE session) { return run_action(session, L"InuseReplaceRollback"); }
UINT __stdcall InuseRebootCheck(MSIHANDLE session) { return run_action(session, L"InuseRebootCheck"); }
UINT __stdcall InuseRestore(MSIHANDLE session) { return run_action(session, L"InuseRestore"); }
UINT __stdcall InuseRestoreRollback(MSIHANDLE session) { return run_action(session, L"InuseRestoreRollback"); }
UINT __stdcall InuseRestoreCommit(MSIHANDLE session) { return run_action(session, L"InuseRestoreCommit"); }
