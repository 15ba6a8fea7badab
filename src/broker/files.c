/* The file requests of docs/protocol.md (ops 22..27, 33, 35): FILE_READ (CreateFileW, ReadFile),
   FILE_INFO (GetFileInformationByHandle and a SHA-256 by BCrypt), FILE_COPY (CopyFileW), FILE_MOVE
   (MoveFileExW), FILE_DELETE (DeleteFileW), FOLDER_REMOVE (RemoveDirectoryW), FILE_WRITE (a temporary file beside the target, then
   MoveFileExW) and PATH_REMOTE (a UNC path by its syntax, a drive by GetDriveTypeW). Primitives only:
   what to copy, move, keep or schedule is the engine's. Windows restricts none of them in a deferred
   action. Paths as in machine.c: non-empty, no NUL, at most 32767 characters, "\??\" taken as "\\?\". */
#include "broker.h"
#include <bcrypt.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#define FILE_READ_MAX (15u * 1024u * 1024u)    /* the reply is one frame of at most 16 MiB */
#define FILE_WRITE_MAX (1024u * 1024u)
#define MOVE_FLAGS (MOVEFILE_REPLACE_EXISTING | MOVEFILE_DELAY_UNTIL_REBOOT | MOVEFILE_WRITE_THROUGH)
#define WRITE_CREATE_NEW 1
#define WRITE_REPLACE 2
#ifndef ERROR_DIRECTORY_NOT_SUPPORTED
#define ERROR_DIRECTORY_NOT_SUPPORTED 336
#endif

static const char *const PATH_RULE = "non-empty, without NUL, at most 32767 characters";

/* CreateFileW for reading, sharing everything: a DLL that a process has loaded, or a file that
   someone has open for writing, can still be read (what is read is what is there). */
static HANDLE open_for_reading(const wchar_t *path, DWORD flags) {
  return CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                     flags | FILE_FLAG_SEQUENTIAL_SCAN, NULL);
}

int file_read(request *r) {
  char expected[200];
  cfmt(expected, sizeof expected, "(string path %s, integer max bytes 1..%u)", PATH_RULE, FILE_READ_MAX);
  if (!arg_types(r, "si") || !arg_in_range(r, 1, 1, FILE_READ_MAX)) return bad_request(r, expected);
  wchar_t *path = arg_path(r, 0);
  if (!path) return bad_request(r, expected);
  int64_t max = r->f->args.items[1].integer;
  HANDLE h = open_for_reading(path, 0);
  free(path);
  if (h == INVALID_HANDLE_VALUE) return api_error(r, GetLastError(), "CreateFileW", "cannot open the file for reading");
  LARGE_INTEGER size;
  if (!GetFileSizeEx(h, &size)) {
    DWORD e = GetLastError();
    CloseHandle(h);
    return api_error(r, e, "GetFileSizeEx", "cannot read the file's size");
  }
  if (size.QuadPart > max) {
    CloseHandle(h);
    char m[200];
    cfmt(m, sizeof m, "the file is %lld bytes, more than the %lld asked for", (long long)size.QuadPart, (long long)max);
    return request_error(r, ERROR_FILE_TOO_LARGE, "GetFileSizeEx", m);
  }
  DWORD want = (DWORD)size.QuadPart, got = 0;
  BYTE *data = malloc(want ? want : 1);
  if (!data) { CloseHandle(h); return request_error(r, ERROR_OUTOFMEMORY, "protocol", "out of memory for the file's bytes"); }
  /* the bytes up to the size the file had when opened; a file that shrank meanwhile gives fewer */
  while (got < want) {
    DWORD n = 0;
    if (!ReadFile(h, data + got, want - got, &n, NULL)) {
      DWORD e = GetLastError();
      free(data);
      CloseHandle(h);
      return api_error(r, e, "ReadFile", "cannot read the file");
    }
    if (n == 0) break;
    got += n;
  }
  CloseHandle(h);
  request_ok(r, 1);
  buf_bytes(r->reply, data, got);
  free(data);
  return 1;
}

/* SHA-256 of what the handle reads from its current position to the end. 0, or the failure: an
   NTSTATUS of BCrypt or the Win32 error of ReadFile, with *api. */
static uint32_t sha256_of(HANDLE h, UCHAR digest[32], const char **api) {
  BCRYPT_ALG_HANDLE alg = NULL;
  BCRYPT_HASH_HANDLE hash = NULL;
  UCHAR *chunk = malloc(65536);
  uint32_t status = chunk ? 0 : ERROR_OUTOFMEMORY;
  *api = "protocol";
  if (!status) { *api = "BCryptOpenAlgorithmProvider"; status = (uint32_t)BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0); }
  if (!status) { *api = "BCryptCreateHash"; status = (uint32_t)BCryptCreateHash(alg, &hash, NULL, 0, NULL, 0, 0); }
  while (!status) {
    DWORD n = 0;
    if (!ReadFile(h, chunk, 65536, &n, NULL)) { *api = "ReadFile"; status = GetLastError(); break; }
    if (n == 0) break;
    *api = "BCryptHashData";
    status = (uint32_t)BCryptHashData(hash, chunk, n, 0);
  }
  if (!status) { *api = "BCryptFinishHash"; status = (uint32_t)BCryptFinishHash(hash, digest, 32, 0); }
  if (hash) BCryptDestroyHash(hash);
  if (alg) BCryptCloseAlgorithmProvider(alg, 0);
  free(chunk);
  return status;
}

/* [integer size, bytes SHA-256 (32) or null for a folder, integer attributes]. The hash is taken here
   rather than by the engine from FILE_READ: it streams a file of any size in 64 KiB pieces, where
   FILE_READ's bytes must fit in one frame, and the DLL is linked with bcrypt.dll already (payload.c). */
int file_info(request *r) {
  char expected[120];
  cfmt(expected, sizeof expected, "(string path %s)", PATH_RULE);
  wchar_t *path = arg_types(r, "s") ? arg_path(r, 0) : NULL;
  if (!path) return bad_request(r, expected);
  HANDLE h = open_for_reading(path, FILE_FLAG_BACKUP_SEMANTICS);   /* a folder opens too */
  free(path);
  if (h == INVALID_HANDLE_VALUE) return api_error(r, GetLastError(), "CreateFileW", "cannot open the path for reading");
  BY_HANDLE_FILE_INFORMATION info;
  if (!GetFileInformationByHandle(h, &info)) {
    DWORD e = GetLastError();
    CloseHandle(h);
    return api_error(r, e, "GetFileInformationByHandle", "cannot read the file's size and attributes");
  }
  int folder = (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
  UCHAR digest[32];
  const char *api = "";
  uint32_t status = folder ? 0 : sha256_of(h, digest, &api);
  CloseHandle(h);
  if (status) {
    char m[200];
    cfmt(m, sizeof m, "cannot compute the file's SHA-256: %s status 0x%08lX", api, (unsigned long)status);
    return request_error(r, status, api, m);
  }
  request_ok(r, 3);
  buf_int(r->reply, folder ? 0 : (int64_t)((uint64_t)info.nFileSizeHigh << 32 | info.nFileSizeLow));
  if (folder) buf_u8(r->reply, V_NULL);
  else buf_bytes(r->reply, digest, 32);
  buf_int(r->reply, info.dwFileAttributes);
  return 1;
}

int file_copy(request *r) {
  char expected[200];
  cfmt(expected, sizeof expected, "(string source, string destination, integer fail if exists 0 or 1; paths %s)", PATH_RULE);
  if (!arg_types(r, "ssi") || !arg_in_range(r, 2, 0, 1)) return bad_request(r, expected);
  wchar_t *from = arg_path(r, 0), *to = arg_path(r, 1);
  BOOL done = from && to ? CopyFileW(from, to, r->f->args.items[2].integer != 0) : FALSE;
  DWORD e = done ? 0 : GetLastError();
  int good = from && to;
  free(from);
  free(to);
  if (!good) return bad_request(r, expected);
  if (!done) return api_error(r, e, "CopyFileW", "cannot copy the file");
  request_ok(r, 0);
  return 1;
}

int file_move(request *r) {
  char expected[400];
  cfmt(expected, sizeof expected, "(string source, string destination or null, integer flags of MOVEFILE_REPLACE_EXISTING (1), "
       "MOVEFILE_DELAY_UNTIL_REBOOT (4) and MOVEFILE_WRITE_THROUGH (8); paths %s; null only with MOVEFILE_DELAY_UNTIL_REBOOT)", PATH_RULE);
  if (!arg_types(r, "sSi")) return bad_request(r, expected);
  int64_t flags = r->f->args.items[2].integer;
  if ((flags & MOVEFILE_COPY_ALLOWED) && (flags & MOVEFILE_DELAY_UNTIL_REBOOT))
    return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "MOVEFILE_COPY_ALLOWED cannot be combined with "
                         "MOVEFILE_DELAY_UNTIL_REBOOT: a boot-time move stays on one volume; copy the file next to its target first");
  if (flags < 0 || (flags & ~(int64_t)MOVE_FLAGS)) return bad_request(r, expected);
  int delete_at_boot = r->f->args.items[1].tag == V_NULL;
  if (delete_at_boot && !(flags & MOVEFILE_DELAY_UNTIL_REBOOT)) return bad_request(r, expected);
  wchar_t *from = arg_path(r, 0), *to = delete_at_boot ? NULL : arg_path(r, 1);
  int good = from && (to || delete_at_boot);
  BOOL done = good ? MoveFileExW(from, to, (DWORD)flags) : FALSE;
  DWORD e = done ? 0 : GetLastError();
  free(from);
  free(to);
  if (!good) return bad_request(r, expected);
  if (!done) return api_error(r, e, "MoveFileExW", flags & MOVEFILE_DELAY_UNTIL_REBOOT ? "cannot schedule the move" : "cannot move the file");
  request_ok(r, 0);
  return 1;
}

/* Files only: a folder, or a link (reparse point) to one, is refused with 336 before anything is
   deleted. A link to a file is deleted itself by DeleteFileW, never what it points to. */
int file_delete(request *r) {
  char expected[120];
  cfmt(expected, sizeof expected, "(string path %s)", PATH_RULE);
  wchar_t *path = arg_types(r, "s") ? arg_path(r, 0) : NULL;
  if (!path) return bad_request(r, expected);
  DWORD attributes = GetFileAttributesW(path);
  if (attributes != INVALID_FILE_ATTRIBUTES && (attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    free(path);
    return request_error(r, ERROR_DIRECTORY_NOT_SUPPORTED, "protocol", attributes & FILE_ATTRIBUTE_REPARSE_POINT
                         ? "FILE_DELETE deletes files only: the path is a link to a folder; nothing was deleted"
                         : "FILE_DELETE deletes files only: the path is a folder; nothing was deleted");
  }
  BOOL done = DeleteFileW(path);
  DWORD e = done ? 0 : GetLastError();
  free(path);
  if (!done) return api_error(r, e, "DeleteFileW", "cannot delete the file");
  request_ok(r, 0);
  return 1;
}

/* FOLDER_REMOVE: RemoveDirectoryW of an empty folder (145 when it is not empty: nothing is removed).
   A path that is a file is refused with 267 before anything is removed; a link (reparse point) to a
   folder is removed itself by RemoveDirectoryW, never what it points to. */
int folder_remove(request *r) {
  char expected[120];
  cfmt(expected, sizeof expected, "(string path %s)", PATH_RULE);
  wchar_t *path = arg_types(r, "s") ? arg_path(r, 0) : NULL;
  if (!path) return bad_request(r, expected);
  DWORD attributes = GetFileAttributesW(path);
  if (attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    free(path);
    return request_error(r, ERROR_DIRECTORY, "protocol", "FOLDER_REMOVE removes folders only: the path is a file; nothing was removed");
  }
  BOOL done = RemoveDirectoryW(path);
  DWORD e = done ? 0 : GetLastError();
  free(path);
  if (!done) return api_error(r, e, "RemoveDirectoryW", "cannot remove the folder");
  request_ok(r, 0);
  return 1;
}

/* "<path>.inuse-<16 hex>.tmp", beside the target so that the final move stays on its volume. */
static wchar_t *temporary_beside(const wchar_t *path, DWORD *e) {
  UCHAR random[8];
  size_t n = wcslen(path) + 32;
  wchar_t *tmp = n <= MAX_PATH_CHARS + 1 ? malloc(n * sizeof(wchar_t)) : NULL;
  *e = tmp ? 0 : n > MAX_PATH_CHARS + 1 ? ERROR_FILENAME_EXCED_RANGE : ERROR_OUTOFMEMORY;
  if (tmp && BCryptGenRandom(NULL, random, sizeof random, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) { *e = ERROR_GEN_FAILURE; free(tmp); return NULL; }
  if (tmp) wfmt(tmp, n, L"%ls.inuse-%02x%02x%02x%02x%02x%02x%02x%02x.tmp", path, random[0], random[1], random[2], random[3],
                random[4], random[5], random[6], random[7]);
  return tmp;
}

/* The bytes go to a new temporary file beside the target (CREATE_NEW, written, flushed), which then
   takes the target's name in one MoveFileExW with MOVEFILE_WRITE_THROUGH: with
   MOVEFILE_REPLACE_EXISTING for mode 2 (replace), without it for mode 1 (create new: an existing
   target fails with 183 and stays as it was). A reader never sees half a file; on any failure the
   temporary file is deleted and the target is untouched. */
int file_write(request *r) {
  char expected[200];
  cfmt(expected, sizeof expected, "(string path %s, bytes 0..%u, integer mode 1 create new or 2 replace)", PATH_RULE, FILE_WRITE_MAX);
  if (!arg_types(r, "sbi") || r->f->args.items[1].length > FILE_WRITE_MAX || !arg_in_range(r, 2, WRITE_CREATE_NEW, WRITE_REPLACE))
    return bad_request(r, expected);
  wchar_t *path = arg_path(r, 0);
  if (!path) return bad_request(r, expected);
  const value *bytes = &r->f->args.items[1];
  DWORD e = 0;
  const char *api = "CreateFileW";
  wchar_t *tmp = temporary_beside(path, &e);
  HANDLE h = tmp ? CreateFileW(tmp, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL) : INVALID_HANDLE_VALUE;
  if (tmp && h == INVALID_HANDLE_VALUE) e = GetLastError();
  if (h != INVALID_HANDLE_VALUE) {
    DWORD written = 0;
    if (bytes->length && (!WriteFile(h, bytes->data, bytes->length, &written, NULL) || written != bytes->length)) {
      api = "WriteFile";
      e = GetLastError() ? GetLastError() : ERROR_WRITE_FAULT;
    } else if (!FlushFileBuffers(h)) {
      api = "FlushFileBuffers";
      e = GetLastError();
    }
    CloseHandle(h);
    if (!e) {
      DWORD flags = MOVEFILE_WRITE_THROUGH | (r->f->args.items[2].integer == WRITE_REPLACE ? MOVEFILE_REPLACE_EXISTING : 0);
      api = "MoveFileExW";
      if (!MoveFileExW(tmp, path, flags)) e = GetLastError();
    }
    if (e) DeleteFileW(tmp);
  }
  free(tmp);
  free(path);
  if (e) return api_error(r, e, api, "cannot write the file");
  request_ok(r, 0);
  return 1;
}

static int separator(wchar_t c) {
  return c == L'\\' || c == L'/';
}

/* [integer remote 0 or 1, integer drive type or null, string root asked]. A UNC path ("\\server\share",
   "\\?\UNC\server\share", "\??\UNC\...") is remote by its syntax, with null for the drive type: no
   API is asked (Wine's GetDriveTypeW answers 1, DRIVE_NO_ROOT_DIR, for one). A drive path ("C:\...",
   "\\?\C:\...") is remote when GetDriveTypeW of its root ("C:\") answers DRIVE_REMOTE (4). */
int path_remote(request *r) {
  const char *expected = "(string path: a drive path (C:\\...), \\\\?\\C:\\..., or a UNC path (\\\\server\\share, \\\\?\\UNC\\...); "
                         "without NUL, at most 32767 characters)";
  wchar_t *path = arg_types(r, "s") ? arg_path(r, 0) : NULL;
  if (!path) return bad_request(r, expected);
  const wchar_t *p = path;
  int unc = 0;
  if (wcsncmp(p, L"\\\\?\\", 4) == 0) {
    p += 4;
    unc = _wcsnicmp(p, L"UNC\\", 4) == 0;
  } else if (separator(p[0]) && separator(p[1])) {
    /* "\\.\" is a device path and "\\?\" was taken above: anything else after two separators is a server */
    unc = p[2] && !separator(p[2]) && !((p[2] == L'.' || p[2] == L'?') && (separator(p[3]) || !p[3]));
    if (!unc) { free(path); return bad_request(r, expected); }
  }
  wchar_t root[4] = L"";
  if (!unc) {
    if (!iswalpha(p[0]) || p[1] != L':' || !separator(p[2])) { free(path); return bad_request(r, expected); }
    wfmt(root, 4, L"%lc:\\", p[0]);
  }
  free(path);
  request_ok(r, 3);
  if (unc) {
    buf_int(r->reply, 1);
    buf_u8(r->reply, V_NULL);
    buf_wstring(r->reply, L"UNC");
    return 1;
  }
  UINT type = GetDriveTypeW(root);
  buf_int(r->reply, type == DRIVE_REMOTE ? 1 : 0);
  buf_int(r->reply, type);
  buf_wstring(r->reply, root);
  return 1;
}
