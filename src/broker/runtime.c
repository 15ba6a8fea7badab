/* Finding and checking the Java runtime the engine runs on. A runtime is a folder with
   bin\java.exe (an x64 program) and a `release` file whose JAVA_VERSION is 17 or later; JDKs,
   JREs and jlink images all have that file. The order of the sources is actions.c's; the
   registry keys of the common distributions are listed here (docs/runtime.md). When the action
   runs elevated, runtime_trust checks the runtime with trust.c and holds what it checked open
   until the engine has ended (runtime_release), so nothing can be swapped in between. */
#include "broker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#define MIN_JAVA 17
#define MAX_TREE_DEPTH 12        /* folders below bin\, lib\, conf\ (a JDK's deepest is lib\security\policy\unlimited) */
#define MAX_HELD 20000           /* files and folders held for one runtime (a JDK has a few hundred) */
#define MAX_REGISTERED 64        /* registered runtimes considered */

/* IMAGE_FILE_HEADER.Machine of a PE file, or 0 with a reason. */
static WORD pe_machine(const wchar_t *path, wchar_t *why, size_t why_size) {
  HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    wfmt(why, why_size, L"cannot open %ls (CreateFileW error %lu)", path, GetLastError());
    return 0;
  }
  BYTE head[1024];
  DWORD n = 0;
  BOOL ok = ReadFile(h, head, sizeof head, &n, NULL);
  CloseHandle(h);
  DWORD pe = n >= 0x40 ? *(DWORD *)(head + 0x3C) : 0;
  if (!ok || n < 0x40 || head[0] != 'M' || head[1] != 'Z' || pe > n - 6 || memcmp(head + pe, "PE\0\0", 4) != 0) {
    wfmt(why, why_size, L"%ls is not a Windows program (no PE header in its first %lu bytes)", path, n);
    return 0;
  }
  return *(WORD *)(head + pe + 4);
}

/* JAVA_VERSION="..." of the release file, and its feature release (8 for "1.8.0_292"). */
static int release_version(const wchar_t *home, wchar_t *version, size_t version_size, wchar_t *why, size_t why_size) {
  wchar_t path[MAX_PATH];
  wfmt(path, MAX_PATH, L"%ls\\release", home);
  HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    wfmt(why, why_size, L"runtime %ls has no release file, so its Java version cannot be checked "
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
    wfmt(why, why_size, L"the release file of runtime %ls has no JAVA_VERSION line", home);
    return 0;
  }
  key += strlen("JAVA_VERSION=\"");
  const char *end = strchr(key, '"');
  if (!end || end - key > 40) {
    wfmt(why, why_size, L"the JAVA_VERSION of runtime %ls is not a quoted version", home);
    return 0;
  }
  wfmt(version, version_size, L"%.*hs", (int)(end - key), key);
  int feature = atoi(key);
  if (feature == 1 && key[1] == '.') feature = atoi(key + 2);
  return feature;
}

int runtime_check(const wchar_t *home, runtime *rt, wchar_t *why, size_t why_size) {
  memset(rt, 0, sizeof *rt);
  if (why_size) why[0] = 0;
  size_t given = wcslen(home);
  if (given > MAX_PATH - 20) {   /* the path may come from a user: say how long, quote its start only */
    wfmt(why, why_size, L"runtime path is too long (%lu characters, at most %d): %.60ls...", (unsigned long)given, MAX_PATH - 20, home);
    return 0;
  }
  /* one spelling of the folder from here on: what is checked, held and started ("." and ".." resolved) */
  DWORD full = GetFullPathNameW(home, MAX_PATH - 20, rt->home, NULL);
  if (full == 0 || full >= MAX_PATH - 20) {
    wfmt(why, why_size, L"runtime path %ls cannot be made a full path of at most %d characters", home, MAX_PATH - 20);
    rt->home[0] = 0;
    return 0;
  }
  size_t len = wcslen(rt->home);
  while (len > 3 && rt->home[len - 1] == L'\\') rt->home[--len] = 0;
  wfmt(rt->java, MAX_PATH, L"%ls\\bin\\java.exe", rt->home);
  DWORD attributes = GetFileAttributesW(rt->java);
  if (attributes == INVALID_FILE_ATTRIBUTES || (attributes & FILE_ATTRIBUTE_DIRECTORY)) {
    wfmt(why, why_size, L"runtime folder %ls has no bin\\java.exe", rt->home);
    return 0;
  }
  WORD machine = pe_machine(rt->java, why, why_size);
  if (!machine) return 0;
  if (machine != IMAGE_FILE_MACHINE_AMD64) {
    wfmt(why, why_size, L"%ls is a %ls program (machine 0x%04x); the engine needs an x64 Java %d or later",
         rt->java, machine == IMAGE_FILE_MACHINE_I386 ? L"32-bit x86" : L"non-x64", machine, MIN_JAVA);
    return 0;
  }
  int feature = release_version(rt->home, rt->version, sizeof rt->version / sizeof rt->version[0], why, why_size);
  if (!feature && !why[0]) {   /* a JAVA_VERSION that is not a number: say so, not nothing */
    wfmt(why, why_size, L"runtime %ls says it is Java \"%ls\" (its release file), not a version number; the engine needs Java %d or later",
         rt->home, rt->version, MIN_JAVA);
    return 0;
  }
  if (!feature) return 0;
  if (feature < MIN_JAVA) {
    wfmt(why, why_size, L"runtime %ls is Java %ls (its release file); the engine needs Java %d or later", rt->home, rt->version, MIN_JAVA);
    return 0;
  }
  return 1;
}

void runtime_release(runtime *rt) {
  for (size_t i = 0; i < rt->held_count; i++) CloseHandle(rt->held[i]);
  free(rt->held);
  rt->held = NULL;
  rt->held_count = rt->held_capacity = 0;
}

/* Checks one path (trust.c) and adds its handle to what the runtime holds. 1 on "trusted" or
   "cannot answer" (counted in *unanswered), 0 with a reason. */
static int check_one(runtime *rt, const wchar_t *path, int kind, int *unanswered, wchar_t *why, size_t why_size) {
  if (rt->held_count == rt->held_capacity) {
    size_t capacity = rt->held_capacity ? rt->held_capacity * 2 : 64;
    if (capacity > MAX_HELD) capacity = MAX_HELD;
    HANDLE *more = rt->held_count < MAX_HELD ? realloc(rt->held, capacity * sizeof *more) : NULL;
    if (!more) {
      wfmt(why, why_size, L"runtime %ls has more files and folders than this check holds (%d), or memory ran out", rt->home, MAX_HELD);
      return 0;
    }
    rt->held = more;
    rt->held_capacity = capacity;
  }
  HANDLE h;
  int verdict = hold_checked(path, kind, &h, why, why_size);
  if (!verdict) return 0;
  rt->held[rt->held_count++] = h;
  *unanswered += verdict < 0;
  return 1;
}

/* A folder of the runtime and everything in it, depth first. */
static int check_tree(runtime *rt, const wchar_t *folder, int depth, int *unanswered, wchar_t *why, size_t why_size) {
  if (!check_one(rt, folder, TRUST_RUNTIME_FOLDER, unanswered, why, why_size)) return 0;
  wchar_t pattern[MAX_PATH], path[MAX_PATH];
  if (!wfmt(pattern, MAX_PATH, L"%ls\\*", folder)) {
    wfmt(why, why_size, L"a path in runtime %ls is too long to check: %ls", rt->home, folder);
    return 0;
  }
  WIN32_FIND_DATAW found;
  HANDLE find = FindFirstFileExW(pattern, FindExInfoBasic, &found, FindExSearchNameMatch, NULL, 0);
  if (find == INVALID_HANDLE_VALUE) {
    wfmt(why, why_size, L"cannot list %ls (FindFirstFileExW error %lu)", folder, GetLastError());
    return 0;
  }
  int ok = 1;
  do {
    if (wcscmp(found.cFileName, L".") == 0 || wcscmp(found.cFileName, L"..") == 0) continue;
    if (!wfmt(path, MAX_PATH, L"%ls\\%ls", folder, found.cFileName)) {
      wfmt(why, why_size, L"a path in runtime %ls is too long to check: %ls\\%ls", rt->home, folder, found.cFileName);
      ok = 0;
    } else if (found.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
      wfmt(why, why_size, L"%ls is a link (reparse point): an elevated install does not follow it to a runtime", path);
      ok = 0;
    } else if (!(found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)) {
      ok = check_one(rt, path, TRUST_RUNTIME_FILE, unanswered, why, why_size);
    } else if (depth < MAX_TREE_DEPTH) {
      ok = check_tree(rt, path, depth + 1, unanswered, why, why_size);
    } else {
      wfmt(why, why_size, L"runtime %ls has folders more than %d levels deep: %ls", rt->home, MAX_TREE_DEPTH, path);
      ok = 0;
    }
  } while (ok && FindNextFileW(find, &found));
  FindClose(find);
  return ok;
}

/* An elevated or SYSTEM action must not start a java.exe, or load a DLL, that a user could have
   put there (DESIGN.md). Top down, each folder held before what is in it is opened: the volume
   root and every folder above the home (TRUST_ANCESTOR_FOLDER), the home (TRUST_RUNTIME_FOLDER),
   then bin\, lib\ and conf\ with everything in them. The home's files outside those (release,
   legal\, include\, jmods\) are not run; the home itself lets nobody else add or replace entries. */
int runtime_trust(runtime *rt, wchar_t *why, size_t why_size) {
  const wchar_t *home = rt->home;
  if (!(iswalpha(home[0]) && home[1] == L':' && home[2] == L'\\')) {
    wfmt(why, why_size, L"runtime %ls is not on a local drive (a network path?): an elevated install runs no program from there", home);
    return 0;
  }
  wchar_t path[MAX_PATH] = { home[0], L':', L'\\', 0 };
  if (GetDriveTypeW(path) == DRIVE_REMOTE) {
    wfmt(why, why_size, L"runtime %ls is on the network drive %ls: an elevated install runs no program from there", home, path);
    return 0;
  }
  int unanswered = 0, ok = 1;
  runtime_release(rt);
  if (home[3]) ok = check_one(rt, path, TRUST_ANCESTOR_FOLDER, &unanswered, why, why_size);
  wcscpy(path, home);   /* runtime_check made it shorter than MAX_PATH - 20 */
  for (wchar_t *p = path + 3; ok && *p; p++) {
    if (*p != L'\\') continue;
    *p = 0;
    ok = check_one(rt, path, TRUST_ANCESTOR_FOLDER, &unanswered, why, why_size);
    *p = L'\\';
  }
  ok = ok && check_one(rt, home, TRUST_RUNTIME_FOLDER, &unanswered, why, why_size);
  static const wchar_t *const trees[] = { L"bin", L"lib", L"conf" };
  for (size_t i = 0; ok && i < sizeof trees / sizeof trees[0]; i++) {
    wfmt(path, MAX_PATH, L"%ls\\%ls", home, trees[i]);
    /* a missing lib\ or conf\ cannot appear later: the home lets nobody else add a folder */
    if (i > 0 && GetFileAttributesW(path) == INVALID_FILE_ATTRIBUTES && GetLastError() == ERROR_FILE_NOT_FOUND) continue;
    ok = check_tree(rt, path, 1, &unanswered, why, why_size);
  }
  if (!ok) {
    runtime_release(rt);
    return 0;
  }
  why[0] = 0;
  return unanswered ? -1 : 1;
}

static void log_unanswered(MSIHANDLE session, const runtime *rt) {
  log_line(session, L"cannot verify that runtime %ls can be changed only by Administrators, SYSTEM and TrustedInstaller: "
           L"this platform (Wine) keeps no DACL; on Windows this check fails the action. Its %lu checked files and folders "
           L"stay open, without share-delete, until the engine has ended", rt->home, (unsigned long)rt->held_count);
}

int runtime_trusted(MSIHANDLE session, runtime *rt, wchar_t *why, size_t why_size) {
  int verdict = runtime_trust(rt, why, why_size);
  if (verdict < 0) log_unanswered(session, rt);
  return verdict != 0;
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

/* Java versions compared number by number ("17.0.15" after "17.0.9"); <0, 0, >0 like wcscmp. */
static int version_compare(const wchar_t *a, const wchar_t *b) {
  while (*a || *b) {
    unsigned long x = wcstoul(a, (wchar_t **)&a, 10), y = wcstoul(b, (wchar_t **)&b, 10);
    if (x != y) return x < y ? -1 : 1;
    while (*a && !iswdigit(*a)) a++;
    while (*b && !iswdigit(*b)) b++;
  }
  return 0;
}

/* Every usable runtime the registry names, newest first (in the order seen among equal versions). */
static size_t registered_runtimes(runtime *found, size_t capacity, wchar_t *last_why, size_t why_size) {
  size_t count = 0;
  for (size_t d = 0; d < sizeof registered / sizeof registered[0]; d++) {
    HKEY root;
    if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, registered[d].key, 0, KEY_READ | KEY_WOW64_64KEY, &root) != ERROR_SUCCESS) continue;
    wchar_t version[256];
    for (DWORD i = 0; count < capacity; i++) {
      DWORD n = sizeof version / sizeof version[0];
      if (RegEnumKeyExW(root, i, version, &n, NULL, NULL, NULL, NULL) != ERROR_SUCCESS) break;
      wchar_t sub[512], home[MAX_PATH];
      DWORD size = sizeof home;
      if (!wfmt(sub, 512, L"%ls%ls", version, registered[d].subkey)) continue;
      if (RegGetValueW(root, sub, registered[d].value, RRF_RT_REG_SZ, NULL, home, &size) != ERROR_SUCCESS) continue;
      runtime *candidate = &found[count];
      if (!runtime_check(home, candidate, last_why, why_size)) continue;
      wfmt(candidate->source, sizeof candidate->source / sizeof candidate->source[0], L"registry: %ls", registered[d].name);
      size_t at = count++;
      for (runtime moving; at > 0 && version_compare(found[at - 1].version, found[at].version) < 0; at--) {
        moving = found[at - 1];
        found[at - 1] = found[at];
        found[at] = moving;
      }
    }
    RegCloseKey(root);
  }
  return count;
}

int runtime_from_registry(MSIHANDLE session, int strict, runtime *rt, wchar_t *why, size_t why_size) {
  wchar_t last_why[1024] = L"", newest_why[1024] = L"";
  runtime *found = malloc(MAX_REGISTERED * sizeof *found);
  if (!found) { wfmt(why, why_size, L"out of memory"); return 0; }
  size_t count = registered_runtimes(found, MAX_REGISTERED, last_why, 1024);
  int result = 0;
  if (!count && last_why[0]) wfmt(why, why_size, L"no registered Java %d+ runtime is usable (last one seen: %ls)", MIN_JAVA, last_why);
  else if (!count) wfmt(why, why_size, L"no Java runtime is registered on this machine");
  /* elevated: the newest that the trust check does not refuse (under Wine it cannot answer: taken) */
  for (size_t i = 0; i < count && result <= 0; i++) {
    int trust = strict ? runtime_trust(&found[i], i ? last_why : newest_why, 1024) : 1;
    if (trust) {
      *rt = found[i];
      if (trust < 0) log_unanswered(session, rt);
      result = 1;
    } else {
      log_line(session, L"passed over the registered runtime %ls (Java %ls, %ls): %ls", found[i].home, found[i].version,
               found[i].source, i ? last_why : newest_why);
      result = -1;
    }
  }
  if (result < 0)
    wfmt(why, why_size, L"none of the %lu registered Java %d+ runtimes may be run by an elevated install; the newest, %ls (Java %ls, %ls): %ls",
         (unsigned long)count, MIN_JAVA, found[0].home, found[0].version, found[0].source, newest_why);
  free(found);
  return result;
}
