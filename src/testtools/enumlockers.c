/* enumlockers: the C measuring stick of packaging/bench/detect-lockers.sh. Test scaffolding, never
   packaged. It does, in C, what the detect action (InuseDetect: the engine's Detect and Detector
   over the broker's machine requests) does for the package's one target, System\<file name>, with
   the broker's Windows calls in the engine's order, so that the two can be timed against each other.

   Built two ways from this one file:
     DLL (the benchmark's "native" variant):
         x86_64-w64-mingw32-gcc -shared -municode -O2 -o enumlockers.dll enumlockers.c enumlockers.def -lmsi -lole32 -lshell32 -luuid
       exports InuseDetect, an immediate custom action put in a copy of the package in place of the
       broker (Binary InuseBroker), so that it runs in the same custom-action process of the same
       msiexec, seeing the same processes, as the Java action. Its target is MAPI32.DLL, the
       package's one target. INUSE_NATIVE_VERBOSE=1 adds, after the timed work, one log line per
       process (pid, time of its scan, module entries listed, matches, image path, error).
       Its log lines start "native detect: InuseDetect: "; after the action's own lines come
         "found N locker(s), verdict V, ...; after X ms" (X: QueryPerformanceCounter from the entry
         of InuseDetect to just before that line, as the broker's own "after X ms" of an action)
         "steps_ms known_folder=... identity=... ..." (the time of each step below, information).
     EXE (by hand, for comparison outside msiexec):
         x86_64-w64-mingw32-gcc -municode -O2 -DENUMLOCKERS_EXE -o enumlockers.exe enumlockers.c -lole32 -lshell32 -luuid
         wine enumlockers.exe [--verbose] MAPI32.DLL
       the same work and lines on stdout (X from the start of wmain), but no MSI property is read
       or set; --verbose adds the lines per process.

   The work, in the engine's order (Detector.detect, then Detect.detectOnce and Detect.run), each
   step with the broker's calls (src/broker/machine.c, restartmgr.c, windows.c):
   1. KNOWN_FOLDER System: SHGetKnownFolderPath(FOLDERID_System); the target is <folder>\<name>.
   2. FILE_IDENTITY of the target: CreateFileW(FILE_READ_ATTRIBUTES, all sharing, backup semantics),
      GetFileInformationByHandle, GetFinalPathNameByHandleW (into a 32768-character buffer).
   3. PROCESS_MODULES([name]): a Toolhelp32 process snapshot; each process but pid 0 opened with
      PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ (else QUERY_LIMITED alone, for the image),
      QueryFullProcessImageNameW, a Toolhelp32 module snapshot (TH32CS_SNAPMODULE|TH32CS_SNAPMODULE32,
      retried on ERROR_BAD_LENGTH), Module32FirstW/NextW matched on szModule (CompareStringOrdinal,
      ignoring case), and for a match only GetModuleFileNameExW for its full path (szExePath when
      that fails), kept when its file name is still the target's.
   4. Per process (the engine's holds): each kept module path, and the image when its file name is
      the target's, identified (step 2's calls, once per distinct path; the target's own path is
      known already) and compared (volume serial, file index). The first holder makes the SERVICES
      call (OpenSCManagerW, EnumServicesStatusExW(SC_ENUM_PROCESS_INFO) with the broker's
      ERROR_MORE_DATA and resume loop); a holder whose image is a critical name (csrss.exe ...) asks
      KNOWN_FOLDER Windows once. A process with an error that holds nothing is "unscanned".
   5. Restart Manager, in a session of its own for the target: rstrtmgr.dll loaded once by its full
      path in GetSystemDirectoryW (LoadLibraryW, GetProcAddress of the five functions the broker
      takes), RmStartSession, RmRegisterResources(the target's path), RmGetList (first with room for
      none, then for what it needs plus 8, at most 5 tries), RmEndSession. A process it names that
      the scan did not is a holder too (Wine's stub names none).
   6. OPEN_EXCLUSIVE: GetFileAttributesW, CreateFileW(GENERIC_WRITE, no sharing), GetFileType,
      CloseHandle: 32 LOCKED, 0 FREE, 2/3 ABSENT, else UNKNOWN.
   7. WINDOW_TITLES of the lockers' pids (when there is one): EnumWindows; a visible window without
      owner of an asked pid gets GetWindowTextW; the first title per pid is the locker's.
   8. The action's report (Detect.detectOnce, Detect.run): one log line for the target's finding,
      one per locker, one per unscanned process; the INUSE_LOCKERS property (LockersProperty's
      encoding); when locked, the UILevel property read and, below 4, the "no UI to ask" line.
   Not mirrored (the broker's and the engine's own overhead, which the floor or the engine's share
   of the measured gap covers): the frames, the JVM, the engine's reading of its target list. */
#include <windows.h>
#include <shlobj.h>
#include <knownfolders.h>
#include <tlhelp32.h>
#include <psapi.h>
#include <restartmanager.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#ifndef ENUMLOCKERS_EXE
#include <msi.h>
#include <msiquery.h>
#endif

#define MAX_PATH_CHARS 32767
#define MAX_TITLE 1024
#define RM_GET_LIST_TRIES 5
#define RM_GET_LIST_SLACK 8

typedef struct { DWORD serial; ULONGLONG index; } identity;

typedef struct {
  DWORD pid;
  wchar_t *image;       /* "" when unreadable */
  wchar_t *error;       /* NULL, or why it could not be scanned */
  wchar_t **modules;    /* the kept module paths */
  unsigned module_count;
  unsigned listed;      /* module entries the snapshot gave (information) */
  double ms;            /* the time of its scan (information) */
} process;

typedef struct {
  DWORD pid;
  const wchar_t *image;
  int critical;
  wchar_t title[MAX_TITLE + 1];
} locker;

/* one run of the action: what it found, and where its lines go */
typedef struct run {
#ifndef ENUMLOCKERS_EXE
  MSIHANDLE session;
#endif
  const wchar_t *name;
  wchar_t target[MAX_PATH * 2];
  wchar_t *text;        /* scratch of MAX_PATH_CHARS + 1, as the broker's */
  process *processes;
  unsigned process_count, capacity, modules_listed;
  struct { wchar_t *path; int ok; identity id; } *known;
  unsigned known_count, known_capacity;
  ENUM_SERVICE_STATUS_PROCESSW *services;
  DWORD service_count;
  BYTE *service_data;
  int services_asked, windows_asked;
  wchar_t windows_folder[MAX_PATH * 2];
  locker *lockers;
  unsigned locker_count;
  DWORD probe;
  int probe_kind;
  UINT rm_listed;
  wchar_t problems[8][300];
  int problem_count;
} run;

static void out_line(run *r, const wchar_t *fmt, ...) {
  static wchar_t text[4096], escaped[4096 * 4 + 64];
  va_list args;
  va_start(args, fmt);
  _vsnwprintf(text, 4095, fmt, args);
  va_end(args);
  text[4095] = 0;
#ifdef ENUMLOCKERS_EXE
  (void)r;
  (void)escaped;
  char bytes[4096 * 3 + 1];
  if (!WideCharToMultiByte(CP_UTF8, 0, text, -1, bytes, sizeof bytes, NULL, NULL)) strcpy(bytes, "?");
  printf("%s\n", bytes);
#else
  /* as the broker's log_line: the text is the template, its brackets escaped */
  size_t n = 0;
  for (const wchar_t *p = L"native detect: InuseDetect: "; *p; p++) escaped[n++] = *p;
  for (const wchar_t *p = text; *p; p++) {
    if (*p == L'[' || *p == L']') { escaped[n++] = L'['; escaped[n++] = L'\\'; escaped[n++] = *p; escaped[n++] = L']'; }
    else escaped[n++] = *p;
  }
  escaped[n] = 0;
  MSIHANDLE rec = MsiCreateRecord(0);
  MsiRecordSetStringW(rec, 0, escaped);
  MsiProcessMessage(r->session, INSTALLMESSAGE_INFO, rec);
  MsiCloseHandle(rec);
#endif
}

static void problem(run *r, const wchar_t *fmt, ...) {
  if (r->problem_count >= 8) return;
  va_list args;
  va_start(args, fmt);
  _vsnwprintf(r->problems[r->problem_count], 299, fmt, args);
  va_end(args);
  r->problems[r->problem_count++][299] = 0;
}

static const wchar_t *file_name(const wchar_t *path) {
  const wchar_t *name = path;
  for (const wchar_t *p = path; *p; p++) if (*p == L'\\' || *p == L'/') name = p + 1;
  return name;
}

static int named(const wchar_t *path, const wchar_t *name) {
  return CompareStringOrdinal(file_name(path), -1, name, -1, TRUE) == CSTR_EQUAL;
}

/* KNOWN_FOLDER */
static int known_folder(const KNOWNFOLDERID *id, wchar_t *out, size_t size) {
  PWSTR path = NULL;
  HRESULT hr = SHGetKnownFolderPath(id, KF_FLAG_DEFAULT, NULL, &path);
  int ok = SUCCEEDED(hr) && (size_t)_snwprintf(out, size, L"%ls", path) < size;
  CoTaskMemFree(path);
  return ok;
}

/* FILE_IDENTITY: 1 identified, 0 absent or failed */
static int file_identity(const wchar_t *path, identity *id) {
  HANDLE h = CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (h == INVALID_HANDLE_VALUE) return 0;
  BY_HANDLE_FILE_INFORMATION info;
  int ok = GetFileInformationByHandle(h, &info);
  if (ok) {
    id->serial = info.dwVolumeSerialNumber;
    id->index = (ULONGLONG)info.nFileIndexHigh << 32 | info.nFileIndexLow;
    /* the broker answers the long path too, into a buffer of its own */
    wchar_t *name = malloc((MAX_PATH_CHARS + 1) * sizeof(wchar_t));
    DWORD n = name ? GetFinalPathNameByHandleW(h, name, MAX_PATH_CHARS + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS) : 0;
    if (name && (n == 0 || n > MAX_PATH_CHARS)) GetLongPathNameW(path, name, MAX_PATH_CHARS + 1);
    free(name);
  }
  CloseHandle(h);
  return ok;
}

/* the engine's identity(): asked once per distinct path (the exact string) */
static int identity_of(run *r, const wchar_t *path, identity *id) {
  for (unsigned i = 0; i < r->known_count; i++)
    if (wcscmp(r->known[i].path, path) == 0) { *id = r->known[i].id; return r->known[i].ok; }
  int ok = file_identity(path, id);
  if (r->known_count == r->known_capacity) {
    r->known_capacity = r->known_capacity ? 2 * r->known_capacity : 16;
    r->known = realloc(r->known, r->known_capacity * sizeof *r->known);
  }
  r->known[r->known_count].path = _wcsdup(path);
  r->known[r->known_count].ok = ok;
  r->known[r->known_count++].id = *id;
  return ok;
}

static LARGE_INTEGER frequency;

static double ms_between(LARGE_INTEGER a, LARGE_INTEGER b) {
  return (double)(b.QuadPart - a.QuadPart) * 1000.0 / (double)frequency.QuadPart;
}

static wchar_t *wdup_fmt(const wchar_t *fmt, ...) {
  wchar_t text[200];
  va_list args;
  va_start(args, fmt);
  _vsnwprintf(text, 199, fmt, args);
  va_end(args);
  text[199] = 0;
  return _wcsdup(text);
}

/* PROCESS_MODULES: the broker's put_process for each process of one snapshot */
static void process_modules(run *r) {
  HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snap == INVALID_HANDLE_VALUE) { problem(r, L"listing the processes: CreateToolhelp32Snapshot error %lu", GetLastError()); return; }
  PROCESSENTRY32W entry = { .dwSize = sizeof entry };
  wchar_t *text = r->text;
  for (BOOL more = Process32FirstW(snap, &entry); more; more = Process32NextW(snap, &entry)) {
    if (entry.th32ProcessID == 0) continue;
    if (r->process_count == r->capacity) {
      r->capacity = r->capacity ? 2 * r->capacity : 64;
      r->processes = realloc(r->processes, r->capacity * sizeof *r->processes);
    }
    process *pr = &r->processes[r->process_count++];
    memset(pr, 0, sizeof *pr);
    LARGE_INTEGER t0, t1;
    QueryPerformanceCounter(&t0);
    pr->pid = entry.th32ProcessID;
    HANDLE p = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, pr->pid);
    HANDLE q = p;
    if (!p) {
      pr->error = wdup_fmt(L"OpenProcess error %lu", GetLastError());
      q = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pr->pid);
    }
    DWORD n = MAX_PATH_CHARS + 1;
    if (!q || !QueryFullProcessImageNameW(q, 0, text, &n)) {
      if (q && !pr->error) pr->error = wdup_fmt(L"QueryFullProcessImageNameW error %lu", GetLastError());
      text[0] = 0;
    }
    pr->image = _wcsdup(text);
    if (q && q != p) CloseHandle(q);
    HANDLE ms = INVALID_HANDLE_VALUE;
    if (p) {
      for (int tries = 0; ms == INVALID_HANDLE_VALUE && tries < 5; tries++) {
        ms = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32, pr->pid);
        if (ms == INVALID_HANDLE_VALUE && GetLastError() != ERROR_BAD_LENGTH) break;
      }
      if (ms == INVALID_HANDLE_VALUE) {
        free(pr->error);
        pr->error = wdup_fmt(L"CreateToolhelp32Snapshot error %lu", GetLastError());
      }
    }
    MODULEENTRY32W module = { .dwSize = sizeof module };
    for (BOOL m = ms != INVALID_HANDLE_VALUE && Module32FirstW(ms, &module); m; m = Module32NextW(ms, &module)) {
      pr->listed++;
      if (CompareStringOrdinal(module.szModule, -1, r->name, -1, TRUE) != CSTR_EQUAL) continue;
      DWORD len = GetModuleFileNameExW(p, module.hModule, text, MAX_PATH_CHARS + 1);
      if (len == 0 || len > MAX_PATH_CHARS) _snwprintf(text, MAX_PATH_CHARS + 1, L"%ls", module.szExePath);
      else text[len] = 0;
      if (!named(text, r->name)) continue;
      pr->modules = realloc(pr->modules, (pr->module_count + 1) * sizeof *pr->modules);
      pr->modules[pr->module_count++] = _wcsdup(text);
    }
    r->modules_listed += pr->listed;
    if (ms != INVALID_HANDLE_VALUE) CloseHandle(ms);
    if (p) CloseHandle(p);
    QueryPerformanceCounter(&t1);
    pr->ms = ms_between(t0, t1);
  }
  CloseHandle(snap);
}

/* SERVICES: the broker's loop (resume handle; a larger buffer when the next entry does not fit) */
static void services(run *r) {
  if (r->services_asked) return;
  r->services_asked = 1;
  SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
  if (!scm) { problem(r, L"listing the services: OpenSCManagerW error %lu", GetLastError()); return; }
  DWORD capacity = 64 * 1024, resume = 0, e = 0;
  for (int rounds = 0; rounds < 1000; rounds++) {
    BYTE *grown = realloc(r->service_data, capacity);
    if (!grown) { e = ERROR_OUTOFMEMORY; break; }
    r->service_data = grown;
    DWORD need = 0, returned = 0;
    BOOL done = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, r->service_data, capacity, &need,
                                      &returned, &resume, NULL);
    e = done ? 0 : GetLastError();
    if (!done && e != ERROR_MORE_DATA) break;
    /* kept as copies, since the next round reuses the buffer (the broker copies them into its reply) */
    const ENUM_SERVICE_STATUS_PROCESSW *s = (const ENUM_SERVICE_STATUS_PROCESSW *)r->service_data;
    r->services = realloc(r->services, (r->service_count + returned + 1) * sizeof *r->services);
    for (DWORD i = 0; i < returned; i++) {
      ENUM_SERVICE_STATUS_PROCESSW *c = &r->services[r->service_count++];
      *c = s[i];
      c->lpServiceName = _wcsdup(s[i].lpServiceName ? s[i].lpServiceName : L"");
      c->lpDisplayName = _wcsdup(s[i].lpDisplayName ? s[i].lpDisplayName : L"");
    }
    if (done) break;
    if (need > capacity) capacity = need;
    else if (returned == 0) { e = ERROR_MORE_DATA; break; }
  }
  CloseServiceHandle(scm);
  if (e) problem(r, L"listing the services: EnumServicesStatusExW error %lu", e);
}

static const wchar_t *const critical_images[] = { L"csrss.exe", L"wininit.exe", L"smss.exe", L"lsass.exe", L"services.exe" };

/* the engine's critical(): pid 4, or a critical image name under the Windows folder */
static int critical(run *r, DWORD pid, const wchar_t *image) {
  if (pid == 4) return 1;
  int listed = 0;
  for (size_t i = 0; i < sizeof critical_images / sizeof critical_images[0]; i++)
    if (_wcsicmp(file_name(image), critical_images[i]) == 0) listed = 1;
  if (!listed) return 0;
  if (!r->windows_asked) {
    r->windows_asked = 1;
    if (!known_folder(&FOLDERID_Windows, r->windows_folder, MAX_PATH * 2)) r->windows_folder[0] = 0;
  }
  size_t n = wcslen(r->windows_folder);
  return n && _wcsnicmp(image, r->windows_folder, n) == 0 && (image[n] == L'\\' || r->windows_folder[n - 1] == L'\\');
}

static void add_locker(run *r, DWORD pid, const wchar_t *image) {
  for (unsigned i = 0; i < r->locker_count; i++) if (r->lockers[i].pid == pid) return;
  services(r);
  r->lockers = realloc(r->lockers, (r->locker_count + 1) * sizeof *r->lockers);
  locker *l = &r->lockers[r->locker_count++];
  l->pid = pid;
  l->image = image;
  l->critical = critical(r, pid, image);
  l->title[0] = 0;
}

/* the engine's holds(): a kept module path, or the image of the target's name, that is the target's file */
static int holds(run *r, const process *pr, identity wanted) {
  for (unsigned i = 0; i <= pr->module_count; i++) {
    const wchar_t *candidate = i < pr->module_count ? pr->modules[i] : pr->image;
    identity id;
    if (named(candidate, r->name) && identity_of(r, candidate, &id) && id.serial == wanted.serial && id.index == wanted.index) return 1;
  }
  return 0;
}

/* Restart Manager, loaded as restartmgr.c loads it */
static HMODULE rm_module;
static __typeof__(&RmStartSession) p_start;
static __typeof__(&RmJoinSession) p_join;
static __typeof__(&RmEndSession) p_end;
static __typeof__(&RmRegisterResources) p_register;
static __typeof__(&RmGetList) p_get_list;
#define LOAD(var, name) (var = (__typeof__(var))(void (*)(void))GetProcAddress(m, name))

static DWORD rm_load(void) {
  if (rm_module) return 0;
  wchar_t path[MAX_PATH];
  UINT n = GetSystemDirectoryW(path, MAX_PATH);
  if (n == 0) return GetLastError();
  if ((size_t)_snwprintf(path + n, MAX_PATH - n, L"\\rstrtmgr.dll") >= MAX_PATH - n) return ERROR_FILENAME_EXCED_RANGE;
  HMODULE m = LoadLibraryW(path);
  if (!m) return GetLastError();
  if (!LOAD(p_start, "RmStartSession") || !LOAD(p_join, "RmJoinSession") || !LOAD(p_end, "RmEndSession")
      || !LOAD(p_register, "RmRegisterResources") || !LOAD(p_get_list, "RmGetList")) {
    DWORD e = GetLastError();
    FreeLibrary(m);
    return e ? e : ERROR_PROC_NOT_FOUND;
  }
  rm_module = m;
  return 0;
}

static void restart_manager(run *r) {
  DWORD e = rm_load();
  if (e) { problem(r, L"starting a Restart Manager session: LoadLibraryW error %lu", e); return; }
  DWORD session = 0;
  WCHAR key[CCH_RM_SESSION_KEY + 1] = L"";
  e = p_start(&session, 0, key);
  if (e) { problem(r, L"starting a Restart Manager session: RmStartSession error %lu", e); return; }
  LPCWSTR files[1] = { r->target };
  e = p_register(session, 1, files, 0, NULL, 0, NULL);
  if (e) problem(r, L"asking Restart Manager about %ls: RmRegisterResources error %lu", r->target, e);
  DWORD reasons = 0;
  UINT needed = 0, count = 0;
  RM_PROCESS_INFO *info = NULL;
  if (!e) {
    e = ERROR_MORE_DATA;
    for (int tries = 0; e == ERROR_MORE_DATA && tries < RM_GET_LIST_TRIES; tries++) {
      if (tries > 0) {
        count = needed + RM_GET_LIST_SLACK;
        RM_PROCESS_INFO *grown = realloc(info, (size_t)count * sizeof *info);
        if (!grown) { e = ERROR_OUTOFMEMORY; break; }
        info = grown;
      }
      e = p_get_list(session, &needed, &count, info, &reasons);
    }
    if (e) problem(r, L"asking Restart Manager about %ls: RmGetList error %lu", r->target, e);
    if (!info) count = 0;
    if (reasons) problem(r, L"Restart Manager: RmGetList reboot reasons %lu", reasons);
  }
  e = p_end(session);
  if (e) problem(r, L"ending the Restart Manager session: RmEndSession error %lu", e);
  /* a process it names is a holder too, its image from the process list */
  for (UINT i = 0; info && i < count; i++) {
    const wchar_t *image = L"";
    for (unsigned k = 0; k < r->process_count; k++)
      if (r->processes[k].pid == info[i].Process.dwProcessId) image = r->processes[k].image;
    add_locker(r, info[i].Process.dwProcessId, image);
  }
  r->rm_listed = count;
  free(info);
}

/* OPEN_EXCLUSIVE */
static void open_exclusive(run *r) {
  DWORD attributes = GetFileAttributesW(r->target);
  r->probe = 0;
  r->probe_kind = 0;
  if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    r->probe_kind = 1;
    return;
  }
  HANDLE h = CreateFileW(r->target, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) { r->probe = GetLastError(); return; }
  if (GetFileType(h) != FILE_TYPE_DISK) r->probe_kind = 2;
  CloseHandle(h);
}

/* WINDOW_TITLES: the first visible, unowned top-level window's title of each locker */
typedef struct { run *r; DWORD self; wchar_t title[MAX_TITLE + 1]; } walk;

static BOOL CALLBACK each_window(HWND window, LPARAM param) {
  walk *w = (walk *)param;
  if (!IsWindowVisible(window) || GetWindow(window, GW_OWNER) != NULL) return TRUE;
  DWORD pid = 0;
  if (!GetWindowThreadProcessId(window, &pid)) return TRUE;
  locker *l = NULL;
  for (unsigned i = 0; i < w->r->locker_count; i++) if (w->r->lockers[i].pid == pid) l = &w->r->lockers[i];
  if (!l) return TRUE;
  int n = 0;
  if (pid == w->self) {
    DWORD_PTR copied = 0;
    if (SendMessageTimeoutW(window, WM_GETTEXT, MAX_TITLE + 1, (LPARAM)w->title, SMTO_ABORTIFHUNG | SMTO_BLOCK, 1000, &copied)) n = (int)copied;
  } else {
    n = GetWindowTextW(window, w->title, MAX_TITLE + 1);
  }
  if (n <= 0) return TRUE;
  w->title[n > MAX_TITLE ? MAX_TITLE : n] = 0;
  if (w->title[0] && !l->title[0]) wcscpy(l->title, w->title);
  return TRUE;
}

static void window_titles(run *r) {
  if (!r->locker_count) return;
  walk *w = calloc(1, sizeof *w);
  w->r = r;
  w->self = GetCurrentProcessId();
  SetLastError(0);
  if (!EnumWindows(each_window, (LPARAM)w)) problem(r, L"reading the lockers' window titles: EnumWindows error %lu", GetLastError());
  free(w);
}

/* a growing wide string */
typedef struct { wchar_t *s; size_t n, cap; } text_buf;

static void add(text_buf *b, const wchar_t *fmt, ...) {
  for (;;) {
    if (b->cap - b->n < 64 || !b->s) {
      b->cap = b->cap ? 2 * b->cap : 4096;
      b->s = realloc(b->s, b->cap * sizeof(wchar_t));
      if (!b->s) abort();
    }
    va_list args;
    va_start(args, fmt);
    int k = _vsnwprintf(b->s + b->n, b->cap - b->n - 1, fmt, args);
    va_end(args);
    if (k >= 0 && (size_t)k < b->cap - b->n - 1) { b->n += (size_t)k; b->s[b->n] = 0; return; }
    b->cap *= 2;
    b->s = realloc(b->s, b->cap * sizeof(wchar_t));
    if (!b->s) abort();
  }
}

/* LockersProperty.escape: % | ; , [ ] { } and characters below U+0020 as %XX */
static void add_escaped(text_buf *b, const wchar_t *s) {
  for (; *s; s++) {
    if (*s < 0x20 || wcschr(L"%|;,[]{}", *s)) { add(b, L"%%%02X", (unsigned)*s); continue; }
    if (b->cap - b->n < 2) add(b, L"");   /* grows it */
    b->s[b->n++] = *s;
    b->s[b->n] = 0;
  }
}


static int cmp_locker(const void *a, const void *b) {
  const locker *x = a, *y = b;
  if (x->pid != y->pid) return x->pid < y->pid ? -1 : 1;
  return wcscmp(x->image, y->image);
}

/* The whole action; returns 0, or 1 when the target's folder or identity failed. */
static int detect(run *r, LARGE_INTEGER started) {
  LARGE_INTEGER mark[10];
  QueryPerformanceFrequency(&frequency);
  mark[0] = started;
  r->text = malloc((MAX_PATH_CHARS + 1) * sizeof(wchar_t));
  wchar_t folder[MAX_PATH * 2];
  if (!r->text || !known_folder(&FOLDERID_System, folder, MAX_PATH)) { out_line(r, L"failed: SHGetKnownFolderPath"); return 1; }
  size_t fl = wcslen(folder);
  while (fl && (folder[fl - 1] == L'\\' || folder[fl - 1] == L'/')) folder[--fl] = 0;
  _snwprintf(r->target, MAX_PATH * 2, L"%ls\\%ls", folder, r->name);
  r->target[MAX_PATH * 2 - 1] = 0;
  QueryPerformanceCounter(&mark[1]);

  identity wanted;
  int identified = identity_of(r, r->target, &wanted);
  QueryPerformanceCounter(&mark[2]);
  if (identified) process_modules(r);
  QueryPerformanceCounter(&mark[3]);

  const process **unscanned = calloc(r->process_count + 1, sizeof *unscanned);
  unsigned unscanned_count = 0;
  for (unsigned i = 0; identified && i < r->process_count; i++) {
    process *pr = &r->processes[i];
    if (holds(r, pr, wanted)) add_locker(r, pr->pid, pr->image);
    else if (pr->error) unscanned[unscanned_count++] = pr;
  }
  QueryPerformanceCounter(&mark[4]);
  if (identified) restart_manager(r);
  QueryPerformanceCounter(&mark[5]);
  open_exclusive(r);
  QueryPerformanceCounter(&mark[6]);
  qsort(r->lockers, r->locker_count, sizeof *r->lockers, cmp_locker);
  window_titles(r);
  QueryPerformanceCounter(&mark[7]);

  /* the report, as Detect.detectOnce and Detect.run write it */
  const wchar_t *verdict = r->probe_kind == 0 && r->probe == ERROR_SHARING_VIOLATION ? L"LOCKED"
                           : r->probe_kind == 0 && r->probe == 0 ? L"FREE"
                           : r->probe_kind == 0 && (r->probe == ERROR_FILE_NOT_FOUND || r->probe == ERROR_PATH_NOT_FOUND) ? L"ABSENT" : L"UNKNOWN";
  int locked = wcscmp(verdict, L"LOCKED") == 0, held = locked || wcscmp(verdict, L"UNKNOWN") == 0;
  text_buf names = { 0 }, encoded = { 0 }, line = { 0 };
  add(&names, L"");
  add(&encoded, L"");
  for (unsigned i = 0; i < r->locker_count; i++)
    add(&names, L"%ls%ls (pid %lu)", i ? L", " : L"", r->lockers[i].image[0] ? file_name(r->lockers[i].image) : L"unnamed process", r->lockers[i].pid);
  if (locked) out_line(r, L"[System]\\%ls (%ls): %ls%ls", r->name, r->target, r->locker_count ? L"locked by " : L"locked: held by a process that could not be named",
                       names.s);
  else out_line(r, L"[System]\\%ls (%ls): %ls%ls%ls", r->name, r->target, verdict, r->locker_count ? L"; loaded by " : L"", names.s);
  int folder_chars = (int)(wcslen(r->target) - wcslen(r->name) - 1);
  for (unsigned i = 0; held && i < r->locker_count; i++) {
    locker *l = &r->lockers[i];
    text_buf shorts = { 0 }, displays = { 0 };
    add(&shorts, L"");
    add(&displays, L"");
    line.n = 0;
    add(&line, L"%ls in %.*ls %ls %ls (pid %lu, %ls, ", r->name, folder_chars, r->target, locked ? L"is held by" : L"is loaded by",
        l->image[0] ? file_name(l->image) : L"unnamed process", l->pid, l->image[0] ? l->image : L"image path unknown");
    unsigned hosted = 0;
    for (DWORD s = 0; s < r->service_count; s++) {
      const ENUM_SERVICE_STATUS_PROCESSW *sv = &r->services[s];
      if (sv->ServiceStatusProcess.dwProcessId != l->pid) continue;
      add(&line, L"%ls%ls (%ls)", hosted ? L", " : l->critical ? L"critical system process; services " : L"services ", sv->lpDisplayName,
          sv->lpServiceName);
      if (hosted) { add(&shorts, L","); add(&displays, L","); }
      add_escaped(&shorts, sv->lpServiceName);
      add_escaped(&displays, sv->lpDisplayName);
      hosted++;
    }
    if (!hosted) add(&line, L"%ls", l->critical ? L"critical system process" : L"application");
    if (l->title[0]) add(&line, L"; window \"%ls\"", l->title);
    add(&line, L")");
    out_line(r, L"%ls", line.s);
    add(&encoded, L"%ls%lu|%ls|", i ? L";" : L"", l->pid, l->critical ? L"CRITICAL" : hosted ? L"SERVICE" : L"APPLICATION");
    add_escaped(&encoded, l->image);
    add(&encoded, L"|%ls|%ls", shorts.s, displays.s);
    free(shorts.s);
    free(displays.s);
  }
  for (unsigned i = 0; i < unscanned_count; i++) {
    const process *pr = unscanned[i];
    out_line(r, L"[System]\\%ls: could not scan %ls (pid %lu): %ls", r->name, pr->image[0] ? file_name(pr->image) : L"unnamed process", pr->pid,
             pr->error);
  }
  for (int i = 0; i < r->problem_count; i++) out_line(r, L"[System]\\%ls: problem: %ls", r->name, r->problems[i]);
#ifndef ENUMLOCKERS_EXE
  MsiSetPropertyW(r->session, L"INUSE_LOCKERS", encoded.s);
  if (locked) {
    wchar_t level[32] = L"";
    DWORD size = 32;
    MsiGetPropertyW(r->session, L"UILevel", level, &size);
    if (_wtoi(level) < 4)
      out_line(r, L"1 target(s) locked; UILevel '%ls': no UI to ask (only reduced (4) and full (5) UI ask a person): FilesInUse not sent; "
               L"continuing as Ignore: the held file will be replaced at the next reboot (a later stage)", level);
  }
#endif
  QueryPerformanceCounter(&mark[8]);
  out_line(r, L"found %u locker(s), verdict %ls (probe %lu), %u processes, %u unscanned, %u module entries listed, %lu services, "
           L"Restart Manager listed %u; after %.3f ms", r->locker_count, verdict, r->probe, r->process_count, unscanned_count, r->modules_listed,
           r->service_count, r->rm_listed, ms_between(started, mark[8]));
  out_line(r, L"steps_ms known_folder=%.3f identity=%.3f process_modules=%.3f holders=%.3f restart_manager=%.3f probe=%.3f "
           L"window_titles=%.3f report=%.3f", ms_between(mark[0], mark[1]), ms_between(mark[1], mark[2]), ms_between(mark[2], mark[3]),
           ms_between(mark[3], mark[4]), ms_between(mark[4], mark[5]), ms_between(mark[5], mark[6]), ms_between(mark[6], mark[7]),
           ms_between(mark[7], mark[8]));
  free(names.s);
  free(encoded.s);
  free(line.s);
  free(unscanned);
  return identified ? 0 : 1;
}

/* after the timed work: one line per process scanned (a diagnosis) */
static void verbose_lines(run *r) {
  for (unsigned i = 0; i < r->process_count; i++)
    out_line(r, L"process pid=%lu ms=%.3f modules=%u matched=%u image=%ls%ls%ls", r->processes[i].pid, r->processes[i].ms, r->processes[i].listed,
             r->processes[i].module_count, r->processes[i].image, r->processes[i].error ? L" error=" : L"", r->processes[i].error ? r->processes[i].error : L"");
}

static void free_run(run *r) {
  for (unsigned i = 0; i < r->process_count; i++) {
    for (unsigned k = 0; k < r->processes[i].module_count; k++) free(r->processes[i].modules[k]);
    free(r->processes[i].modules);
    free(r->processes[i].image);
    free(r->processes[i].error);
  }
  free(r->processes);
  for (unsigned i = 0; i < r->known_count; i++) free(r->known[i].path);
  free(r->known);
  for (DWORD i = 0; i < r->service_count; i++) {
    free(r->services[i].lpServiceName);
    free(r->services[i].lpDisplayName);
  }
  free(r->services);
  free(r->service_data);
  free(r->lockers);
  free(r->text);
}

#ifdef ENUMLOCKERS_EXE
int wmain(int argc, wchar_t **argv) {
  LARGE_INTEGER started;
  QueryPerformanceCounter(&started);
  static run r;
  int a = 1, verbose = 0;
  for (; a < argc && !wcscmp(argv[a], L"--verbose"); a++) verbose = 1;
  if (a != argc - 1 || !argv[a][0] || wcspbrk(argv[a], L"\\/:")) {
    fprintf(stderr, "usage: enumlockers [--verbose] <file name in the System folder>\n");
    return 2;
  }
  r.name = argv[a];
  int rc = detect(&r, started);
  if (verbose) verbose_lines(&r);
  free_run(&r);
  return rc;
}
#else
UINT __stdcall InuseDetect(MSIHANDLE session) {
  LARGE_INTEGER started;
  QueryPerformanceCounter(&started);
  run *r = calloc(1, sizeof *r);
  if (!r) return ERROR_INSTALL_FAILURE;
  r->session = session;
  r->name = L"MAPI32.DLL";   /* the package's one target, as its built-in list has it */
  detect(r, started);
  wchar_t verbose[8] = L"";
  DWORD size = 8;
  if (MsiGetPropertyW(session, L"INUSE_NATIVE_VERBOSE", verbose, &size) == ERROR_SUCCESS && verbose[0] == L'1') verbose_lines(r);
  free_run(r);
  free(r);
  return ERROR_SUCCESS;
}
#endif
