/* Whether a file or folder may be trusted by a process that runs elevated or as SYSTEM: nobody but
   Administrators, SYSTEM and TrustedInstaller may own it, or change it in a way that matters for
   what it is (docs/runtime.md, "When the action runs elevated or as SYSTEM"). Two layers:
     sd_verdict    a pure function over a security descriptor, unit-tested from SDDL strings
                   (src/testtools/trusttest.c, RuntimeTrustIT; Wine converts SDDL like Windows);
     hold_checked  opens a path itself, refuses a reparse point, reads the descriptor from the
                   handle and keeps the handle open without FILE_SHARE_DELETE, so that what was
                   checked cannot be renamed or replaced until the caller closes it.
   Under Wine, which keeps no DACL (every file reads back owned by the Unix user), the live answer
   means nothing: hold_checked then says -1, "cannot answer", instead of "no", and still holds the
   handle; the caller logs it. On Windows a "no" fails the action. */
#include "broker.h"
#include <aclapi.h>
#include <sddl.h>
#include <string.h>
#include <wchar.h>

#define TRUSTED_INSTALLER_SID L"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

int on_wine(void) {
  return GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != NULL;
}

/* The rights that let their holder change what an elevated process would run, per kind, after
   generic rights are mapped to file rights (GENERIC_ALL is FILE_ALL_ACCESS, GENERIC_WRITE is
   FILE_GENERIC_WRITE). On a folder FILE_WRITE_DATA is FILE_ADD_FILE and FILE_APPEND_DATA is
   FILE_ADD_SUBDIRECTORY: a DLL planted beside java.exe would be loaded, so a runtime folder allows
   neither; a folder above the runtime may let users add entries (C:\ lets Authenticated Users
   create folders), as long as they cannot delete, rename or re-permission what is there. */
#define FILE_CHANGE (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | DELETE | WRITE_DAC | WRITE_OWNER)
static const ACCESS_MASK forbidden[] = {
  [TRUST_RUNTIME_FILE] = FILE_CHANGE,
  [TRUST_RUNTIME_FOLDER] = FILE_CHANGE | FILE_DELETE_CHILD,
  [TRUST_ANCESTOR_FOLDER] = DELETE | FILE_DELETE_CHILD | WRITE_DAC | WRITE_OWNER,
  [TRUST_ADMIN_ONLY] = 0xFFFFFFFF,   /* any grant at all to anyone but Administrators and SYSTEM */
};
/* Refused at every level: the system maps generic rights when it stores a DACL, so a generic bit
   (or MAXIMUM_ALLOWED) left in an ACE that applies to the object was put there by hand. */
#define ALWAYS_FORBIDDEN (GENERIC_WRITE | GENERIC_ALL | MAXIMUM_ALLOWED)

static ACCESS_MASK mapped(ACCESS_MASK mask) {
  if (mask & GENERIC_READ) mask |= FILE_GENERIC_READ;
  if (mask & GENERIC_WRITE) mask |= FILE_GENERIC_WRITE;
  if (mask & GENERIC_EXECUTE) mask |= FILE_GENERIC_EXECUTE;
  if (mask & GENERIC_ALL) mask |= FILE_ALL_ACCESS;
  return mask;
}

static const struct { ACCESS_MASK bit; const wchar_t *file, *folder; } right_names[] = {
  { FILE_WRITE_DATA, L"write data", L"add files" },
  { FILE_APPEND_DATA, L"append data", L"add subfolders" },
  { FILE_WRITE_EA, L"write extended attributes", L"write extended attributes" },
  { FILE_WRITE_ATTRIBUTES, L"write attributes", L"write attributes" },
  { FILE_DELETE_CHILD, L"delete children", L"delete or rename what it contains" },
  { DELETE, L"delete or rename it", L"delete or rename it" },
  { WRITE_DAC, L"change its permissions", L"change its permissions" },
  { WRITE_OWNER, L"take ownership", L"take ownership" },
  { GENERIC_WRITE, L"hold GENERIC_WRITE", L"hold GENERIC_WRITE" },
  { GENERIC_ALL, L"hold GENERIC_ALL", L"hold GENERIC_ALL" },
  { MAXIMUM_ALLOWED, L"hold MAXIMUM_ALLOWED", L"hold MAXIMUM_ALLOWED" },
};

/* "may add files, delete or rename it" for the rights in bad. */
static void name_rights(ACCESS_MASK bad, int kind, wchar_t *out, size_t size) {
  size_t n = 0;
  out[0] = 0;
  for (size_t i = 0; i < sizeof right_names / sizeof right_names[0] && n < size; i++) {
    if (!(bad & right_names[i].bit)) continue;
    wfmt(out + n, size - n, L"%ls%ls", n ? L", " : L"", kind == TRUST_RUNTIME_FILE ? right_names[i].file : right_names[i].folder);
    n = wcslen(out);
  }
  if (!out[0]) wfmt(out, size, L"have access");   /* TRUST_ADMIN_ONLY: even reading is too much there */
}

/* The SID as text ("S-1-5-11"), "" when it cannot be converted. */
static void sid_text(PSID sid, wchar_t *out, size_t size) {
  LPWSTR text = NULL;
  out[0] = 0;
  if (ConvertSidToStringSidW(sid, &text)) {
    wfmt(out, size, L"%ls", text);
    LocalFree(text);
  }
}

/* "NT AUTHORITY\Authenticated Users (S-1-5-11)", or the SID alone when it has no name here. */
static void describe_sid(PSID sid, wchar_t *out, size_t size) {
  wchar_t text[192], name[128], domain[128];
  DWORD name_size = 128, domain_size = 128;
  SID_NAME_USE use;
  sid_text(sid, text, 192);
  if (!LookupAccountSidW(NULL, sid, name, &name_size, domain, &domain_size, &use)) wfmt(out, size, L"%ls", text);
  else if (domain[0]) wfmt(out, size, L"%ls\\%ls (%ls)", domain, name, text);
  else wfmt(out, size, L"%ls (%ls)", name, text);
}

/* Administrators, SYSTEM, TrustedInstaller: the three that may own and change what an elevated
   process runs. CREATOR OWNER (in an ACE that applies to the object) and OWNER RIGHTS stand for the
   owner, which must be one of the three anyway. The first `count` of the list are asked. */
static const wchar_t *const trusted[] = { L"S-1-5-32-544", L"S-1-5-18", TRUSTED_INSTALLER_SID, L"S-1-3-0", L"S-1-3-4" };

static int sid_among(PSID sid, size_t count) {
  wchar_t text[192];
  sid_text(sid, text, 192);
  for (size_t i = 0; i < count; i++) {
    if (wcscmp(text, trusted[i]) == 0) return 1;
  }
  return 0;
}

/* TRUST_ADMIN_ONLY (the extraction folder, which the broker creates with an explicit DACL) admits
   Administrators and SYSTEM only; the others the whole list. */
static int trusted_grantee(PSID sid, int kind) {
  return sid_among(sid, kind == TRUST_ADMIN_ONLY ? 2 : sizeof trusted / sizeof trusted[0]);
}

static int trusted_owner(PSID sid) {
  return sid_among(sid, 3);
}

/* The SID that starts offset bytes into an ACE, or NULL when it does not fit inside the ACE. */
static PSID sid_at(const ACE_HEADER *ace, size_t offset) {
  const BYTE *p = (const BYTE *)ace + offset;
  if (offset + 8 > ace->AceSize || p[0] != SID_REVISION || p[1] > SID_MAX_SUB_AUTHORITIES) return NULL;
  return offset + 8 + 4 * (size_t)p[1] <= ace->AceSize ? (PSID)p : NULL;
}

/* An allow ACE of any type: its mask and the SIDs it grants to (a compound ACE names a server and a
   client SID). 1 for an allow ACE, 0 for a deny ACE (it only takes rights away), -1 for an ACE type
   this check does not know, -2 for an ACE too short for the SID it should hold. Layouts:
   winnt.h ACCESS_ALLOWED_ACE / _CALLBACK_ACE (SID at 8), ACCESS_ALLOWED_OBJECT_ACE /
   _CALLBACK_OBJECT_ACE (Flags at 8, then each GUID only when its Flags bit says so, then the SID),
   ntifs.h COMPOUND_ACCESS_ALLOWED_ACE (CompoundAceType and Reserved at 8, SIDs from 12). */
static int ace_grant(const ACE_HEADER *ace, ACCESS_MASK *mask, PSID sids[2]) {
  const BYTE *p = (const BYTE *)ace;
  DWORD flags = 0;
  memcpy(mask, p + 4, sizeof *mask);   /* the caller checked AceSize >= 8 */
  switch (ace->AceType) {
  case ACCESS_DENIED_ACE_TYPE: case ACCESS_DENIED_OBJECT_ACE_TYPE:
  case ACCESS_DENIED_CALLBACK_ACE_TYPE: case ACCESS_DENIED_CALLBACK_OBJECT_ACE_TYPE:
    return 0;
  case ACCESS_ALLOWED_ACE_TYPE: case ACCESS_ALLOWED_CALLBACK_ACE_TYPE:
    sids[0] = sid_at(ace, 8);
    break;
  case ACCESS_ALLOWED_OBJECT_ACE_TYPE: case ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE:
    if (ace->AceSize < 12) break;
    memcpy(&flags, p + 8, sizeof flags);
    sids[0] = sid_at(ace, 12 + (flags & ACE_OBJECT_TYPE_PRESENT ? 16 : 0) + (flags & ACE_INHERITED_OBJECT_TYPE_PRESENT ? 16 : 0));
    break;
  case ACCESS_ALLOWED_COMPOUND_ACE_TYPE:
    sids[0] = sid_at(ace, 12);
    if (sids[0]) sids[1] = sid_at(ace, 12 + GetLengthSid(sids[0]));   /* the client SID, when there is one */
    break;
  default:
    return -1;
  }
  return sids[0] ? 1 : -2;
}

int sd_verdict(PSECURITY_DESCRIPTOR sd, int kind, wchar_t *why, size_t why_size) {
  PSID owner = NULL;
  PACL dacl = NULL;
  BOOL present = FALSE, defaulted;
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision;
  wchar_t who[320], rights[256];
  if (kind < TRUST_RUNTIME_FILE || kind > TRUST_ADMIN_ONLY) { wfmt(why, why_size, L"unknown kind of check %d", kind); return 0; }
  if (!sd || !GetSecurityDescriptorOwner(sd, &owner, &defaulted) || !GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted) ||
      !GetSecurityDescriptorControl(sd, &control, &revision)) {
    wfmt(why, why_size, L"its security descriptor cannot be read (error %lu)", GetLastError());
    return 0;
  }
  if (!owner) { wfmt(why, why_size, L"it has no owner"); return 0; }
  if (!trusted_owner(owner)) {
    describe_sid(owner, who, 320);
    wfmt(why, why_size, L"its owner %ls is not Administrators, SYSTEM or TrustedInstaller (an owner may always change the permissions)", who);
    return 0;
  }
  if (!present || !dacl) { wfmt(why, why_size, L"it has no DACL, which lets everyone do everything with it"); return 0; }
  if (kind == TRUST_ADMIN_ONLY && !(control & SE_DACL_PROTECTED)) {
    wfmt(why, why_size, L"its DACL is not protected: it inherits from its parent folder");
    return 0;
  }
  size_t at = sizeof(ACL);
  for (WORD i = 0; i < dacl->AceCount; i++) {
    const ACE_HEADER *ace = (const ACE_HEADER *)((const BYTE *)dacl + at);
    if (at + sizeof(ACE_HEADER) > dacl->AclSize || ace->AceSize < 8 || at + ace->AceSize > dacl->AclSize) {
      wfmt(why, why_size, L"its DACL is malformed at ACE %u", i);
      return 0;
    }
    at += ace->AceSize;
    ACCESS_MASK mask = 0;
    PSID sids[2] = { NULL, NULL };
    int grant = ace_grant(ace, &mask, sids);
    if (grant < 0) {
      wfmt(why, why_size, grant == -2 ? L"its ACE %u (type 0x%02x) is too short for the SID it should hold"
                                      : L"its ACE %u is of type 0x%02x, which this check does not know", i, ace->AceType);
      return 0;
    }
    /* a deny ACE only takes rights away; in a non-canonical DACL it may even come after the grant */
    if (grant == 0) continue;
    /* an inherit-only ACE applies to what the folder will contain, which is checked itself */
    if ((ace->AceFlags & INHERIT_ONLY_ACE) && kind != TRUST_ADMIN_ONLY) continue;
    ACCESS_MASK bad = (mapped(mask) & forbidden[kind]) | (mask & ALWAYS_FORBIDDEN);
    if (kind == TRUST_ADMIN_ONLY) bad = mask;
    for (int s = 0; s < 2 && bad; s++) {
      if (!sids[s] || trusted_grantee(sids[s], kind)) continue;
      describe_sid(sids[s], who, 320);
      name_rights(bad, kind, rights, 256);
      wfmt(why, why_size, L"%ls may %ls (ACE %u grants 0x%08lx)", who, rights, i, (unsigned long)mask);
      return 0;
    }
  }
  return 1;
}

/* A drive root ("C:\"): no entry of any folder, so no link a user could have made. */
static int drive_root(const wchar_t *path) {
  return path[0] && path[1] == L':' && (path[2] == L'\\' || path[2] == L'/') && path[3] == 0;
}

int hold_checked(const wchar_t *path, int kind, HANDLE *held, wchar_t *why, size_t why_size) {
  *held = INVALID_HANDLE_VALUE;
  int folder = kind != TRUST_RUNTIME_FILE;
  /* a file shares reading only: nobody may write, delete or rename it while it is held; a folder
     shares reading and writing (others may still open it, say to list it) but not deleting, so it
     cannot be renamed or deleted. Java's launcher, the loader and the JVM only read these files. */
  HANDLE h = CreateFileW(path, GENERIC_READ, folder ? FILE_SHARE_READ | FILE_SHARE_WRITE : FILE_SHARE_READ, NULL, OPEN_EXISTING,
                         FILE_FLAG_OPEN_REPARSE_POINT | (folder ? FILE_FLAG_BACKUP_SEMANTICS : 0), NULL);
  if (h == INVALID_HANDLE_VALUE) {
    wfmt(why, why_size, L"cannot open %ls to check and hold it (CreateFileW error %lu)", path, GetLastError());
    return 0;
  }
  /* On Windows the handle of FILE_FLAG_OPEN_REPARSE_POINT is the link itself and its attributes
     say so. Wine 8 follows a link to a folder even then, but shows it in the path's attributes
     (measured); a drive root is left to the handle: Wine shows its Z: root, a link to /, as one. */
  BY_HANDLE_FILE_INFORMATION info;
  DWORD by_path = drive_root(path) ? 0 : GetFileAttributesW(path);
  if (by_path == INVALID_FILE_ATTRIBUTES) by_path = 0;
  int verdict = 0;
  PSECURITY_DESCRIPTOR sd = NULL;
  DWORD rc;
  wchar_t reason[768];
  if (!GetFileInformationByHandle(h, &info)) {
    wfmt(why, why_size, L"cannot read the attributes of %ls (error %lu)", path, GetLastError());
  } else if ((info.dwFileAttributes | by_path) & FILE_ATTRIBUTE_REPARSE_POINT) {
    wfmt(why, why_size, L"%ls is a link (reparse point): an elevated install does not follow it to a runtime", path);
  } else if (!(info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != !folder) {
    wfmt(why, why_size, L"%ls is a %ls where a %ls was expected", path, folder ? L"file" : L"folder", folder ? L"folder" : L"file");
  } else if ((rc = GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                   NULL, NULL, NULL, NULL, &sd)) != ERROR_SUCCESS) {
    wfmt(why, why_size, L"cannot read the security of %ls (GetSecurityInfo error %lu)", path, rc);
  } else {
    verdict = sd_verdict(sd, kind, reason, sizeof reason / sizeof reason[0]);
    if (!verdict) {
      wfmt(why, why_size, L"%ls: %ls", path, reason);
      if (on_wine()) verdict = -1;   /* Wine's descriptor is made up from the Unix owner and mode */
    }
  }
  if (sd) LocalFree(sd);
  if (verdict) *held = h;
  else CloseHandle(h);
  return verdict;
}

int admin_only(const wchar_t *path, int exact, wchar_t *why, size_t why_size) {
  HANDLE h;
  int verdict = hold_checked(path, exact ? TRUST_ADMIN_ONLY : TRUST_RUNTIME_FOLDER, &h, why, why_size);
  if (verdict) CloseHandle(h);
  return verdict;
}
