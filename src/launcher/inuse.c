/* inuse.exe, the command line installed with the product (C:\Program Files\inuse\<product id>\bin):
   `inuse who <path>`, `inuse pending`, `inuse pe <file>`, `inuse status` (docs/cli.md). It is the
   broker without an MSI session: it finds and checks the Java runtime as the custom actions do, starts
   the engine's command-line entry (io.inuse.engine.Main cli <arguments>) and serves the same
   requests (src/broker), plus CONSOLE_WRITE for what the engine prints. Its exit code is the
   engine's result; 69 when the engine could not run (no runtime, an untrusted file), with the reason.

   The runtime, in this order: the one the package embeds, installed with the product (<product>\runtime);
   INUSE_JAVA_HOME from the environment; the runtime the product's actions
   were given (HKLM\SOFTWARE\inuse\<product id>\JavaHome); the newest registered Java 17+ x64. Elevated,
   each is used only when runtime_trust accepts it, and the launcher's own folder and jars must pass the
   same check: an administrator's prompt never runs classes a standard user could have changed. */
#include "../broker/broker.h"
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#define EXIT_UNAVAILABLE 69      /* sysexits.h EX_UNAVAILABLE: the engine could not run */
#define TIMEOUT_MS (10u * 60u * 1000u)
#define KEEP_LINES 24

static const wchar_t *JARS[] = { L"inuse-engine.jar", L"inuse-targets.jar" };

static int verbose;
static wchar_t *kept[KEEP_LINES];
static int kept_count;

/* The broker's own lines (runtime chosen, engine started, a failure's reason): shown with --verbose or
   INUSE_VERBOSE=1, otherwise kept and shown only when the engine could not give its answer. */
static void keep_line(const wchar_t *line) {
  if (verbose) { fwprintf(stderr, L"inuse: %ls\n", line); return; }
  if (kept_count == KEEP_LINES) { free(kept[0]); memmove(kept, kept + 1, sizeof kept[0] * (KEEP_LINES - 1)); kept_count--; }
  kept[kept_count++] = _wcsdup(line);
}

static int fail(const wchar_t *fmt, const wchar_t *a, const wchar_t *b) {
  for (int i = 0; i < kept_count; i++) fwprintf(stderr, L"inuse: %ls\n", kept[i]);
  fwprintf(stderr, L"inuse: ");
  fwprintf(stderr, fmt, a, b);
  fwprintf(stderr, L"\n");
  return EXIT_UNAVAILABLE;
}

/* One argument for the engine, as --arg-hex=<its UTF-8 bytes in hex>: Java's launcher on Windows builds
   main's arguments from the ANSI command line (a character outside the machine's code page would come
   out as '?'), and a runtime's launcher may take an argument for one of its own (an @argfile, a wildcard;
   the test bed's stand-in java.exe turns a bare absolute Windows path into a Unix one). Hex digits pass
   every one of them untouched; the engine decodes them (CliMain.arguments). */
static int append_argument(wchar_t *out, size_t size, size_t *at, const wchar_t *arg) {
  int bytes = WideCharToMultiByte(CP_UTF8, 0, arg, -1, NULL, 0, NULL, NULL);   /* with the terminator */
  if (bytes <= 0 || *at + 12 + 2 * (size_t)bytes >= size) return 0;
  char *utf8 = malloc((size_t)bytes);
  if (!utf8) return 0;
  WideCharToMultiByte(CP_UTF8, 0, arg, -1, utf8, bytes, NULL, NULL);
  static const wchar_t digits[] = L"0123456789abcdef";
  for (const wchar_t *p = L" --arg-hex="; *p; p++) out[(*at)++] = *p;
  for (int i = 0; i < bytes - 1; i++) {
    out[(*at)++] = digits[((unsigned char)utf8[i]) >> 4];
    out[(*at)++] = digits[((unsigned char)utf8[i]) & 15];
  }
  out[*at] = 0;
  free(utf8);
  return 1;
}

/* A runtime from a folder: checked, and elevated trusted (held until the end). 1, or 0 with *why. */
static int runtime_at(const wchar_t *home, runtime *rt, const wchar_t *source, wchar_t *why, size_t why_size) {
  memset(rt, 0, sizeof *rt);
  if (!runtime_check(home, rt, why, why_size)) return 0;
  if (running_elevated()) {
    int trust = runtime_trust(rt, why, why_size);
    if (trust == 0) return 0;
    if (trust < 0) keep_line(L"cannot verify who may change the runtime: this platform (Wine) keeps no DACL");
  }
  wcsncpy(rt->source, source, 63);
  return 1;
}

/* The runtime a source names and insists on: it is used, or the reason (why_format: the folder, then the
   check's answer) is the end; no other source is tried (the administrator asked for that one). */
static int runtime_or_why(const wchar_t *home, runtime *rt, const wchar_t *source, const wchar_t *why_format, wchar_t *why,
                          size_t why_size) {
  if (runtime_at(home, rt, source, why, why_size)) return 1;
  wchar_t reason[1024];
  wcsncpy(reason, why, 1023);
  reason[1023] = 0;
  wfmt(why, why_size, why_format, home, reason);
  return 0;
}

static wchar_t *saved_java_home(const wchar_t *product) {
  wchar_t key[MAX_PATH];
  if (!wfmt(key, MAX_PATH, L"SOFTWARE\\inuse\\%ls", product)) return NULL;
  DWORD size = 0;
  if (RegGetValueW(HKEY_LOCAL_MACHINE, key, L"JavaHome", RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY, NULL, NULL, &size) != ERROR_SUCCESS) return NULL;
  wchar_t *home = calloc(size / sizeof(wchar_t) + 1, sizeof(wchar_t));
  if (home && RegGetValueW(HKEY_LOCAL_MACHINE, key, L"JavaHome", RRF_RT_REG_SZ | RRF_SUBKEY_WOW6464KEY, NULL, home, &size) != ERROR_SUCCESS) {
    free(home);
    return NULL;
  }
  return home;
}

static int resolve(const wchar_t *bin, const wchar_t *product, runtime *rt, wchar_t *why, size_t why_size) {
  wchar_t home[MAX_PATH];
  /* the runtime the package embeds, installed with the product beside bin\ (packaging's RuntimeFiles) */
  if (wfmt(home, MAX_PATH, L"%ls\\..\\runtime", bin) && GetFileAttributesW(home) != INVALID_FILE_ATTRIBUTES) {
    wchar_t full[MAX_PATH];
    if (!GetFullPathNameW(home, MAX_PATH, full, NULL)) wcscpy(full, home);
    return runtime_or_why(full, rt, L"installed with the product", L"the runtime installed with the product (%ls) is not usable: %ls. "
                          L"Repair the product", why, why_size);
  }
  DWORD n = GetEnvironmentVariableW(L"INUSE_JAVA_HOME", home, MAX_PATH);
  if (n > 0 && n < MAX_PATH) return runtime_or_why(home, rt, L"INUSE_JAVA_HOME", L"INUSE_JAVA_HOME=%ls is not usable: %ls", why, why_size);
  wchar_t *saved = saved_java_home(product);
  if (saved && *saved) {
    if (runtime_at(saved, rt, L"the runtime the product was installed with", why, why_size)) { free(saved); return 1; }
    wchar_t line[2048];
    wfmt(line, 2048, L"passed over the runtime the product was installed with (%ls): %ls", saved, why);
    keep_line(line);
  }
  free(saved);
  memset(rt, 0, sizeof *rt);
  int found = runtime_from_registry(0, running_elevated(), rt, why, why_size);
  if (found > 0) return 1;
  if (found == 0)
    wfmt(why, why_size, L"no Java runtime: INUSE_JAVA_HOME is not set, the product keeps none under HKLM\\SOFTWARE\\inuse\\%ls, and "
         L"no Java 17+ x64 runtime is registered. Set INUSE_JAVA_HOME=<folder of a Java 17+ x64 runtime> and run it again", product);
  return 0;
}

int wmain(int argc, wchar_t **argv) {
  wchar_t flag[8];
  DWORD n = GetEnvironmentVariableW(L"INUSE_VERBOSE", flag, 8);
  verbose = n == 1 && flag[0] == L'1';
  for (int i = 1; i < argc; i++) verbose |= wcscmp(argv[i], L"--verbose") == 0;
  session_less_log = keep_line;

  /* the launcher's folder: <Program Files>\inuse\<product id>\bin */
  wchar_t bin[MAX_PATH], why[2048] = L"";
  DWORD len = GetModuleFileNameW(NULL, bin, MAX_PATH);
  if (len == 0 || len >= MAX_PATH) return fail(L"cannot find where inuse.exe is (GetModuleFileNameW)%ls%ls", L"", L"");
  *wcsrchr(bin, L'\\') = 0;
  /* started by an 8.3 path (C:\PROGRA~1\inuse\EXAMPL~1\bin): the folder's long name is the product id */
  wchar_t long_bin[MAX_PATH];
  DWORD long_len = GetLongPathNameW(bin, long_bin, MAX_PATH);
  if (long_len > 0 && long_len < MAX_PATH) wcscpy(bin, long_bin);
  else if (wcschr(bin, L'~')) return fail(L"cannot find the long name of %ls (GetLongPathNameW failed), which names the product%ls", bin, L"");
  wchar_t product[MAX_PATH];
  const wchar_t *parent_end = wcsrchr(bin, L'\\');
  wcsncpy(product, L"", MAX_PATH);
  if (parent_end) {
    size_t plen = (size_t)(parent_end - bin);
    wchar_t parent[MAX_PATH];
    wcsncpy(parent, bin, plen);
    parent[plen] = 0;
    const wchar_t *name = wcsrchr(parent, L'\\');
    wcsncpy(product, name ? name + 1 : parent, MAX_PATH - 1);
    product[MAX_PATH - 1] = 0;
  }

  /* elevated, nobody but administrators may have changed the classes it is about to run */
  HANDLE held[1 + sizeof JARS / sizeof JARS[0]] = { 0 };
  size_t held_count = 0;
  if (running_elevated()) {
    int trust = hold_checked(bin, TRUST_RUNTIME_FOLDER, &held[held_count], why, 2048);
    if (trust == 0) return fail(L"%ls cannot be trusted: %ls. Reinstall the product", bin, why);
    held_count++;
    for (size_t i = 0; i < sizeof JARS / sizeof JARS[0]; i++) {
      wchar_t jar[MAX_PATH];
      wfmt(jar, MAX_PATH, L"%ls\\%ls", bin, JARS[i]);
      trust = hold_checked(jar, TRUST_RUNTIME_FILE, &held[held_count], why, 2048);
      if (trust == 0) return fail(L"%ls cannot be trusted: %ls. Reinstall the product", jar, why);
      held_count++;
    }
    if (trust < 0) keep_line(L"cannot verify who may change the launcher's folder: this platform (Wine) keeps no DACL");
  }

  runtime rt;
  if (!resolve(bin, product, &rt, why, 2048)) return fail(L"%ls%ls", why, L"");
  wchar_t line[1024];
  wfmt(line, 1024, L"runtime %ls (Java %ls, %ls)", rt.home, rt.version, rt.source);
  keep_line(line);

  /* launch.c builds the engine's whole command line in 8192 characters: the java path, its options and the
     class path take at most about 1,100 of them, the arguments the rest */
  static wchar_t action[6144];
  size_t at = 0;
  wcscpy(action, L"cli");
  at = wcslen(action);
  for (int i = 1; i < argc; i++) {
    if (!append_argument(action, sizeof action / sizeof action[0], &at, argv[i]))
      return fail(L"the arguments are too long: at most about 3,000 characters of them%ls%ls", L"", L"");
  }
  wchar_t classpath[3 * MAX_PATH];
  wfmt(classpath, 3 * MAX_PATH, L"%ls\\%ls;%ls\\%ls", bin, JARS[0], bin, JARS[1]);

  broker b = { 0 };
  b.session = 0;
  b.action = action;
  b.result = -1;
  engine_run run = { &rt, classpath, bin, TIMEOUT_MS, 0 };
  UINT rc = engine_serve(&b, &run);
  rm_end_all(&b);
  runtime_release(&rt);
  for (size_t i = 0; i < held_count; i++) if (held[i]) CloseHandle(held[i]);
  if (b.result < 0) return fail(L"the engine gave no answer (see the lines above)%ls%ls", L"", L"");
  if (rc != (UINT)b.result) return fail(L"the engine answered, then did not end cleanly (see the lines above)%ls%ls", L"", L"");
  return (int)rc;
}
