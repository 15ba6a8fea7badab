/* enumlockers: the C measuring stick of packaging/bench/detect-lockers.sh. Test scaffolding, never
   packaged: it does, in one native process, the enumeration the detect action asks of the broker
   for one target, with the same Windows APIs (src/broker/machine.c), and times it.

     enumlockers [--toolhelp] [--verbose] <file name>
         e.g. enumlockers MAPI32.DLL (the target is <System folder>\<file name>)
     --toolhelp  list each process's modules with a Toolhelp32 module snapshot (Module32FirstW/NextW)
                 instead of the broker's PSAPI calls: what the other way would cost
     --verbose   one line per process: pid, modules listed, image path

   1. SHGetKnownFolderPath(FOLDERID_System), the target's path in it;
   2. its identity: CreateFileW(FILE_READ_ATTRIBUTES, all sharing, backup semantics),
      GetFileInformationByHandle (volume serial number, file index), GetFinalPathNameByHandleW;
   3. a Toolhelp32 process snapshot; each process (but pid 0) opened with
      PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, its image path (QueryFullProcessImageNameW),
      its modules (EnumProcessModulesEx, GetModuleFileNameExW: the broker's way); a module (or the
      image) whose file name is the target's is a holder when its identity (asked once per distinct
      path) is the target's;
   4. when a holder was found, EnumServicesStatusExW(SC_ENUM_PROCESS_INFO) names the services of
      each holder;
   5. the exclusive-open probe: GetFileAttributesW, CreateFileW(GENERIC_WRITE, no sharing),
      closed at once (32 = LOCKED, 0 = FREE).
   Prints one line per holder, the probe, counts, the time of each step ("steps_ms ..."), and last
   "elapsed_ms=<ms>": QueryPerformanceCounter from the start of main to the end of the output before
   the steps, so the start of the process itself is not in it (the floor of a Java action covers that).
   Exit code 0, or 1 when a step failed (the line says which). */
#include <windows.h>
#include <shlobj.h>
#include <knownfolders.h>
#include <tlhelp32.h>
#include <psapi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define MAX_CHARS 32767
#define MAX_PATHS 64      /* distinct module paths remembered with their identity */
#define MAX_HOLDERS 4096

typedef struct { DWORD serial; ULONGLONG index; int ok; } identity;

static char out[1 << 20];
static size_t used;

static void put(const char *format, ...) {
  va_list args;
  va_start(args, format);
  int n = vsnprintf(out + used, sizeof out - used, format, args);
  va_end(args);
  if (n > 0) used += (size_t)n < sizeof out - used ? (size_t)n : sizeof out - used - 1;
}

static const char *utf8(const wchar_t *w) {
  static char text[4][4 * MAX_PATH + 1];
  static int next;
  char *t = text[next++ % 4];
  if (!WideCharToMultiByte(CP_UTF8, 0, w, -1, t, sizeof text[0], NULL, NULL)) strcpy(t, "?");
  return t;
}

static identity identify(const wchar_t *path, wchar_t *final_path) {
  identity id = { 0 };
  HANDLE h = CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (h == INVALID_HANDLE_VALUE) return id;
  BY_HANDLE_FILE_INFORMATION info;
  if (GetFileInformationByHandle(h, &info)) {
    id.serial = info.dwVolumeSerialNumber;
    id.index = (ULONGLONG)info.nFileIndexHigh << 32 | info.nFileIndexLow;
    id.ok = 1;
  }
  /* the broker answers the long path too: asked for the same cost */
  if (!GetFinalPathNameByHandleW(h, final_path, MAX_CHARS + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS)) final_path[0] = 0;
  CloseHandle(h);
  return id;
}

/* identities of module paths, one question per distinct path (the engine's Detector caches the same way) */
static struct { wchar_t *path; identity id; } known[MAX_PATHS];
static int known_count;

static identity identity_of(const wchar_t *path, wchar_t *scratch) {
  for (int i = 0; i < known_count; i++)
    if (wcscmp(known[i].path, path) == 0) return known[i].id;
  identity id = identify(path, scratch);
  if (known_count < MAX_PATHS) {
    known[known_count].path = _wcsdup(path);
    known[known_count++].id = id;
  }
  return id;
}

static const wchar_t *file_name(const wchar_t *path) {
  const wchar_t *name = path;
  for (const wchar_t *p = path; *p; p++) if (*p == L'\\' || *p == L'/') name = p + 1;
  return name;
}

static LARGE_INTEGER frequency, mark;
static double step_ms[5];   /* known folder, identity, processes and modules, services, probe */

static void step_done(int step) {
  LARGE_INTEGER now;
  QueryPerformanceCounter(&now);
  step_ms[step] = (double)(now.QuadPart - mark.QuadPart) * 1000.0 / (double)frequency.QuadPart;
  mark = now;
}

static int same(identity a, identity b) { return a.ok && b.ok && a.serial == b.serial && a.index == b.index; }

typedef struct { DWORD pid; wchar_t image[MAX_PATH + 1]; } holder;
static holder holders[MAX_HOLDERS];
static int holder_count;

int wmain(int argc, wchar_t **argv) {
  LARGE_INTEGER started, ended;
  QueryPerformanceCounter(&started);
  QueryPerformanceFrequency(&frequency);
  mark = started;
  int toolhelp = 0, verbose = 0, a = 1;
  for (; a < argc && argv[a][0] == L'-'; a++) {
    if (!wcscmp(argv[a], L"--toolhelp")) toolhelp = 1;
    else if (!wcscmp(argv[a], L"--verbose")) verbose = 1;
    else break;
  }
  if (a != argc - 1 || !argv[a][0] || wcspbrk(argv[a], L"\\/:")) {
    fprintf(stderr, "usage: enumlockers [--toolhelp] [--verbose] <file name in the System folder>\n");
    return 2;
  }
  const wchar_t *name = argv[a];

  /* 1. the known folder */
  PWSTR folder = NULL;
  HRESULT hr = SHGetKnownFolderPath(&FOLDERID_System, KF_FLAG_DEFAULT, NULL, &folder);
  if (FAILED(hr)) { printf("failed: SHGetKnownFolderPath 0x%08lX\n", (unsigned long)hr); return 1; }
  wchar_t target[MAX_PATH * 2];
  _snwprintf(target, MAX_PATH * 2, L"%ls\\%ls", folder, name);
  target[MAX_PATH * 2 - 1] = 0;
  CoTaskMemFree(folder);
  step_done(0);

  /* 2. the target's identity */
  wchar_t *text = malloc((MAX_CHARS + 1) * sizeof(wchar_t));
  if (!text) return 1;
  identity wanted = identify(target, text);
  if (!wanted.ok) { printf("failed: the identity of %s: error %lu\n", utf8(target), GetLastError()); return 1; }
  step_done(1);

  /* 3. processes and their modules */
  unsigned processes = 0, unscanned = 0, modules_read = 0;
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snap == INVALID_HANDLE_VALUE) { printf("failed: CreateToolhelp32Snapshot error %lu\n", GetLastError()); return 1; }
  PROCESSENTRY32W entry = { .dwSize = sizeof entry };
  DWORD capacity = 256;
  HMODULE *modules = malloc(capacity * sizeof(HMODULE));
  for (BOOL more = Process32FirstW(snap, &entry); more; more = Process32NextW(snap, &entry)) {
    if (entry.th32ProcessID == 0) continue;
    processes++;
    HANDLE p = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, entry.th32ProcessID);
    /* as the broker: when it cannot be read, its image path may still be */
    HANDLE q = p ? p : OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, entry.th32ProcessID);
    wchar_t image[MAX_PATH + 1];
    DWORD n = MAX_PATH + 1;
    if (!q || !QueryFullProcessImageNameW(q, 0, image, &n)) image[0] = 0;
    if (q && q != p) CloseHandle(q);
    if (!p) { unscanned++; continue; }
    int holds = 0;
    unsigned listed_here = 0;
    if (_wcsicmp(file_name(image), name) == 0 && same(identity_of(image, text), wanted)) holds = 1;
    if (toolhelp) {
      /* one module snapshot of the process, its paths in the entries (at most MAX_PATH characters);
         ERROR_BAD_LENGTH: the process was loading or unloading a module, try again */
      HANDLE ms = INVALID_HANDLE_VALUE;
      for (int tries = 0; tries < 5 && ms == INVALID_HANDLE_VALUE; tries++) {
        ms = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32, entry.th32ProcessID);
        if (ms == INVALID_HANDLE_VALUE && GetLastError() != ERROR_BAD_LENGTH) break;
      }
      if (ms == INVALID_HANDLE_VALUE) unscanned++;
      MODULEENTRY32W module = { .dwSize = sizeof module };
      for (BOOL m = ms != INVALID_HANDLE_VALUE && Module32FirstW(ms, &module); m; m = Module32NextW(ms, &module)) {
        modules_read++;
        listed_here++;
        if (holds || CompareStringOrdinal(file_name(module.szExePath), -1, name, -1, TRUE) != CSTR_EQUAL) continue;
        holds = same(identity_of(module.szExePath, text), wanted);
      }
      if (ms != INVALID_HANDLE_VALUE) CloseHandle(ms);
    } else {
      DWORD bytes = 0, listed = 0;
      for (int tries = 0; tries < 5; tries++) {
        if (!EnumProcessModulesEx(p, modules, capacity * sizeof(HMODULE), &bytes, LIST_MODULES_ALL)) { unscanned++; break; }
        if (bytes <= capacity * sizeof(HMODULE)) { listed = bytes / sizeof(HMODULE); break; }
        capacity = bytes / sizeof(HMODULE) + 64;
        modules = realloc(modules, capacity * sizeof(HMODULE));
        if (!modules) return 1;
      }
      /* every module's name, also after a match, as the broker reads them */
      for (DWORD i = 0; i < listed; i++) {
        DWORD len = GetModuleFileNameExW(p, modules[i], text, MAX_CHARS + 1);
        modules_read++;
        listed_here++;
        if (len == 0 || len > MAX_CHARS || holds) continue;
        text[len] = 0;
        if (CompareStringOrdinal(file_name(text), -1, name, -1, TRUE) != CSTR_EQUAL) continue;
        wchar_t *path = _wcsdup(text);
        holds = path && same(identity_of(path, text), wanted);
        free(path);
      }
    }
    if (verbose) put("process pid=%lu modules=%u image=%s\n", entry.th32ProcessID, listed_here, utf8(image));
    if (holds && holder_count < MAX_HOLDERS) {
      holders[holder_count].pid = entry.th32ProcessID;
      wcscpy(holders[holder_count++].image, image);
    }
    CloseHandle(p);
  }
  CloseHandle(snap);
  free(modules);
  step_done(2);

  /* 4. the services of the holders */
  ENUM_SERVICE_STATUS_PROCESSW *services = NULL;
  DWORD service_count = 0;
  if (holder_count) {
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
    if (!scm) { printf("failed: OpenSCManagerW error %lu\n", GetLastError()); return 1; }
    DWORD size = 64 * 1024, need = 0, resume = 0;
    for (;;) {
      services = realloc(services, size);
      DWORD returned = 0;
      BOOL done = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, (BYTE *)services, size, &need,
                                        &returned, &resume, NULL);
      if (done) { service_count = returned; break; }
      if (GetLastError() != ERROR_MORE_DATA) { printf("failed: EnumServicesStatusExW error %lu\n", GetLastError()); return 1; }
      size = need > size ? need : size * 2;   /* all of them in one buffer: start again */
      resume = 0;
    }
    CloseServiceHandle(scm);
  }
  step_done(3);

  /* 5. the exclusive-open probe */
  DWORD probe = 0;
  DWORD attributes = GetFileAttributesW(target);
  if (attributes == INVALID_FILE_ATTRIBUTES || !(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    HANDLE h = CreateFileW(target, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) probe = GetLastError();
    else CloseHandle(h);
  }
  step_done(4);

  for (int i = 0; i < holder_count; i++) {
    put("locker pid=%lu image=%s", holders[i].pid, utf8(holders[i].image));
    for (DWORD s = 0; s < service_count; s++)
      if (services[s].ServiceStatusProcess.dwProcessId == holders[i].pid)
        put(" service=%s (%s)", utf8(services[s].lpServiceName), utf8(services[s].lpDisplayName));
    put("\n");
  }
  put("target=%s probe=%lu verdict=%s\n", utf8(target), probe,
      probe == ERROR_SHARING_VIOLATION ? "LOCKED" : probe == 0 ? "FREE" : "UNKNOWN");
  put("holders=%d processes=%u unscanned=%u module_names_read=%u services=%lu\n", holder_count, processes, unscanned,
      modules_read, service_count);
  fwrite(out, 1, used, stdout);
  fflush(stdout);
  QueryPerformanceCounter(&ended);
  printf("steps_ms known_folder=%.3f identity=%.3f processes_modules=%.3f services=%.3f probe=%.3f\n", step_ms[0], step_ms[1],
         step_ms[2], step_ms[3], step_ms[4]);
  printf("elapsed_ms=%.3f\n", (double)(ended.QuadPart - started.QuadPart) * 1000.0 / (double)frequency.QuadPart);
  free(services);
  free(text);
  return 0;
}
