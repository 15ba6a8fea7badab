/* The security requests of docs/protocol.md (ops 28, 32, 34): SECURE_FOLDER (CreateDirectoryW with an
   admin-only security descriptor, or the check of an existing folder by trust.c's admin_only),
   CHECK_INSTALLED (the check of a folder Windows Installer made: nobody else may change it) and
   SFC_PROTECTED (SfcIsFileProtected, Windows Resource Protection). Which folder must be secure, and
   what to do with a protected file, is the engine's. */
#include "broker.h"
#include <aclapi.h>
#include <sddl.h>
#include <stdlib.h>
#include <wchar.h>

/* Owner Administrators; a protected DACL (no inheritance from the parent) granting full control to
   Administrators and SYSTEM, inherited by files and subfolders: the extraction folder's DACL
   (payload.c) with its owner stated. */
#define SECURE_SDDL L"O:BAD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)"
enum { FOLDER_CREATED = 1, FOLDER_EXISTED_SECURE, FOLDER_NOT_SECURE, FOLDER_CANNOT_ANSWER };

/* The owner and DACL of a path as SDDL, read from a handle of the path itself (not a link's
   target); "" and a reason in why when they cannot be read. */
static void sddl_of(const wchar_t *path, wchar_t *out, size_t size, wchar_t *why, size_t why_size) {
  out[0] = 0;
  HANDLE h = CreateFileW(path, READ_CONTROL, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING,
                         FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
  if (h == INVALID_HANDLE_VALUE) { wfmt(why, why_size, L"cannot open it to read its security (CreateFileW error %lu)", GetLastError()); return; }
  PSECURITY_DESCRIPTOR sd = NULL;
  LPWSTR text = NULL;
  DWORD rc = GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, NULL, NULL, NULL, NULL, &sd);
  CloseHandle(h);
  if (rc != ERROR_SUCCESS) { wfmt(why, why_size, L"cannot read its security (GetSecurityInfo error %lu)", rc); return; }
  if (ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                                           &text, NULL)) {
    wfmt(out, size, L"%ls", text);
    LocalFree(text);
  } else {
    wfmt(why, why_size, L"cannot convert its security descriptor to SDDL (error %lu)", GetLastError());
  }
  LocalFree(sd);
}

/* [integer state, string SDDL read back ("" when unreadable), string reason ("" when none)]: state
   1 created now with SECURE_SDDL, 2 existed with an owner and DACL that pass, 3 not secure (the
   reason says why; also a folder created now that does not read back as created, on Windows), 4 it
   existed and this platform cannot answer (Wine keeps no DACL). A folder created under Wine is 1,
   with the reason saying that its DACL cannot be read back. The parent must exist: one folder is
   created, never its parents (error 3), so that no folder gets a DACL that the engine did not ask
   for. A file at the path: error 267. */
int secure_folder(request *r) {
  const char *expected = "(string folder path, non-empty, without NUL, at most 32767 characters)";
  wchar_t *path = arg_types(r, "s") ? arg_path(r, 0) : NULL;
  if (!path) return bad_request(r, expected);
  int created = 0;
  DWORD attributes = GetFileAttributesW(path);
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, FALSE };
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(SECURE_SDDL, SDDL_REVISION_1, &sa.lpSecurityDescriptor, NULL)) {
      DWORD e = GetLastError();
      free(path);
      return api_error(r, e, "ConvertStringSecurityDescriptorToSecurityDescriptorW", "cannot make the folder's security descriptor");
    }
    BOOL done = CreateDirectoryW(path, &sa);
    DWORD e = done ? 0 : GetLastError();
    LocalFree(sa.lpSecurityDescriptor);
    if (!done && e != ERROR_ALREADY_EXISTS) {
      free(path);
      return api_error(r, e, "CreateDirectoryW", e == ERROR_PATH_NOT_FOUND
                       ? "cannot create the folder: its parent does not exist (SECURE_FOLDER creates one folder, not its parents)"
                       : "cannot create the folder");
    }
    created = done;
    attributes = GetFileAttributesW(path);
  }
  if (attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    free(path);
    return request_error(r, ERROR_DIRECTORY, "GetFileAttributesW", "the path is a file, not a folder: nothing was changed");
  }
  wchar_t why[1024] = L"", sddl[2048], unread[300] = L"";
  int verdict = admin_only(path, 1, why, 1024);
  sddl_of(path, sddl, 2048, unread, 300);
  free(path);
  int state = verdict > 0 ? (created ? FOLDER_CREATED : FOLDER_EXISTED_SECURE)
            : verdict < 0 ? (created ? FOLDER_CREATED : FOLDER_CANNOT_ANSWER) : FOLDER_NOT_SECURE;
  wchar_t reason[1500] = L"";
  if (verdict < 0)
    wfmt(reason, 1500, L"%ls with %ls, but this platform (Wine) keeps no DACL, so its owner and DACL cannot be verified: %ls",
         created ? L"created" : L"it exists; it would have been created", SECURE_SDDL, why);
  else if (verdict == 0)
    wfmt(reason, 1500, L"%ls%ls", created ? L"created, but it does not read back as created: " : L"", why);
  if (unread[0]) wfmt(reason + wcslen(reason), 1500 - wcslen(reason), L"%ls%ls", reason[0] ? L"; " : L"", unread);
  request_ok(r, 3);
  buf_int(r->reply, state);
  buf_wstring(r->reply, sddl);
  buf_wstring(r->reply, reason);
  return 1;
}

/* [integer state, string SDDL read back, string reason]: an existing file or folder that another
   installer (Windows Installer) made, checked, never created or changed: state 2 when nobody but
   Administrators, SYSTEM and TrustedInstaller owns it or may change it (trust.c: a folder by
   TRUST_RUNTIME_FOLDER, no adding, writing, deleting children or re-permissioning; a file by
   TRUST_RUNTIME_FILE, no writing, deleting or re-permissioning; reading is fine, as in Program
   Files), 3 not (the reason names the ACE or owner), 4 the platform cannot answer (Wine keeps no
   DACL). A missing path is error 2 or 3 (api GetFileAttributesW). */
int check_installed(request *r) {
  const char *expected = "(string file or folder path, non-empty, without NUL, at most 32767 characters)";
  wchar_t *path = arg_types(r, "s") ? arg_path(r, 0) : NULL;
  if (!path) return bad_request(r, expected);
  DWORD attributes = GetFileAttributesW(path);
  if (attributes == INVALID_FILE_ATTRIBUTES) {
    DWORD e = GetLastError();
    free(path);
    return api_error(r, e, "GetFileAttributesW", "the file or folder does not exist");
  }
  wchar_t why[1024] = L"", sddl[2048], unread[300] = L"";
  HANDLE held;
  int verdict = hold_checked(path, (attributes & FILE_ATTRIBUTE_DIRECTORY) ? TRUST_RUNTIME_FOLDER : TRUST_RUNTIME_FILE, &held, why, 1024);
  if (verdict) CloseHandle(held);
  sddl_of(path, sddl, 2048, unread, 300);
  free(path);
  wchar_t reason[1500] = L"";
  if (verdict < 0) wfmt(reason, 1500, L"this platform (Wine) keeps no DACL, so its owner and DACL cannot be verified: %ls", why);
  else if (verdict == 0) wfmt(reason, 1500, L"%ls", why);
  if (unread[0]) wfmt(reason + wcslen(reason), 1500 - wcslen(reason), L"%ls%ls", reason[0] ? L"; " : L"", unread);
  request_ok(r, 3);
  buf_int(r->reply, verdict > 0 ? FOLDER_EXISTED_SECURE : verdict < 0 ? FOLDER_CANNOT_ANSWER : FOLDER_NOT_SECURE);
  buf_wstring(r->reply, sddl);
  buf_wstring(r->reply, reason);
  return 1;
}

typedef BOOL (WINAPI *sfc_is_file_protected)(HANDLE, LPCWSTR);

/* [integer 1 protected, 0 not]. sfc.dll is loaded by its full path in the system folder at the
   first request, not imported: a broker that cannot load it still serves every other request.
   Wine 8's SfcIsFileProtected is a stub that answers FALSE (error 2) for every file. */
int sfc_protected(request *r) {
  static sfc_is_file_protected is_protected;
  const char *expected = "(string full path, non-empty, without NUL, at most 32767 characters)";
  wchar_t *path = arg_types(r, "s") ? arg_path(r, 0) : NULL;
  if (!path) return bad_request(r, expected);
  if (!is_protected) {
    wchar_t dll[MAX_PATH];
    UINT n = GetSystemDirectoryW(dll, MAX_PATH);
    HMODULE m = n && wfmt(dll + n, MAX_PATH - n, L"\\sfc.dll") ? LoadLibraryW(dll) : NULL;
    if (!m) { DWORD e = GetLastError(); free(path); return api_error(r, e ? e : ERROR_FILENAME_EXCED_RANGE, "LoadLibraryW", "cannot load sfc.dll"); }
    is_protected = (sfc_is_file_protected)(void (*)(void))GetProcAddress(m, "SfcIsFileProtected");
    if (!is_protected) { DWORD e = GetLastError(); FreeLibrary(m); free(path); return api_error(r, e, "GetProcAddress", "sfc.dll has no SfcIsFileProtected"); }
  }
  BOOL answer = is_protected(NULL, path);
  free(path);
  request_ok(r, 1);
  buf_int(r->reply, answer ? 1 : 0);
  return 1;
}
