/* Demo payload: a MAPI32.DLL that exports the Simple MAPI entry points (prototypes from the SDK's
   mapi.h) as honest stubs. Every call answers MAPI_E_NOT_SUPPORTED: this DLL stands in for the
   real mail library only so the installer has a versioned, loadable file to replace.
   InuseDemoVersion() returns the FileVersion compiled in, so a test can tell which copy a process
   really loaded. */
#include <windows.h>
#include <mapi.h>
#include "inuse-version.h" /* written by the build from ${revision} */

ULONG WINAPI MAPILogon(ULONG_PTR ui, LPSTR profile, LPSTR password, FLAGS flags, ULONG reserved, LPLHANDLE session) {
  (void)ui; (void)profile; (void)password; (void)flags; (void)reserved;
  if (session) *session = 0;
  return MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPILogoff(LHANDLE session, ULONG_PTR ui, FLAGS flags, ULONG reserved) {
  (void)session; (void)ui; (void)flags; (void)reserved;
  return MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPISendMail(LHANDLE session, ULONG_PTR ui, lpMapiMessage message, FLAGS flags, ULONG reserved) {
  (void)session; (void)ui; (void)message; (void)flags; (void)reserved;
  return MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPISendDocuments(ULONG_PTR ui, LPSTR delimiter, LPSTR paths, LPSTR names, ULONG reserved) {
  (void)ui; (void)delimiter; (void)paths; (void)names; (void)reserved;
  return MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPIFindNext(LHANDLE session, ULONG_PTR ui, LPSTR type, LPSTR seed, FLAGS flags, ULONG reserved, LPSTR id) {
  (void)session; (void)ui; (void)type; (void)seed; (void)flags; (void)reserved; (void)id;
  return MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPIReadMail(LHANDLE session, ULONG_PTR ui, LPSTR id, FLAGS flags, ULONG reserved, lpMapiMessage *message) {
  (void)session; (void)ui; (void)id; (void)flags; (void)reserved;
  if (message) *message = NULL;
  return MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPISaveMail(LHANDLE session, ULONG_PTR ui, lpMapiMessage message, FLAGS flags, ULONG reserved, LPSTR id) {
  (void)session; (void)ui; (void)message; (void)flags; (void)reserved; (void)id;
  return MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPIDeleteMail(LHANDLE session, ULONG_PTR ui, LPSTR id, FLAGS flags, ULONG reserved) {
  (void)session; (void)ui; (void)id; (void)flags; (void)reserved;
  return MAPI_E_NOT_SUPPORTED;
}

/* This DLL never allocates, so no buffer can be ours to free: NULL is accepted as a no-op. */
ULONG WINAPI MAPIFreeBuffer(LPVOID buffer) {
  return buffer == NULL ? SUCCESS_SUCCESS : MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPIAddress(LHANDLE session, ULONG_PTR ui, LPSTR caption, ULONG fields, LPSTR labels, ULONG count,
                         lpMapiRecipDesc recips, FLAGS flags, ULONG reserved, LPULONG newCount, lpMapiRecipDesc *newRecips) {
  (void)session; (void)ui; (void)caption; (void)fields; (void)labels; (void)count; (void)recips; (void)flags; (void)reserved;
  if (newCount) *newCount = 0;
  if (newRecips) *newRecips = NULL;
  return MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPIDetails(LHANDLE session, ULONG_PTR ui, lpMapiRecipDesc recip, FLAGS flags, ULONG reserved) {
  (void)session; (void)ui; (void)recip; (void)flags; (void)reserved;
  return MAPI_E_NOT_SUPPORTED;
}

ULONG WINAPI MAPIResolveName(LHANDLE session, ULONG_PTR ui, LPSTR name, FLAGS flags, ULONG reserved, lpMapiRecipDesc *recip) {
  (void)session; (void)ui; (void)name; (void)flags; (void)reserved;
  if (recip) *recip = NULL;
  return MAPI_E_NOT_SUPPORTED;
}

/* Not part of Simple MAPI: the compiled-in FileVersion as major<<48 | minor<<32 | build<<16 | revision. */
ULONGLONG WINAPI InuseDemoVersion(void) {
  return (ULONGLONG)INUSE_VERSION_MAJOR << 48 | (ULONGLONG)INUSE_VERSION_MINOR << 32 |
         (ULONGLONG)INUSE_VERSION_BUILD << 16 | (ULONGLONG)INUSE_VERSION_REVISION;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance; (void)reason; (void)reserved;
  return TRUE;
}
