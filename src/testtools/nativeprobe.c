/* Benchmark baseline (never packaged): the same property work as the Java probe actions
   (InuseProbe, InuseProbeDeferred), done in C inside the custom-action process, so that
   packaging/bench/engine-actions.sh can report the Java actions' cost as a ratio to it. */
#include <windows.h>
#include <msi.h>
#include <msiquery.h>
#include <stdio.h>
#include <wchar.h>

static void log_text(MSIHANDLE h, const wchar_t *text) {
  MSIHANDLE r = MsiCreateRecord(1);
  MsiRecordSetStringW(r, 0, L"native probe: [1]");
  MsiRecordSetStringW(r, 1, text);
  MsiProcessMessage(h, INSTALLMESSAGE_INFO, r);
  MsiCloseHandle(r);
}

static void get(MSIHANDLE h, const wchar_t *name, wchar_t *out, DWORD size) {
  out[0] = 0;
  MsiGetPropertyW(h, name, out, &size);
}

static double ms_since(LARGE_INTEGER start) {
  LARGE_INTEGER now, freq;
  QueryPerformanceCounter(&now);
  QueryPerformanceFrequency(&freq);
  return (double)(now.QuadPart - start.QuadPart) * 1000.0 / (double)freq.QuadPart;
}

UINT __stdcall InuseProbe(MSIHANDLE h) {
  LARGE_INTEGER start;
  QueryPerformanceCounter(&start);
  wchar_t home[1024], timeout[64], version[64], cad[4096], line[4300];
  get(h, L"INUSE_JAVA_HOME", home, 1024);
  get(h, L"INUSE_ENGINE_TIMEOUT", timeout, 64);
  get(h, L"ProductVersion", version, 64);
  _snwprintf(line, 4300, L"InuseProbe: runtime native; install language %d", MsiGetLanguage(h));
  log_text(h, line);
  MsiSetPropertyW(h, L"INUSE_ENGINE_RUNTIME", L"native");
  int n = _snwprintf(cad, 4096, L"inuse1;");
  if (home[0]) n += _snwprintf(cad + n, 4096 - n, L"INUSE_JAVA_HOME=%zu:%ls;", wcslen(home), home);
  _snwprintf(cad + n, 4096 - n, L"ProductVersion=%zu:%ls;", wcslen(version), version);
  MsiSetPropertyW(h, L"InuseProbeDeferred", cad);
  _snwprintf(line, 4300, L"InuseProbe: handed CustomActionData %ls; after %.3f ms", cad, ms_since(start));
  log_text(h, line);
  return ERROR_SUCCESS;
}

UINT __stdcall InuseProbeDeferred(MSIHANDLE h) {
  LARGE_INTEGER start;
  QueryPerformanceCounter(&start);
  wchar_t cad[4096], line[4300];
  get(h, L"CustomActionData", cad, 4096);
  _snwprintf(line, 4300, L"InuseProbeDeferred: received %ls; after %.3f ms", cad, ms_since(start));
  log_text(h, line);
  return ERROR_SUCCESS;
}
