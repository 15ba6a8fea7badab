/* Whether a folder or file may be trusted by a process that runs elevated or as SYSTEM: only
   Administrators, SYSTEM and TrustedInstaller may own it or change it. Under Wine, which keeps no
   DACL, the question cannot be answered; the caller logs that (on Windows a "no" fails the action). */
#include "broker.h"
#include <aclapi.h>
#include <sddl.h>
#include <stdio.h>
#include <wchar.h>

#define TRUSTED_INSTALLER_SID L"S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"
#define WRITE_RIGHTS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_DELETE_CHILD | FILE_WRITE_ATTRIBUTES | \
                      DELETE | WRITE_DAC | WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL)

int on_wine(void) {
  return GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "wine_get_version") != NULL;
}

static int trusted_sid(PSID sid) {
  PSID installer = NULL;
  int trusted = IsWellKnownSid(sid, WinBuiltinAdministratorsSid) || IsWellKnownSid(sid, WinLocalSystemSid);
  if (!trusted && ConvertStringSidToSidW(TRUSTED_INSTALLER_SID, &installer)) {
    trusted = EqualSid(sid, installer);
    LocalFree(installer);
  }
  return trusted;
}

int admin_only(const wchar_t *path, int exact, wchar_t *why, size_t why_size) {
  PSID owner = NULL;
  PACL dacl = NULL;
  PSECURITY_DESCRIPTOR sd = NULL;
  DWORD rc = GetNamedSecurityInfoW(path, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                                   &owner, NULL, &dacl, NULL, &sd);
  int verdict = 0;
  if (rc != ERROR_SUCCESS) {
    _snwprintf(why, why_size - 1, L"cannot read the security of %ls (GetNamedSecurityInfoW error %lu)", path, rc);
  } else if (!dacl) {
    _snwprintf(why, why_size - 1, L"%ls has no DACL: everyone may change it", path);
  } else {
    SECURITY_DESCRIPTOR_CONTROL control = 0;
    DWORD revision;
    GetSecurityDescriptorControl(sd, &control, &revision);
    verdict = owner && trusted_sid(owner) && (!exact || (control & SE_DACL_PROTECTED));
    for (WORD i = 0; verdict && i < dacl->AceCount; i++) {
      ACE_HEADER *ace;
      if (!GetAce(dacl, i, (void **)&ace)) { verdict = 0; break; }
      if (ace->AceType != ACCESS_ALLOWED_ACE_TYPE) { verdict = !exact; continue; }   /* deny ACEs only take rights away */
      if (!exact && (ace->AceFlags & INHERIT_ONLY_ACE)) continue;                     /* applies to children, checked there */
      ACCESS_ALLOWED_ACE *allowed = (ACCESS_ALLOWED_ACE *)ace;
      if (exact || (allowed->Mask & WRITE_RIGHTS)) verdict = trusted_sid(&allowed->SidStart);
    }
    if (!verdict) _snwprintf(why, why_size - 1, L"%ls may be owned or changed by others than Administrators, SYSTEM and TrustedInstaller", path);
  }
  why[why_size - 1] = 0;
  if (sd) LocalFree(sd);
  if (!verdict && on_wine()) return -1;
  return verdict;
}
