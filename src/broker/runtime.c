/* Finding and checking the Java runtime the engine runs on. A runtime is a folder with
   bin\java.exe (an x64 program) and a `release` file whose JAVA_VERSION is 17 or later; JDKs,
   JREs and jlink images all have that file. The order of the sources is actions.c's; the
   registry keys of the common distributions are listed here (docs/runtime.md). */
#include "broker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#define MIN_JAVA 17

/* IMAGE_FILE_HEADER.Machine of a PE file, or 0 with a reason. */
static WORD pe_machine(const wchar_t *path, wchar_t *why, size_t why_size) {
  HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    _snwprintf(why, why_size, L"cannot open %ls (CreateFileW error %lu)", path, GetLastError());
    return 0;
  }
  BYTE head[1024];
  DWORD n = 0;
  BOOL ok = ReadFile(h, head, sizeof head, &n, NULL);
  CloseHandle(h);
  DWORD pe = n >= 0x40 ? *(DWORD *)(head + 0x3C) : 0;
  if (!ok || n < 0x40 || head[0] != 'M' || head[1] != 'Z' || pe > n - 6 || memcmp(head + pe, "PE\0\0", 4) != 0) {
    _snwprintf(why, why_size, L"%ls is not a Windows program (no PE header in its first %lu bytes)", path, n);
    return 0;
  }
  return *(WORD *)(head + pe + 4);
}

/* JAVA_VERSION="..." of the release file, and its feature release (8 for "1.8.0_292"). */
static int release_version(const wchar_t *home, wchar_t *version, size_t version_size, wchar_t *why, size_t why_size) {
  wchar_t path[MAX_PATH];
  _snwprintf(path, MAX_PATH, L"%ls\\release", home);
  path[MAX_PATH - 1] = 0;
  HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    _snwprintf(why, why_size, L"runtime %ls has no release file, so its Java version cannot be checked "
               L"(JDKs, JREs and jlink images have one)", home);
    return 0;
  }
  char text[16384];
  DWORD n = 0;
  ReadFile(h, text, sizeof text - 1, &n, NULL);
  CloseHandle(h);
  text[n] = 0;
  const char *key = strstr(text, "JAVA_VERSION=\"");
  if (!key || (key != text && key[-1] != '\n')) {
    _snwprintf(why, why_size, L"the release file of runtime %ls has no JAVA_VERSION line", home);
    return 0;
  }
  key += strlen("JAVA_VERSION=\"");
  const char *end = strchr(key, '"');
  if (!end || end - key > 40) {
    _snwprintf(why, why_size, L"the JAVA_VERSION of runtime %ls is not a quoted version", home);
    return 0;
  }
  _snwprintf(version, version_size, L"%.*hs", (int)(end - key), key);
  version[version_size - 1] = 0;
  int feature = atoi(key);
  if (feature == 1 && key[1] == '.') feature = atoi(key + 2);
  return feature;
}

int runtime_check(const wchar_t *home, runtime *rt, wchar_t *why, size_t why_size) {
  memset(rt, 0, sizeof *rt);
  if (wcslen(home) > MAX_PATH - 20) {
    _snwprintf(why, why_size, L"runtime path is too long: %ls", home);
    return 0;
  }
  wcscpy(rt->home, home);
  size_t len = wcslen(rt->home);
  while (len > 3 && (rt->home[len - 1] == L'\\' || rt->home[len - 1] == L'/')) rt->home[--len] = 0;
  _snwprintf(rt->java, MAX_PATH, L"%ls\\bin\\java.exe", rt->home);
  DWORD attributes = GetFileAttributesW(rt->java);
  if (attributes == INVALID_FILE_ATTRIBUTES || (attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    _snwprintf(why, why_size, L"runtime folder %ls has no bin\\java.exe", rt->home);
    return 0;
  }
  WORD machine = pe_machine(rt->java, why, why_size);
  if (!machine) return 0;
  if (machine != IMAGE_FILE_MACHINE_AMD64) {
    _snwprintf(why, why_size, L"%ls is a %ls program (machine 0x%04x); the engine needs an x64 Java %d or later",
               rt->java, machine == IMAGE_FILE_MACHINE_I386 ? L"32-bit x86" : L"non-x64", machine, MIN_JAVA);
    return 0;
  }
  int feature = release_version(rt->home, rt->version, sizeof rt->version / sizeof rt->version[0], why, why_size);
  if (!feature) return 0;
  if (feature < MIN_JAVA) {
    _snwprintf(why, why_size, L"runtime %ls is Java %ls (its release file); the engine needs Java %d or later",
               rt->home, rt->version, MIN_JAVA);
    return 0;
  }
  return 1;
}

/* Where the common distributions register themselves: under HKLM\<key>\<version> (enumerated),
   then <subkey>, the value naming the runtime's folder. */
static const struct { const wchar_t *name, *key, *subkey, *value; } registered[] = {
  { L"Oracle/OpenJDK (JavaSoft JDK)", L"SOFTWARE\\JavaSoft\\JDK", L"", L"JavaHome" },
  { L"Oracle/OpenJDK (JavaSoft JRE)", L"SOFTWARE\\JavaSoft\\JRE", L"", L"JavaHome" },
  { L"Eclipse Adoptium JDK", L"SOFTWARE\\Eclipse Adoptium\\JDK", L"\\hotspot\\MSI", L"Path" },
  { L"Eclipse Adoptium JRE", L"SOFTWARE\\Eclipse Adoptium\\JRE", L"\\hotspot\\MSI", L"Path" },
  { L"Microsoft Build of OpenJDK", L"SOFTWARE\\Microsoft\\JDK", L"\\hotspot\\MSI", L"Path" },
  { L"Azul Zulu", L"SOFTWARE\\Azul Systems\\Zulu", L"", L"InstallationPath" },
  { L"BellSoft Liberica", L"SOFTWARE\\BellSoft\\Liberica", L"", L"InstallationPath" },
};

int runtime_from_registry(runtime *rt, wchar_t *why, size_t why_size) {
  int best = 0;
  wchar_t last_why[1024] = L"";
  for (size_t d = 0; d < sizeof registered / sizeof registered[0]; d++) {
    HKEY root;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, registered[d].key, 0, KEY_READ | KEY_WOW64_64KEY, &root) != ERROR_SUCCESS) continue;
    wchar_t version[256];
    for (DWORD i = 0; ; i++) {
      DWORD n = sizeof version / sizeof version[0];
      if (RegEnumKeyExW(root, i, version, &n, NULL, NULL, NULL, NULL) != ERROR_SUCCESS) break;
      wchar_t sub[512], home[MAX_PATH];
      DWORD size = sizeof home;
      _snwprintf(sub, 512, L"%ls%ls", version, registered[d].subkey);
      sub[511] = 0;
      if (RegGetValueW(root, sub, registered[d].value, RRF_RT_REG_SZ, NULL, home, &size) != ERROR_SUCCESS) continue;
      runtime candidate;
      if (!runtime_check(home, &candidate, last_why, sizeof last_why / sizeof last_why[0])) continue;
      int feature = _wtoi(candidate.version);
      if (feature > best) {
        best = feature;
        *rt = candidate;
        _snwprintf(rt->source, sizeof rt->source / sizeof rt->source[0], L"registry: %ls", registered[d].name);
      }
    }
    RegCloseKey(root);
  }
  if (!best) {
    if (last_why[0]) _snwprintf(why, why_size, L"no registered Java %d+ runtime is usable (last one seen: %ls)", MIN_JAVA, last_why);
    else _snwprintf(why, why_size, L"no Java runtime is registered on this machine");
  }
  return best > 0;
}

/* An elevated or SYSTEM action must not start a java.exe, or load a DLL, that a user could have
   put there (DESIGN.md): the runtime must be on a local drive and its folders and key files
   changeable by Administrators, SYSTEM and TrustedInstaller only. */
int runtime_trusted(MSIHANDLE session, const runtime *rt, wchar_t *why, size_t why_size) {
  const wchar_t *home = rt->home;
  if (!(iswalpha(home[0]) && home[1] == L':' && home[2] == L'\\')) {
    _snwprintf(why, why_size - 1, L"runtime %ls is not on a local drive (a network path?): an elevated install runs no program from there", home);
    return 0;
  }
  wchar_t root[4] = { home[0], L':', L'\\', 0 };
  if (GetDriveTypeW(root) == DRIVE_REMOTE) {
    _snwprintf(why, why_size - 1, L"runtime %ls is on the network drive %ls: an elevated install runs no program from there", home, root);
    return 0;
  }
  static const wchar_t *parts[] = { L"", L"\\bin", L"\\bin\\java.exe", L"\\bin\\server", L"\\bin\\server\\jvm.dll", L"\\lib", L"\\lib\\modules" };
  int unanswered = 0;
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
    wchar_t path[MAX_PATH];
    int n = _snwprintf(path, MAX_PATH - 1, L"%ls%ls", home, parts[i]);
    if (n < 0) { _snwprintf(why, why_size - 1, L"runtime path too long: %ls", home); return 0; }
    path[n] = 0;
    DWORD attributes = GetFileAttributesW(path);
    if (attributes == INVALID_FILE_ATTRIBUTES) continue;   /* bin\java.exe exists: runtime_check saw it */
    if (attributes & FILE_ATTRIBUTE_REPARSE_POINT) {
      _snwprintf(why, why_size - 1, L"%ls is a link (reparse point): an elevated install does not follow it to a runtime", path);
      return 0;
    }
    int verdict = admin_only(path, 0, why, why_size);
    if (verdict == 0) return 0;
    unanswered |= verdict < 0;
  }
  why[0] = 0;
  if (unanswered)
    log_line(session, L"cannot verify that runtime %ls can be changed only by Administrators, SYSTEM and TrustedInstaller: "
             L"this platform (Wine) keeps no DACL; on Windows this check fails the action", home);
  return 1;
}
