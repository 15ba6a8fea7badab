/* framefuzz-shim/windows.h: the few Windows names src/broker/protocol.c uses, for a native Linux
   build of it with the fuzz harness (src/testtools/framefuzz.c).
   Only the harness's build puts this folder on the include path. */
#ifndef FRAMEFUZZ_SHIM_WINDOWS_H
#define FRAMEFUZZ_SHIM_WINDOWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

/* The integer widths are Windows's (a Linux long has 64 bits). protocol.c includes only
   protocol.h, so only the names protocol.h and protocol.c use are needed here. */
typedef void *HANDLE, *HMODULE, *HKEY, *PVOID, *LPVOID, *PSID, *PACL, *PSECURITY_DESCRIPTOR;
typedef const void *LPCVOID;
typedef uint8_t BYTE;
typedef uint16_t WORD;
typedef uint32_t DWORD, ULONG, ACCESS_MASK, SECURITY_INFORMATION;
typedef int32_t LONG, HRESULT;
typedef unsigned int UINT;
typedef int BOOL;
typedef wchar_t WCHAR, *LPWSTR;
typedef const wchar_t *LPCWSTR;
typedef char *LPSTR;
typedef const char *LPCSTR;
#define MAX_PATH 260
#define CP_UTF8 65001
#define MB_ERR_INVALID_CHARS 0x8

/* ReadFile reads the harness's in-memory stream (framefuzz.c). The reply side, which the harness
   does not call, gets stand-ins that abort. */
BOOL ReadFile(HANDLE file, void *buffer, DWORD size, DWORD *got, void *overlapped);
static inline void framefuzz_not_here(const char *what) {
  fprintf(stderr, "framefuzz: %s called, but the harness fuzzes only the decoder\n", what);
  abort();
}
static inline BOOL WriteFile(HANDLE h, const void *b, DWORD n, DWORD *w, void *o) {
  (void)h; (void)b; (void)n; (void)w; (void)o; framefuzz_not_here("WriteFile"); return 0;
}
static inline int MultiByteToWideChar(UINT c, DWORD f, const char *s, int n, wchar_t *w, int wn) {
  (void)c; (void)f; (void)s; (void)n; (void)w; (void)wn; framefuzz_not_here("MultiByteToWideChar"); return 0;
}
static inline int WideCharToMultiByte(UINT c, DWORD f, const wchar_t *w, int wn, char *s, int n, const char *d, BOOL *u) {
  (void)c; (void)f; (void)w; (void)wn; (void)s; (void)n; (void)d; (void)u; framefuzz_not_here("WideCharToMultiByte"); return 0;
}

/* protocol.c's allocations go to the harness's counting allocator (peak bytes, leaks, injected
   failures). <stdlib.h> is included above, so protocol.c's own #include of it declares nothing
   new and only its calls are renamed. The harness defines FRAMEFUZZ_HARNESS to keep its own. */
#ifndef FRAMEFUZZ_HARNESS
#define malloc fuzz_malloc
#define calloc fuzz_calloc
#define realloc fuzz_realloc
#define free fuzz_free
#endif
void *fuzz_malloc(size_t size);
void *fuzz_calloc(size_t count, size_t size);
void *fuzz_realloc(void *p, size_t size);
void fuzz_free(void *p);

#endif
