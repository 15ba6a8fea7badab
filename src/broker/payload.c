/* The engine (and, when the build embedded one, a Java runtime) travel inside this DLL as the
   resource INUSE_PAK (docs/pak.md). Windows Installer gives a deferred action no access to the
   database, so the payload sits in the DLL itself, as DTF's SfxCA does with its cabinet.
   Extraction: a folder with a random name, created atomically (never reused), with an explicit
   Administrators+SYSTEM DACL when the action runs elevated or as SYSTEM, else in the user's own
   profile; every file's SHA-256, recorded at build time, is checked on disk before use; the folder
   is removed when the action ends, without following reparse points (CVE-2024-29188). */
#include "broker.h"
#include <bcrypt.h>
#include <sddl.h>
#include <shlobj.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#define PAK_MAGIC "INUSEPAK"
#define ADMIN_ONLY_SDDL L"D:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)"

int running_elevated(void) {
  HANDLE token;
  TOKEN_ELEVATION elevation = { 0 };
  DWORD size = 0;
  if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &token) &&
      !OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return 1; /* unknown: take the strict path */
  BOOL ok = GetTokenInformation(token, TokenElevation, &elevation, sizeof elevation, &size);
  CloseHandle(token);
  return !ok || elevation.TokenIsElevated;
}

/* Creates <base>\inuse-<32 random hex>; fails rather than reuse an existing folder. */
static int create_folder(const wchar_t *base, int admin_only, wchar_t *out, wchar_t *why, size_t why_size) {
  SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, FALSE };
  if (admin_only && !ConvertStringSecurityDescriptorToSecurityDescriptorW(ADMIN_ONLY_SDDL, SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL)) {
    wfmt(why, why_size, L"ConvertStringSecurityDescriptorToSecurityDescriptorW failed (error %lu)", GetLastError());
    return 0;
  }
  int created = 0;
  for (int attempt = 0; attempt < 8 && !created; attempt++) {
    UCHAR random[16];
    if (BCryptGenRandom(NULL, random, sizeof random, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) {
      wfmt(why, why_size, L"BCryptGenRandom failed");
      break;
    }
    if (!wfmt(out, MAX_PATH - 40, L"%ls\\inuse-", base)) { wfmt(why, why_size, L"the folder %ls is too deep for an extraction folder", base); break; }
    size_t n = wcslen(out);
    for (int i = 0; i < 16; i++, n += 2) wfmt(out + n, 3, L"%02x", random[i]);
    out[n] = 0;
    if (CreateDirectoryW(out, sa.lpSecurityDescriptor ? &sa : NULL)) created = 1;
    else if (GetLastError() != ERROR_ALREADY_EXISTS) {
      wfmt(why, why_size, L"cannot create the extraction folder %ls (CreateDirectoryW error %lu)", out, GetLastError());
      break;
    }
  }
  if (sa.lpSecurityDescriptor) LocalFree(sa.lpSecurityDescriptor);
  if (!created && !why[0]) wfmt(why, why_size, L"no fresh extraction folder name under %ls after 8 attempts", base);
  return created;
}

static int sha256_of_file(const wchar_t *path, UCHAR digest[32]) {
  BCRYPT_ALG_HANDLE alg = NULL;
  BCRYPT_HASH_HANDLE hash = NULL;
  int ok = 0;
  HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, NULL);
  if (h == INVALID_HANDLE_VALUE) return 0;
  if (BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL, 0) == 0 &&
      BCryptCreateHash(alg, &hash, NULL, 0, NULL, 0, 0) == 0) {
    static UCHAR chunk[65536];
    DWORD n;
    ok = 1;
    while (ok && ReadFile(h, chunk, sizeof chunk, &n, NULL) && n > 0) ok = BCryptHashData(hash, chunk, n, 0) == 0;
    ok = ok && BCryptFinishHash(hash, digest, 32, 0) == 0;
  }
  if (hash) BCryptDestroyHash(hash);
  if (alg) BCryptCloseAlgorithmProvider(alg, 0);
  CloseHandle(h);
  return ok;
}

/* A relative path of the pak: '/'-separated names, none empty, "." or "..", no ':' or '\'. */
static int safe_relative(const char *path, size_t n) {
  if (n == 0 || path[0] == '/') return 0;
  size_t start = 0;
  for (size_t i = 0; i <= n; i++) {
    if (i == n || path[i] == '/') {
      size_t len = i - start;
      if (len == 0 || (len == 1 && path[start] == '.') || (len == 2 && path[start] == '.' && path[start + 1] == '.')) return 0;
      start = i + 1;
    } else if (path[i] == ':' || path[i] == '\\' || (unsigned char)path[i] < 0x20) {
      return 0;
    }
  }
  return 1;
}

static int write_entry(const wchar_t *folder, const char *name, size_t name_len, const BYTE *data, uint64_t size,
                       const BYTE *expected, int *is_runtime, wchar_t *why, size_t why_size) {
  wchar_t path[MAX_PATH];
  int n = wfmt(path, MAX_PATH, L"%ls\\", folder) ? (int)wcslen(path) : -1;
  if (n >= MAX_PATH - 1) n = -1;   /* no room for a name: MultiByteToWideChar with 0 room would only measure */
  int w = n < 0 ? 0 : MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, (int)name_len, path + n, MAX_PATH - n - 1);
  if (n < 0 || w <= 0) { wfmt(why, why_size, L"pak entry name is not valid UTF-8 or too long"); return 0; }
  path[n + w] = 0;
  for (wchar_t *p = path + n; *p; p++) {
    if (*p == L'/') { *p = 0; CreateDirectoryW(path, NULL); *p = L'\\'; }
  }
  *is_runtime |= name_len > 8 && memcmp(name, "runtime/", 8) == 0;
  HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) { wfmt(why, why_size, L"cannot create %ls (CreateFileW error %lu)", path, GetLastError()); return 0; }
  uint64_t done = 0;
  while (done < size) {
    DWORD chunk = size - done > (1u << 20) ? (1u << 20) : (DWORD)(size - done), written = 0;
    if (!WriteFile(h, data + done, chunk, &written, NULL) || written == 0) break;
    done += written;
  }
  CloseHandle(h);
  if (done != size) { wfmt(why, why_size, L"cannot write %ls (WriteFile error %lu)", path, GetLastError()); return 0; }
  UCHAR digest[32];
  if (!sha256_of_file(path, digest) || memcmp(digest, expected, 32) != 0) {
    wfmt(why, why_size, L"extracted file %ls does not match the SHA-256 recorded at build time: "
               L"the package is damaged or was altered; rebuild or re-download it", path);
    return 0;
  }
  return 1;
}

static const wchar_t *extraction_base(int elevated, wchar_t *base) {
  if (elevated) {
    UINT n = GetWindowsDirectoryW(base, MAX_PATH - 16);
    if (n == 0 || n >= MAX_PATH - 16) return NULL;
    wcscat(base, L"\\Installer");
    return base;
  }
  PWSTR local = NULL;
  if (SHGetKnownFolderPath(&FOLDERID_LocalAppData, 0, NULL, &local) != S_OK) return NULL;
  wfmt(base, MAX_PATH, L"%ls\\Temp", local);
  base[MAX_PATH - 1] = 0;
  CoTaskMemFree(local);
  CreateDirectoryW(base, NULL);
  return base;
}

int payload_extract(MSIHANDLE session, HMODULE self, payload *p, wchar_t *why, size_t why_size) {
  memset(p, 0, sizeof *p);
  HRSRC res = FindResourceW(self, L"INUSE_PAK", (LPCWSTR)RT_RCDATA);
  HGLOBAL loaded = res ? LoadResource(self, res) : NULL;
  const BYTE *pak = loaded ? LockResource(loaded) : NULL;
  DWORD size = res ? SizeofResource(self, res) : 0;
  if (!pak || size < 16 || memcmp(pak, PAK_MAGIC, 8) != 0 || *(const uint32_t *)(pak + 8) != 1) {
    wfmt(why, why_size, L"this DLL carries no valid INUSE_PAK resource: it was not built by the inuse build");
    return 0;
  }
  int elevated = running_elevated();
  wchar_t base[MAX_PATH];
  if (!extraction_base(elevated, base)) { wfmt(why, why_size, L"cannot find a folder to extract the engine into"); return 0; }
  if (!create_folder(base, elevated, p->folder, why, why_size)) { p->folder[0] = 0; return 0; }
  if (elevated) {
    int acl = admin_only(p->folder, 1, why, why_size);
    if (acl == 0) return 0;
    if (acl < 0) log_line(session, L"cannot verify that %ls is writable by Administrators and SYSTEM only: "
                          L"this platform (Wine) keeps no DACL; on Windows this check fails the action", p->folder);
    why[0] = 0;
  }
  uint32_t count = *(const uint32_t *)(pak + 12);
  size_t at = 16;
  for (uint32_t i = 0; i < count; i++) {
    if (size - at < 2) goto malformed;
    size_t name_len = pak[at] | pak[at + 1] << 8;
    if (size - at - 2 < name_len + 8 + 32) goto malformed;
    const char *name = (const char *)pak + at + 2;
    uint64_t entry_size;
    memcpy(&entry_size, pak + at + 2 + name_len, 8);
    const BYTE *digest = pak + at + 2 + name_len + 8;
    size_t data_at = at + 2 + name_len + 8 + 32;
    if (!safe_relative(name, name_len) || entry_size > size - data_at) goto malformed;
    if (!write_entry(p->folder, name, name_len, pak + data_at, entry_size, digest, &p->has_runtime, why, why_size)) return 0;
    at = data_at + (size_t)entry_size;
  }
  if (at != size) goto malformed;
  return 1;
malformed:
  wfmt(why, why_size, L"the INUSE_PAK resource of this DLL is malformed at byte %lu: the package is damaged", (unsigned long)at);
  return 0;
}

void payload_remove(MSIHANDLE session, payload *p) {
  if (p->folder[0] && !delete_tree(p->folder))
    log_line(session, L"could not remove the extraction folder %ls completely (error %lu)", p->folder, GetLastError());
  p->folder[0] = 0;
}
