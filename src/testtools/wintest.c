/* wintest: the Wine end-to-end tests' helper (test scaffolding, never packaged).
     wintest run <command line...>        runs it, waits, prints EXITCODE=<full 32-bit code>
                                          (wine's own exit status is cut to 8 bits: 3010 -> 194)
     wintest lock <dll> <stopfile>        LoadLibraryW(dll), prints "loaded pid=.. version=..",
                                          holds it until <stopfile> exists (at most 10 minutes)
     wintest open-exclusive <path>        CreateFileW(GENERIC_WRITE, no sharing): "open ok" or
                                          "open failed error=<GetLastError>"
     wintest rmtree <path>                the broker's delete_tree (src/broker/fsutil.c): "rmtree ok"
                                          or "rmtree failed error=<GetLastError>"
     wintest ui <msi> <answer> <delay ms | go file> <log> [PROPERTY=VALUE ...]
                (the internal UI level is WINTEST_UILEVEL from the environment, e.g. 5 for full; unset: none)
                                          installs through MsiInstallProductW with an external UI
                                          handler that answers FILESINUSE with <answer> (4 Retry,
                                          5 Ignore, 2 Cancel) after <delay ms>, or, when that argument
                                          is not a number, once the file it names exists (at most 10
                                          minutes: a test stops its lockers, then creates it), prints
                                          each record it got and EXITCODE=<result>; the log is /l*v-like
     wintest multisz <HKLM subkey> <name> prints "absent", or "count=N" and one "[i]=<utf-8>" line
                                          per string of a REG_MULTI_SZ value (empty strings too)
   Output is UTF-8, one fact per line, flushed at once. */
#include <windows.h>
#include <msi.h>
#include <msiquery.h>
#include <stdio.h>
#include <wchar.h>

static void out(const char *fmt, ...) {
  va_list a; va_start(a, fmt); vprintf(fmt, a); va_end(a); fflush(stdout);
}

static const char *utf8(const wchar_t *w, size_t n) {
  static char buf[65536];
  int len = WideCharToMultiByte(CP_UTF8, 0, w, (int)n, buf, sizeof buf - 1, NULL, NULL);
  buf[len > 0 ? len : 0] = 0;
  return buf;
}

/* The command line after the first two words (program and subcommand), as typed. */
static wchar_t *rest_of_command_line(void) {
  wchar_t *p = GetCommandLineW();
  for (int word = 0; word < 2; word++) {
    int quoted = 0;
    while (*p && (quoted || (*p != L' ' && *p != L'\t'))) { if (*p == L'"') quoted = !quoted; p++; }
    while (*p == L' ' || *p == L'\t') p++;
  }
  return p;
}

static int run(void) {
  STARTUPINFOW si = { sizeof si };
  PROCESS_INFORMATION pi;
  DWORD code = 0;
  if (!CreateProcessW(NULL, rest_of_command_line(), NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
    out("CreateProcessW failed error=%lu\n", GetLastError());
    return 1;
  }
  WaitForSingleObject(pi.hProcess, INFINITE);
  GetExitCodeProcess(pi.hProcess, &code);
  out("EXITCODE=%lu\n", code);
  return 0;
}

static int lock(const wchar_t *dll, const wchar_t *stopfile) {
  HMODULE module = LoadLibraryW(dll);
  if (!module) { out("LoadLibraryW failed error=%lu\n", GetLastError()); return 1; }
  ULONGLONG (WINAPI *version)(void) = (ULONGLONG (WINAPI *)(void))GetProcAddress(module, "InuseDemoVersion");
  wchar_t path[MAX_PATH];
  GetModuleFileNameW(module, path, MAX_PATH);
  ULONGLONG v = version ? version() : 0;
  out("loaded pid=%lu path=%s version=%u.%u.%u.%u\n", GetCurrentProcessId(), utf8(path, wcslen(path)),
      (unsigned)(v >> 48), (unsigned)(v >> 32 & 0xFFFF), (unsigned)(v >> 16 & 0xFFFF), (unsigned)(v & 0xFFFF));
  for (int i = 0; i < 6000 && GetFileAttributesW(stopfile) == INVALID_FILE_ATTRIBUTES; i++) Sleep(100);
  FreeLibrary(module);
  out("released\n");
  return 0;
}

static int open_exclusive(const wchar_t *path) {
  HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE) { out("open failed error=%lu\n", GetLastError()); return 0; }
  CloseHandle(h);
  out("open ok\n");
  return 0;
}

static int multisz(const wchar_t *subkey, const wchar_t *name) {
  HKEY key;
  LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, subkey, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &key);
  if (rc != ERROR_SUCCESS) { out("RegOpenKeyExW failed error=%ld\n", rc); return 1; }
  DWORD type = 0, size = 0;
  rc = RegQueryValueExW(key, name, NULL, &type, NULL, &size);
  if (rc == ERROR_FILE_NOT_FOUND) { out("absent\n"); RegCloseKey(key); return 0; }
  if (rc != ERROR_SUCCESS || type != REG_MULTI_SZ) { out("RegQueryValueExW failed error=%ld type=%lu\n", rc, type); RegCloseKey(key); return 1; }
  wchar_t *data = calloc(size / sizeof(wchar_t) + 2, sizeof(wchar_t));
  rc = RegQueryValueExW(key, name, NULL, &type, (BYTE *)data, &size);
  RegCloseKey(key);
  if (rc != ERROR_SUCCESS) { out("RegQueryValueExW failed error=%ld\n", rc); return 1; }
  /* Each string ends with a NUL and one more NUL ends the list: drop that last one, then every
     NUL ends a string, so an empty string (a delete operation's destination) is kept. A last
     string without its NUL (a malformed value) is shown too. */
  size_t chars = size / sizeof(wchar_t), count = 0, start = 0;
  if (chars > 0 && data[chars - 1] == 0) chars--;
  for (size_t i = 0; i < chars; i++) if (data[i] == 0) count++;
  if (chars > 0 && data[chars - 1] != 0) count++;
  out("count=%zu\n", count);
  for (size_t i = 0, index = 0; i < chars; i++) {
    if (data[i] == 0 || i == chars - 1) {
      size_t end = data[i] == 0 ? i : i + 1;
      out("[%zu]=%s\n", index++, utf8(data + start, end - start));
      start = i + 1;
    }
  }
  free(data);
  return 0;
}

int delete_tree(const wchar_t *path);  /* src/broker/fsutil.c */

static int ui_answer;
static DWORD ui_delay;
static const wchar_t *ui_go_file;   /* answer once it exists, instead of after ui_delay */

static INT CALLBACK files_in_use(LPVOID context, UINT type, MSIHANDLE record) {
  (void)context;
  if ((type & 0xFF000000) != INSTALLMESSAGE_FILESINUSE) return 0;
  UINT fields = MsiRecordGetFieldCount(record);
  out("FILESINUSE record, %u fields:", fields);
  for (UINT i = 0; i <= fields; i++) {
    wchar_t text[1024];
    DWORD size = 1024;
    if (MsiRecordGetStringW(record, i, text, &size) == ERROR_SUCCESS) out(" [%u]=%s", i, utf8(text, wcslen(text)));
  }
  if (ui_go_file) {
    out(" -> answering %d once %s exists\n", ui_answer, utf8(ui_go_file, wcslen(ui_go_file)));
    for (int i = 0; i < 6000 && GetFileAttributesW(ui_go_file) == INVALID_FILE_ATTRIBUTES; i++) Sleep(100);
  } else {
    out(" -> answering %d after %lu ms\n", ui_answer, ui_delay);
    Sleep(ui_delay);
  }
  return ui_answer;
}

static int ui(int argc, wchar_t **argv) {
  ui_answer = _wtoi(argv[3]);
  if (iswdigit(argv[4][0])) ui_delay = (DWORD)_wtoi(argv[4]);
  else ui_go_file = argv[4];
  wchar_t properties[8192] = L"";
  for (int i = 6; i < argc; i++) {
    wcsncat(properties, L" ", 8191 - wcslen(properties));
    wcsncat(properties, argv[i], 8191 - wcslen(properties));
  }
  const wchar_t *level = _wgetenv(L"WINTEST_UILEVEL");   /* e.g. 5 = INSTALLUILEVEL_FULL; unset: none */
  MsiSetInternalUI(level ? (INSTALLUILEVEL)_wtoi(level) : INSTALLUILEVEL_NONE, NULL);
  MsiSetExternalUIRecord(files_in_use, INSTALLLOGMODE_FILESINUSE, NULL, NULL);
  MsiEnableLogW(INSTALLLOGMODE_VERBOSE | INSTALLLOGMODE_INFO | INSTALLLOGMODE_ERROR | INSTALLLOGMODE_WARNING |
                INSTALLLOGMODE_ACTIONSTART | INSTALLLOGMODE_PROPERTYDUMP, argv[5], 0);
  UINT rc = MsiInstallProductW(argv[2], properties);
  out("EXITCODE=%u\n", rc);
  return 0;
}

/* A value's type and bytes, in hex: for byte-for-byte comparisons of a value before and after. */
static int rawvalue(const wchar_t *subkey, const wchar_t *name) {
  HKEY key;
  LONG rc = RegOpenKeyExW(HKEY_LOCAL_MACHINE, subkey, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &key);
  if (rc != ERROR_SUCCESS) { out("RegOpenKeyExW failed error=%ld\n", rc); return 1; }
  DWORD type = 0, size = 0;
  rc = RegQueryValueExW(key, name, NULL, &type, NULL, &size);
  if (rc == ERROR_FILE_NOT_FOUND) { out("absent\n"); RegCloseKey(key); return 0; }
  BYTE *data = malloc(size + 1);
  if (rc == ERROR_SUCCESS) rc = RegQueryValueExW(key, name, NULL, &type, data, &size);
  RegCloseKey(key);
  if (rc != ERROR_SUCCESS) { out("RegQueryValueExW failed error=%ld\n", rc); free(data); return 1; }
  out("type=%lu hex=", type);
  for (DWORD i = 0; i < size; i++) out("%02x", data[i]);
  out("\n");
  free(data);
  return 0;
}

/* Writes a value's bytes as given in hex, with the given type: any content, malformed too. */
static int setraw(const wchar_t *subkey, const wchar_t *name, const wchar_t *type, const wchar_t *hex) {
  size_t len = wcslen(hex);
  if (len % 2) { out("odd hex length\n"); return 2; }
  BYTE *data = malloc(len / 2 + 1);
  for (size_t i = 0; i < len / 2; i++) {
    wchar_t pair[3] = {hex[2 * i], hex[2 * i + 1], 0};
    data[i] = (BYTE)wcstoul(pair, NULL, 16);
  }
  HKEY key;
  LONG rc = RegCreateKeyExW(HKEY_LOCAL_MACHINE, subkey, 0, NULL, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &key, NULL);
  if (rc == ERROR_SUCCESS) {
    rc = RegSetValueExW(key, name, 0, (DWORD)_wtoi(type), data, (DWORD)(len / 2));
    RegCloseKey(key);
  }
  free(data);
  if (rc != ERROR_SUCCESS) { out("setraw failed error=%ld\n", rc); return 1; }
  out("setraw ok\n");
  return 0;
}

int wmain(int argc, wchar_t **argv) {
  if (argc >= 3 && !wcscmp(argv[1], L"run")) return run();
  if (argc == 4 && !wcscmp(argv[1], L"lock")) return lock(argv[2], argv[3]);
  if (argc == 3 && !wcscmp(argv[1], L"open-exclusive")) return open_exclusive(argv[2]);
  if (argc == 4 && !wcscmp(argv[1], L"multisz")) return multisz(argv[2], argv[3]);
  if (argc == 4 && !wcscmp(argv[1], L"rawvalue")) return rawvalue(argv[2], argv[3]);
  if (argc == 6 && !wcscmp(argv[1], L"setraw")) return setraw(argv[2], argv[3], argv[4], argv[5]);
  if (argc >= 6 && !wcscmp(argv[1], L"ui")) return ui(argc, argv);
  if (argc == 3 && !wcscmp(argv[1], L"rmtree")) {
    if (delete_tree(argv[2])) out("rmtree ok\n");
    else out("rmtree failed error=%lu\n", GetLastError());
    return 0;
  }
  out("usage: wintest run CMD... | lock DLL STOPFILE | open-exclusive PATH | rmtree PATH | ui MSI ANSWER DELAY|GOFILE LOG [P=V...] | multisz SUBKEY NAME | rawvalue SUBKEY NAME | setraw SUBKEY NAME TYPE HEX\n");
  return 2;
}
