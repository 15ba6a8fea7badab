/* The machine requests of docs/protocol.md (ops 11..15; WINDOW_TITLES is in windows.c, the
   Restart Manager ones in restartmgr.c): Windows primitives the engine's detector uses, answered
   with no decision in them. KNOWN_FOLDER (SHGetKnownFolderPath), FILE_IDENTITY
   (CreateFileW, GetFinalPathNameByHandleW, GetFileInformationByHandle), OPEN_EXCLUSIVE (CreateFileW
   for writing, with no sharing), PROCESS_MODULES (Toolhelp32 for the processes and their modules, PSAPI for a match's full path),
   SERVICES (EnumServicesStatusExW). Windows restricts none of them in a deferred action, so the
   deferred guard of requests.c does not apply. A failure answers with the API's name and its Win32
   error; arguments are checked first (87, api "protocol"). */
#include "broker.h"
#include <shlobj.h>
#include <knownfolders.h>
#include <tlhelp32.h>
#include <psapi.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#define MAX_MODULE_NAMES 64

static int error_code(request *r, uint32_t status, const char *api, const char *what) {
  char m[300];
  cfmt(m, sizeof m, "%s: %s error %lu", what, api, (unsigned long)status);
  return request_error(r, status, api, m);
}

static int one_string_arg(request *r) {
  return r->f->args.length == 1 && r->f->args.items[0].tag == V_STRING;
}

/* A string value as UTF-16, or NULL when it is empty, holds a NUL or is longer than max characters. */
static wchar_t *wide_of(const value *v, size_t max) {
  if (v->length == 0 || memchr(v->data, 0, v->length)) return NULL;
  wchar_t *w = utf8_to_wide(v->data, v->length);
  if (w && wcslen(w) > max) { free(w); return NULL; }
  return w;
}

/* A path argument: non-empty, no NUL, at most 32767 characters; "\??\" (the NT object manager's
   prefix, as in PendingFileRenameOperations) becomes "\\?\", which the W APIs take. */
static wchar_t *path_arg(request *r) {
  wchar_t *p = wide_of(&r->f->args.items[0], MAX_PATH_CHARS);
  if (p && wcsncmp(p, L"\\??\\", 4) == 0) p[1] = L'\\';
  return p;
}

static int bad_path(request *r) {
  return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "wrong arguments: expected (string path), non-empty, without NUL, at most 32767 characters");
}

static const struct { const wchar_t *name; const KNOWNFOLDERID *id; } folders[] = {
  { L"System", &FOLDERID_System }, { L"SystemX86", &FOLDERID_SystemX86 }, { L"Windows", &FOLDERID_Windows },
  { L"ProgramFiles", &FOLDERID_ProgramFiles }, { L"ProgramFilesX86", &FOLDERID_ProgramFilesX86 },
  { L"ProgramFilesCommon", &FOLDERID_ProgramFilesCommon }, { L"ProgramData", &FOLDERID_ProgramData },
};

int machine_known_folder(request *r) {
  if (!one_string_arg(r)) return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "wrong arguments: expected (string name)");
  wchar_t *name = wide_of(&r->f->args.items[0], 64);
  const KNOWNFOLDERID *id = NULL;
  for (size_t i = 0; name && !id && i < sizeof folders / sizeof folders[0]; i++)
    if (wcscmp(name, folders[i].name) == 0) id = folders[i].id;
  free(name);
  if (!id)
    return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "not a known folder of inuse: System, SystemX86, Windows, "
                 "ProgramFiles, ProgramFilesX86, ProgramFilesCommon or ProgramData");
  PWSTR path = NULL;
  HRESULT hr = SHGetKnownFolderPath(id, KF_FLAG_DEFAULT, NULL, &path);
  if (FAILED(hr)) {
    CoTaskMemFree(path);
    /* the Win32 error inside the HRESULT, or the HRESULT itself when it holds none */
    uint32_t status = HRESULT_FACILITY(hr) == FACILITY_WIN32 ? (uint32_t)HRESULT_CODE(hr) : (uint32_t)hr;
    char m[200];
    cfmt(m, sizeof m, "cannot get the known folder: HRESULT 0x%08lX", (unsigned long)hr);
    return request_error(r, status, "SHGetKnownFolderPath", m);
  }
  request_ok(r, 1);
  buf_wstring(r->reply, path);
  CoTaskMemFree(path);
  return 1;
}

/* A path as GetFinalPathNameByHandleW or GetLongPathNameW gives it, without the "\\?\" prefix where
   the path is a drive path ("\\?\C:\x" -> "C:\x") or a UNC path ("\\?\UNC\srv\share" -> "\\srv\share"). */
static const wchar_t *plain(wchar_t *p) {
  if (wcsncmp(p, L"\\\\?\\UNC\\", 8) == 0) { p[6] = L'\\'; return p + 6; }
  if (wcsncmp(p, L"\\\\?\\", 4) == 0 && iswalpha(p[4]) && p[5] == L':') return p + 4;
  return p;
}

int machine_file_identity(request *r) {
  if (!one_string_arg(r)) return bad_path(r);
  wchar_t *path = path_arg(r);
  if (!path) return bad_path(r);
  /* no access asked for the data: attributes only, so neither a holder's sharing nor a folder stops it */
  HANDLE h = CreateFileW(path, FILE_READ_ATTRIBUTES, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                         OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    DWORD e = GetLastError();
    free(path);
    return error_code(r, e, "CreateFileW", "cannot open the path for its identity");
  }
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(h, &info)) {
    DWORD e = GetLastError();
    CloseHandle(h);
    free(path);
    return error_code(r, e, "GetFileInformationByHandle", "cannot read the file's identity");
  }
  wchar_t *name = malloc((MAX_PATH_CHARS + 1) * sizeof(wchar_t));
  DWORD n = name ? GetFinalPathNameByHandleW(h, name, MAX_PATH_CHARS + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS) : 0;
  const char *api = "GetFinalPathNameByHandleW";
  DWORD e = n ? 0 : name ? GetLastError() : ERROR_OUTOFMEMORY;
  if (name && (n == 0 || n > MAX_PATH_CHARS)) {
    /* a path Windows cannot give a DOS name for by handle: the long form of the spelling asked */
    api = "GetLongPathNameW";
    n = GetLongPathNameW(path, name, MAX_PATH_CHARS + 1);
    e = n ? 0 : GetLastError();
  }
  CloseHandle(h);
  free(path);
  if (!name || n == 0 || n > MAX_PATH_CHARS) {
    free(name);
    return error_code(r, e ? e : ERROR_FILENAME_EXCED_RANGE, api, "cannot read the file's long path");
  }
  request_ok(r, 3);
  buf_wstring(r->reply, plain(name));
  buf_int(r->reply, info.dwVolumeSerialNumber);
  buf_int(r->reply, (int64_t)((uint64_t)info.nFileIndexHigh << 32 | info.nFileIndexLow));
  free(name);
  return 1;
}

/* [integer error, integer kind]: kind 1 = a folder (not opened, error 0), 2 = a device or another
   object that is not a disk file (opened: GetFileType; error 0), 0 = anything else, with error the
   result of CreateFileW(GENERIC_WRITE, no sharing): 0 opened and closed at once, 32 held, 5 denied,
   2 or 3 absent. Write access, because a loaded DLL has no open handle: the loader closes its file
   after mapping the image, and a file system refuses only an open for FILE_WRITE_DATA (or
   delete-on-close) while an image section exists (MmFlushImageSection, "Executable Images" in the
   IFS docs). Measured under Wine 8: GENERIC_READ with no sharing opens a loaded DLL; GENERIC_WRITE
   gets 32. Nothing is written. */
int machine_open_exclusive(request *r) {
  if (!one_string_arg(r)) return bad_path(r);
  wchar_t *path = path_arg(r);
  if (!path) return bad_path(r);
  DWORD attributes = GetFileAttributesW(path), status = 0, kind = 0;
  if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    kind = 1;
  } else {
    HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
    if (h == INVALID_HANDLE_VALUE) {
      status = GetLastError();
    } else {
      if (GetFileType(h) != FILE_TYPE_DISK) kind = 2;
      CloseHandle(h);
    }
  }
  free(path);
  request_ok(r, 2);
  buf_int(r->reply, status);
  buf_int(r->reply, kind);
  return 1;
}

/* The module file names asked for: 1..64 strings, each 1..260 characters, no \ / or :. */
static wchar_t **module_names(request *r, uint32_t *count) {
  const value *list = &r->f->args.items[0];
  if (list->length == 0 || list->length > MAX_MODULE_NAMES) return NULL;
  wchar_t **names = calloc(list->length, sizeof *names);
  for (uint32_t i = 0; names && i < list->length; i++) {
    const value *v = &list->items[i];
    names[i] = v->tag == V_STRING ? wide_of(v, MAX_PATH) : NULL;
    if (!names[i] || wcspbrk(names[i], L"\\/:")) {
      for (uint32_t k = 0; k <= i; k++) free(names[k]);
      free(names);
      return NULL;
    }
  }
  *count = list->length;
  return names;
}

static int asked_for(const wchar_t *module, wchar_t **names, uint32_t count) {
  const wchar_t *file = module;
  for (const wchar_t *p = module; *p; p++) if (*p == L'\\' || *p == L'/') file = p + 1;
  for (uint32_t i = 0; i < count; i++)
    if (CompareStringOrdinal(file, -1, names[i], -1, TRUE) == CSTR_EQUAL) return 1;
  return 0;
}

/* One process: [pid, image path ("" when unreadable), error text or null, list of module paths].
   The modules come from a Toolhelp32 module snapshot of the process, matched by their file name
   (szModule); only a match costs a GetModuleFileNameExW for its full path (szExePath, limited to
   MAX_PATH, when that fails). Under Wine a snapshot is one server call, where walking the module
   list with PSAPI reads the other process once per module (packaging/bench/detect-lockers.sh). The
   process is opened first with the rights a module list needs, so a refusal names OpenProcess. */
static void put_process(buffer *out, DWORD pid, wchar_t **names, uint32_t count, wchar_t *text) {
  char why[120] = "";
  HANDLE p = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ, FALSE, pid);
  HANDLE q = p;
  if (!p) {
    cfmt(why, sizeof why, "OpenProcess error %lu", GetLastError());
    q = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);   /* the image path may still be readable */
  }
  DWORD n = MAX_PATH_CHARS + 1;
  if (!q || !QueryFullProcessImageNameW(q, 0, text, &n)) {
    if (q && !why[0]) cfmt(why, sizeof why, "QueryFullProcessImageNameW error %lu", GetLastError());
    text[0] = 0;
  }
  if (q && q != p) CloseHandle(q);
  HANDLE snap = INVALID_HANDLE_VALUE;
  if (p) {
    /* ERROR_BAD_LENGTH: the module list changed while it was read; the documented answer is to retry */
    for (int tries = 0; snap == INVALID_HANDLE_VALUE && tries < 5; tries++) {
      snap = CreateToolhelp32Snapshot(TH32CS_SNAPMODULE | TH32CS_SNAPMODULE32, pid);
      if (snap == INVALID_HANDLE_VALUE && GetLastError() != ERROR_BAD_LENGTH) break;
    }
    if (snap == INVALID_HANDLE_VALUE) cfmt(why, sizeof why, "CreateToolhelp32Snapshot error %lu", GetLastError());
  }
  buf_u8(out, V_LIST);
  buf_u32(out, 4);
  buf_int(out, pid);
  buf_wstring(out, text);
  if (why[0]) {
    wchar_t w[120];
    wfmt(w, 120, L"%hs", why);
    buf_wstring(out, w);
  } else {
    buf_u8(out, V_NULL);
  }
  buf_u8(out, V_LIST);
  size_t count_at = out->size;
  uint32_t found = 0;
  buf_u32(out, 0);
  MODULEENTRY32W module = { .dwSize = sizeof module };
  for (BOOL more = snap != INVALID_HANDLE_VALUE && Module32FirstW(snap, &module); more; more = Module32NextW(snap, &module)) {
    if (!asked_for(module.szModule, names, count)) continue;
    /* the full path; a module unloaded since the snapshot has none any more: keep the snapshot's */
    DWORD len = GetModuleFileNameExW(p, module.hModule, text, MAX_PATH_CHARS + 1);
    if (len == 0 || len > MAX_PATH_CHARS) wfmt(text, MAX_PATH_CHARS + 1, L"%ls", module.szExePath);
    else text[len] = 0;
    if (!asked_for(text, names, count)) continue;
    buf_wstring(out, text);
    found++;
  }
  if (!out->failed) for (int k = 0; k < 4; k++) out->data[count_at + k] = (uint8_t)(found >> (8 * k));
  if (snap != INVALID_HANDLE_VALUE) CloseHandle(snap);
  if (p) CloseHandle(p);
}

int machine_process_modules(request *r) {
  uint32_t count = 0;
  wchar_t **names = r->f->args.length == 1 && r->f->args.items[0].tag == V_LIST ? module_names(r, &count) : NULL;
  if (!names)
    return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "wrong arguments: expected (list of 1..64 module file names, "
                 "each a string of 1..260 characters without \\, / or :)");
  wchar_t *text = malloc((MAX_PATH_CHARS + 1) * sizeof(wchar_t));
  HANDLE snap = text ? CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0) : INVALID_HANDLE_VALUE;
  DWORD e = text ? GetLastError() : ERROR_OUTOFMEMORY;
  int served = 0;
  if (snap != INVALID_HANDLE_VALUE) {
    request_ok(r, 1);
    buf_u8(r->reply, V_LIST);
    size_t count_at = r->reply->size;
    buf_u32(r->reply, 0);
    uint32_t processes = 0;
    PROCESSENTRY32W entry = { .dwSize = sizeof entry };
    BOOL more = Process32FirstW(snap, &entry);
    e = more ? 0 : GetLastError();
    served = more;
    for (; more; more = Process32NextW(snap, &entry)) {
      if (entry.th32ProcessID == 0) continue;   /* the Idle process: nothing runs in it */
      put_process(r->reply, entry.th32ProcessID, names, count, text);
      processes++;
      if (r->reply->size > MAX_FRAME - 65536) { served = -1; break; }
    }
    if (r->reply->size - 4 > MAX_FRAME) served = -1;   /* the last process alone went past the frame */
    if (served == 1 && !r->reply->failed) for (int k = 0; k < 4; k++) r->reply->data[count_at + k] = (uint8_t)(processes >> (8 * k));
    CloseHandle(snap);
  }
  for (uint32_t i = 0; i < count; i++) free(names[i]);
  free(names);
  free(text);
  if (served == -1) return request_error(r, ERROR_INVALID_DATA, "protocol", "the process list does not fit in a frame (16 MiB)");
  if (!served) return error_code(r, e, snap == INVALID_HANDLE_VALUE ? "CreateToolhelp32Snapshot" : "Process32FirstW", "cannot list the processes");
  return 1;
}

/* [short name, display name, process id] of every active Win32 service, in EnumServicesStatusExW's
   order, through its ERROR_MORE_DATA and resume-handle loop. */
int machine_services(request *r) {
  if (r->f->args.length != 0) return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "wrong arguments: expected none");
  SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ENUMERATE_SERVICE);
  if (!scm) return error_code(r, GetLastError(), "OpenSCManagerW", "cannot open the service control manager");
  DWORD capacity = 64 * 1024, resume = 0, e = 0;
  BYTE *data = NULL;
  request_ok(r, 1);
  buf_u8(r->reply, V_LIST);
  size_t count_at = r->reply->size;
  buf_u32(r->reply, 0);
  uint32_t services = 0;
  for (int rounds = 0; rounds < 1000; rounds++) {
    BYTE *grown = realloc(data, capacity);
    if (!grown) { e = ERROR_OUTOFMEMORY; break; }
    data = grown;
    DWORD need = 0, returned = 0;
    BOOL done = EnumServicesStatusExW(scm, SC_ENUM_PROCESS_INFO, SERVICE_WIN32, SERVICE_ACTIVE, data, capacity, &need,
                                      &returned, &resume, NULL);
    e = done ? 0 : GetLastError();
    if (!done && e != ERROR_MORE_DATA) break;
    const ENUM_SERVICE_STATUS_PROCESSW *s = (const ENUM_SERVICE_STATUS_PROCESSW *)data;
    for (DWORD i = 0; i < returned; i++) {
      buf_u8(r->reply, V_LIST);
      buf_u32(r->reply, 3);
      buf_wstring(r->reply, s[i].lpServiceName ? s[i].lpServiceName : L"");
      buf_wstring(r->reply, s[i].lpDisplayName ? s[i].lpDisplayName : L"");
      buf_int(r->reply, s[i].ServiceStatusProcess.dwProcessId);
      services++;
    }
    if (r->reply->size - 4 > MAX_FRAME - 65536) { e = ERROR_INVALID_DATA; break; }
    if (done) break;
    if (need > capacity) capacity = need;   /* the next entry does not fit: room for it */
    else if (returned == 0) { e = ERROR_MORE_DATA; break; }   /* no progress: stop rather than loop */
  }
  free(data);
  CloseServiceHandle(scm);
  if (e == ERROR_INVALID_DATA) return request_error(r, e, "protocol", "the service list does not fit in a frame (16 MiB)");
  if (e) return error_code(r, e, "EnumServicesStatusExW", "cannot list the services");
  if (!r->reply->failed) for (int k = 0; k < 4; k++) r->reply->data[count_at + k] = (uint8_t)(services >> (8 * k));
  return 1;
}
