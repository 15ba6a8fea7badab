/* trusttest: the runtime trust check of the broker (src/broker/trust.c, runtime.c) under Wine.
   TEST SCAFFOLDING ONLY, never packaged; RuntimeTrustIT builds and runs it.

     trusttest table <file>   the pure verdict (sd_verdict) over security descriptors written in
                              SDDL. Each line of the UTF-8 file: <kind> TAB <SDDL> [TAB <edit>]...
                              kind: file, folder, ancestor, admin-only (TRUST_RUNTIME_FILE, ...).
                              Prints one line per case: "case <n>: trusted",
                              "case <n>: untrusted: <reason>" or "case <n>: error: <what>".
     trusttest hold <home>    runtime_check and runtime_trust on a runtime folder, then tries to
                              rename, overwrite, start and load what is held, releases it, and tries
                              the rename again; one fact per line (see hold()).
     trusttest child          exits with 42: the stand-in bin\java.exe of the hold test.

   Edits build what Wine's SDDL parser does not take (measured, Wine 8: it refuses "OA", "XA" and
   "ZA" ACEs with error 1705, and turns D:NO_ACCESS_CONTROL into an empty DACL instead of a NULL
   one). Each rewrites one ACE, given as an allow ACE in the SDDL, in the binary DACL:
     nulldacl                 the descriptor gets a NULL DACL
     ace<i>=callback          ACE i becomes ACCESS_ALLOWED_CALLBACK (0x9), 4 bytes of application data
     ace<i>=object<f>         ACCESS_ALLOWED_OBJECT (0x5) with Flags f (1 object type GUID, 2
                              inherited object type GUID, 3 both), the SID after the GUIDs
     ace<i>=callbackobject<f> ACCESS_ALLOWED_CALLBACK_OBJECT (0xB), the same plus application data
     ace<i>=compound          ACCESS_ALLOWED_COMPOUND (0x4): server SID SYSTEM, client the ACE's SID
     ace<i>=type<hex>         only the AceType byte is changed (an unknown type, say)
   Build: x86_64-w64-mingw32-gcc -municode -O2 -Wall -Werror -o trusttest.exe trusttest.c
          ../broker/trust.c ../broker/runtime.c ../broker/msilog.c -lmsi -ladvapi32 */
#include "../broker/broker.h"
#include <sddl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static void out(const wchar_t *fmt, ...) {
  wchar_t text[4096];
  char utf8[12288];
  va_list args;
  va_start(args, fmt);
  _vsnwprintf(text, 4095, fmt, args);
  va_end(args);
  text[4095] = 0;
  int n = WideCharToMultiByte(CP_UTF8, 0, text, -1, utf8, sizeof utf8, NULL, NULL);
  if (n > 0) fputs(utf8, stdout);
  fputs("\n", stdout);
  fflush(stdout);
}

static const GUID some_guid = { 0xbf967aba, 0x0de6, 0x11d0, { 0xa2, 0x85, 0x00, 0xaa, 0x00, 0x30, 0x49, 0xe2 } };

/* Rewrites ACE `index` of an allow ACE (type 0) as `form` into out; its new size, 0 on error. */
static size_t rewrite_ace(const ACE_HEADER *ace, const wchar_t *form, BYTE *out) {
  const BYTE *p = (const BYTE *)ace;
  PSID sid = (PSID)(p + 8);
  DWORD sid_size = GetLengthSid(sid), flags = 0;
  size_t n = 8;
  memcpy(out, p, 8);   /* header and mask */
  if (wcsncmp(form, L"type", 4) == 0) {
    memcpy(out, p, ace->AceSize);
    out[0] = (BYTE)wcstoul(form + 4, NULL, 16);
    return ace->AceSize;
  }
  if (ace->AceType != ACCESS_ALLOWED_ACE_TYPE) return 0;
  if (wcscmp(form, L"compound") == 0) {
    PSID system = NULL;
    if (!ConvertStringSidToSidW(L"S-1-5-18", &system)) return 0;
    out[0] = ACCESS_ALLOWED_COMPOUND_ACE_TYPE;
    USHORT compound[2] = { 1 /* COMPOUND_ACE_IMPERSONATION */, 0 };
    memcpy(out + n, compound, 4);
    n += 4;
    memcpy(out + n, system, GetLengthSid(system));
    n += GetLengthSid(system);
    LocalFree(system);
  } else if (wcsncmp(form, L"object", 6) == 0 || wcsncmp(form, L"callbackobject", 14) == 0) {
    int callback = form[0] == L'c';
    out[0] = callback ? ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE : ACCESS_ALLOWED_OBJECT_ACE_TYPE;
    flags = wcstoul(form + (callback ? 14 : 6), NULL, 10);
    memcpy(out + n, &flags, 4);
    n += 4;
    if (flags & ACE_OBJECT_TYPE_PRESENT) { memcpy(out + n, &some_guid, 16); n += 16; }
    if (flags & ACE_INHERITED_OBJECT_TYPE_PRESENT) { memcpy(out + n, &some_guid, 16); n += 16; }
  } else if (wcscmp(form, L"callback") == 0) {
    out[0] = ACCESS_ALLOWED_CALLBACK_ACE_TYPE;
  } else {
    return 0;
  }
  memcpy(out + n, sid, sid_size);
  n += sid_size;
  if (out[0] == ACCESS_ALLOWED_CALLBACK_ACE_TYPE || out[0] == ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE) {
    memcpy(out + n, "artx", 4);   /* application data, as a conditional ACE starts its own */
    n += 4;
  }
  ((ACE_HEADER *)out)->AceSize = (WORD)n;
  return n;
}

/* The descriptor of one table line, edits applied: an absolute descriptor whose parts live in
   *parts (free both with free and LocalFree as noted), or NULL with a reason. */
typedef struct built { SECURITY_DESCRIPTOR absolute; PSECURITY_DESCRIPTOR parsed; BYTE *acl; } built;

static PSECURITY_DESCRIPTOR build(wchar_t *sddl, wchar_t **edits, int edit_count, built *b, wchar_t *why, size_t why_size) {
  memset(b, 0, sizeof *b);
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &b->parsed, NULL)) {
    wfmt(why, why_size, L"SDDL not converted (error %lu)", GetLastError());
    return NULL;
  }
  if (edit_count == 0) return b->parsed;
  PSID owner = NULL, group = NULL;
  PACL dacl = NULL;
  BOOL present = FALSE, defaulted;
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision;
  GetSecurityDescriptorOwner(b->parsed, &owner, &defaulted);
  GetSecurityDescriptorGroup(b->parsed, &group, &defaulted);
  GetSecurityDescriptorDacl(b->parsed, &present, &dacl, &defaulted);
  GetSecurityDescriptorControl(b->parsed, &control, &revision);
  InitializeSecurityDescriptor(&b->absolute, SECURITY_DESCRIPTOR_REVISION);
  SetSecurityDescriptorOwner(&b->absolute, owner, FALSE);
  SetSecurityDescriptorGroup(&b->absolute, group, FALSE);
  SetSecurityDescriptorControl(&b->absolute, SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED, control & (SE_DACL_PROTECTED | SE_DACL_AUTO_INHERITED));
  if (wcscmp(edits[0], L"nulldacl") == 0) {
    SetSecurityDescriptorDacl(&b->absolute, TRUE, NULL, FALSE);
    return &b->absolute;
  }
  if (!dacl) { wfmt(why, why_size, L"no DACL to edit"); return NULL; }
  b->acl = calloc(1, 65536);
  size_t at = sizeof(ACL), from = sizeof(ACL);
  for (WORD i = 0; i < dacl->AceCount; i++) {
    const ACE_HEADER *ace = (const ACE_HEADER *)((const BYTE *)dacl + from);
    const wchar_t *form = NULL;
    for (int e = 0; e < edit_count; e++) {
      wchar_t *eq = wcschr(edits[e], L'=');
      if (eq && wcsncmp(edits[e], L"ace", 3) == 0 && _wtoi(edits[e] + 3) == i) form = eq + 1;
    }
    size_t n = form ? rewrite_ace(ace, form, b->acl + at) : ace->AceSize;
    if (!form) memcpy(b->acl + at, ace, n);
    if (n == 0) { wfmt(why, why_size, L"edit %ls of ACE %u is not possible", form, i); return NULL; }
    at += n;
    from += ace->AceSize;
  }
  ACL *acl = (ACL *)b->acl;
  acl->AclRevision = ACL_REVISION_DS;
  acl->AclSize = (WORD)at;
  acl->AceCount = dacl->AceCount;
  SetSecurityDescriptorDacl(&b->absolute, TRUE, acl, FALSE);
  return &b->absolute;
}

static int kind_of(const wchar_t *name) {
  static const wchar_t *const names[] = { L"file", L"folder", L"ancestor", L"admin-only" };
  for (int i = 0; i < 4; i++) {
    if (wcscmp(name, names[i]) == 0) return TRUST_RUNTIME_FILE + i;
  }
  return 0;
}

static int table(const wchar_t *file) {
  FILE *f = _wfopen(file, L"rb");
  if (!f) { out(L"cannot open %ls", file); return 2; }
  char line[8192];
  wchar_t wide[8192], why[1024];
  for (int n = 1; fgets(line, sizeof line, f); n++) {
    line[strcspn(line, "\r\n")] = 0;
    if (!MultiByteToWideChar(CP_UTF8, 0, line, -1, wide, 8192)) { out(L"case %d: error: not UTF-8", n); continue; }
    wchar_t *fields[16];
    int count = 0;
    for (wchar_t *t = wide; t && count < 16; ) {   /* split on tabs */
      fields[count++] = t;
      t = wcschr(t, L'\t');
      if (t) *t++ = 0;
    }
    int kind = count >= 2 ? kind_of(fields[0]) : 0;
    if (!kind) { out(L"case %d: error: expected <kind> TAB <SDDL>", n); continue; }
    built b;
    PSECURITY_DESCRIPTOR sd = build(fields[1], fields + 2, count - 2, &b, why, 1024);
    if (!sd) out(L"case %d: error: %ls", n, why);
    else if (sd_verdict(sd, kind, why, 1024)) out(L"case %d: trusted", n);
    else out(L"case %d: untrusted: %ls", n, why);
    if (b.parsed) LocalFree(b.parsed);
    free(b.acl);
  }
  fclose(f);
  return 0;
}

/* Renames path aside and back: "done", or the error of the first rename. */
static void try_rename(const wchar_t *label, const wchar_t *path) {
  wchar_t aside[MAX_PATH];
  wfmt(aside, MAX_PATH, L"%ls.aside", path);
  if (!MoveFileExW(path, aside, 0)) { out(L"rename %ls: error %lu", label, GetLastError()); return; }
  BOOL back = MoveFileExW(aside, path, 0);
  out(L"rename %ls: done%ls", label, back ? L"" : L" (and NOT moved back)");
}

static void try_write(const wchar_t *label, const wchar_t *path) {
  HANDLE h = CreateFileW(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE) { out(L"write %ls: error %lu", label, GetLastError()); return; }
  CloseHandle(h);
  out(L"write %ls: done", label);
}

static int hold(const wchar_t *home) {
  runtime rt;
  wchar_t why[1024] = L"", path[MAX_PATH], parent[MAX_PATH];
  if (!runtime_check(home, &rt, why, 1024)) { out(L"check: %ls", why); return 1; }
  out(L"check: ok %ls", rt.home);
  int trust = runtime_trust(&rt, why, 1024);
  out(L"trust=%d held=%lu", trust, (unsigned long)rt.held_count);
  if (why[0]) out(L"why=%ls", why);
  if (!trust) return 0;
  wfmt(parent, MAX_PATH, L"%ls", rt.home);
  *wcsrchr(parent, L'\\') = 0;
  try_rename(L"bin\\java.exe", rt.java);
  try_rename(L"home", rt.home);
  try_rename(L"parent", parent);
  try_write(L"bin\\java.exe", rt.java);
  wfmt(path, MAX_PATH, L"%ls\\lib\\modules", rt.home);
  try_write(L"lib\\modules", path);
  STARTUPINFOW si;
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  PROCESS_INFORMATION pi;
  wchar_t command[] = L"java.exe child";
  if (CreateProcessW(rt.java, command, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) {
    DWORD code = 0;
    WaitForSingleObject(pi.hProcess, 60000);
    GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    out(L"start bin\\java.exe: exit %lu", code);
  } else {
    out(L"start bin\\java.exe: error %lu", GetLastError());
  }
  wfmt(path, MAX_PATH, L"%ls\\bin\\server\\jvm.dll", rt.home);
  HMODULE jvm = LoadLibraryW(path);
  FARPROC probe = jvm ? GetProcAddress(jvm, "jvm_probe") : NULL;
  if (probe) out(L"load bin\\server\\jvm.dll: jvm_probe()=%d", ((int (*)(void))(void (*)(void))probe)());
  else out(L"load bin\\server\\jvm.dll: error %lu", GetLastError());
  if (jvm) FreeLibrary(jvm);
  runtime_release(&rt);
  out(L"released held=%lu", (unsigned long)rt.held_count);
  try_rename(L"bin\\java.exe", rt.java);
  try_rename(L"home", rt.home);
  return 0;
}

int wmain(int argc, wchar_t **argv) {
  if (argc == 2 && wcscmp(argv[1], L"child") == 0) return 42;
  if (argc == 3 && wcscmp(argv[1], L"table") == 0) return table(argv[2]);
  if (argc == 3 && wcscmp(argv[1], L"hold") == 0) return hold(argv[2]);
  out(L"usage: trusttest table <file> | hold <runtime home> | child");
  return 2;
}
