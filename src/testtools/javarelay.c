/* javarelay: a stand-in for <runtime>\bin\java.exe under Wine. TEST SCAFFOLDING ONLY: it is never
   shipped in a package.

   No Windows Java runtime exists on the build machine, so the Wine tests put this program where the
   broker expects java.exe. It runs the build machine's LINUX JVM and relays stdin, stdout, stderr
   and the exit code, so the broker sees an ordinary child process with three pipes.

   Why the detour: Wine starts a Unix executable through CreateProcessW but hands it no Windows
   pipes (its stdin and stdout are /dev/null) and returns no process handle (no wait, no exit code);
   Wine 8 has no AF_UNIX sockets. So this program listens on a loopback TCP port and starts
   /bin/bash with a script whose /dev/tcp redirections connect back three times:
       connection 0: the JVM's stdin and stdout      connection 1: its stderr
       connection 2: its exit status (one decimal line written by bash when the JVM has ended);
                     a watchdog in bash reads it too: when it closes (the parent killed java.exe),
                     the JVM is killed, as TerminateProcess of a real java.exe would end it
   Each connection first sends a 16-hex-digit token of this run plus its number, so a stray
   connection to the port is refused and the order of accept() does not matter.
   The relay then copies, binary-safe: its stdin -> connection 0 (half-closed at EOF),
   connection 0 -> its stdout, connection 1 -> its stderr (bash's own messages, such as "Killed",
   go there too); when both copies have ended it reads the status and exits with it. A Linux exit
   status is 0..255: System.exit(1603) arrives as 67; a JVM killed by signal N gives 128+N.
   TCP is not a pipe: a JVM that writes a frame in two pieces and then waits for the answer would
   wait about 40 ms each time (Nagle's algorithm against delayed ACKs), so a background perl sets
   TCP_NODELAY on the JVM's end of the connections while the JVM starts (Winsock cannot do it for
   the other end; perl-base is always on Debian; without perl nothing else changes).

   Configuration: relay.properties in the folder of this executable, UTF-8, lines key=value,
   '#' or '!' starts a comment line, no escapes (the value is taken literally, trimmed).
     java=/usr/lib/jvm/java-17-openjdk-amd64/bin/java   required: absolute Linux path of the JVM
     main=some.test.MisbehavingEngine    optional: replaces the main class (the first argument that
                                         is neither an option nor an option's value; not applied
                                         with -jar or -m)
     classpath.append=/a/b.jar:/c        optional: appended with ':' to the translated -cp value
     jvm.options=-Xshare:auto -Dx=y      optional: split on blanks, put right after the java path
     connect.timeout=30                  optional: seconds to wait for bash to connect back
     bash=/bin/bash                      optional: the Linux shell to start
     tcp.nodelay=true                    optional: false leaves out the perl step above
     trace=true                          optional: print the generated bash script to stderr

   Arguments: an argument that is an absolute Windows path (X:\... or X:/...) and the value of a
   -D<name>=X:\... option become Unix paths (wine_get_unix_file_name; when the path does not
   exist, its deepest existing folder is translated and the rest appended). The value of -cp,
   -classpath, --class-path (and -p, --module-path, --upgrade-module-path, also in the --x=...
   form) is a ';' list: each element is translated and they are joined with ':'. Wine names a file
   on any drive but Z: as <prefix>/dosdevices/c:/..., whose ':' would split the list: such an
   element is resolved to its physical path in bash (cd -P, builtins only). Every argument is
   quoted for bash: printable ASCII in single quotes (a quote becomes '\''), any other byte as
   $'\xHH', so the script is plain ASCII whatever Wine's Unix code page, and UTF-8 arguments reach
   the JVM byte for byte. When the inherited locale is not UTF-8, the JVM runs with
   LC_CTYPE=C.UTF-8 (or LC_ALL=C.UTF-8) so that Java decodes them as UTF-8. A script longer than a
   Windows command line (32767) goes to a temporary file that bash deletes when it starts.

   Exit codes of the relay itself (with a "javarelay:" line on stderr):
     95 cannot start (winsock, CreateProcess, memory)   96 its own stdout broke (the parent went away)
     97 relay.properties missing or without java=        98 bash did not connect back in time
     99 bash ended without reporting the JVM's exit status (it was killed)
   Otherwise the JVM's exit status (127: bash could not run the configured java).

   Build: x86_64-w64-mingw32-gcc -municode -O2 -Wall -Werror -o java.exe javarelay.c -lws2_32 */
#define WIN32_LEAN_AND_MEAN
#define _CRT_RAND_S
#include <winsock2.h>
#include <windows.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

enum { EXIT_START = 95, EXIT_STDOUT_GONE = 96, EXIT_CONFIG = 97, EXIT_CONNECT = 98, EXIT_NO_STATUS = 99 };
enum { CONN_DATA, CONN_ERR, CONN_STATUS, CONN_COUNT };
#define TOKEN_LEN 16
#define COPY_BUF 65536
#define MAX_CMDLINE 32767

/* ---- small helpers ---------------------------------------------------------------------------- */

static void message(const char *fmt, ...) {
  char text[4096];
  va_list a;
  va_start(a, fmt);
  int n = vsnprintf(text, sizeof text - 1, fmt, a);
  va_end(a);
  if (n < 0) return;
  if (n > (int)sizeof text - 2) n = (int)sizeof text - 2;
  text[n++] = '\n';
  HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
  DWORD w;
  if (err && err != INVALID_HANDLE_VALUE) WriteFile(err, text, (DWORD)n, &w, NULL);
}

#define die(code, ...) do { message("javarelay: " __VA_ARGS__); ExitProcess(code); } while (0)

struct buf { char *p; size_t n, cap; };

static void buf_add(struct buf *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (b->n + n + 1 > cap) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) die(EXIT_START, "out of memory");
    b->p = p; b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
}
static void buf_adds(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }
static void buf_addc(struct buf *b, char c) { buf_add(b, &c, 1); }

/* UTF-16 -> UTF-8 (n WCHARs, or up to the terminator when n < 0), appended to b. */
static void buf_add_utf8(struct buf *b, const WCHAR *w, int n) {
  if (n < 0) n = (int)wcslen(w);
  if (!n) return;
  int len = WideCharToMultiByte(CP_UTF8, 0, w, n, NULL, 0, NULL, NULL);
  char *s = malloc(len > 0 ? len : 1);
  if (!s) die(EXIT_START, "out of memory");
  len = WideCharToMultiByte(CP_UTF8, 0, w, n, s, len, NULL, NULL);
  if (len > 0) buf_add(b, s, len);
  free(s);
}

static const char *utf8(const WCHAR *w) {   /* for messages */
  static struct buf b;
  b.n = 0;
  buf_add(&b, "", 0);
  buf_add_utf8(&b, w, -1);
  return b.p;
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r')) *--e = 0;
  return s;
}

/* ---- configuration ---------------------------------------------------------------------------- */

static struct config {
  char *java, *main, *cp_append, *jvm_options, *bash;
  int timeout_s, trace, nodelay;
} cfg;

static int is_true(const char *v) { return !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes"); }

static void read_config(void) {
  DWORD cap = MAX_PATH, n;
  WCHAR *path;
  for (;;) {   /* GetModuleFileNameW truncates silently: grow until it fits */
    path = malloc((cap + 32) * sizeof(WCHAR));
    if (!path) die(EXIT_START, "out of memory");
    n = GetModuleFileNameW(NULL, path, cap);
    if (n && n < cap) break;
    if (!n) die(EXIT_CONFIG, "GetModuleFileNameW failed (error %lu)", GetLastError());
    free(path);
    cap *= 2;
  }
  WCHAR *slash = path + n;
  while (slash > path && slash[-1] != L'\\' && slash[-1] != L'/') slash--;
  wcscpy(slash, L"relay.properties");

  HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  if (f == INVALID_HANDLE_VALUE) {
    DWORD e = GetLastError();
    die(EXIT_CONFIG, "cannot read %s (error %lu): this test stand-in for java.exe needs it, with a line "
        "java=<absolute Linux path of the Linux java executable>", utf8(path), e);
  }
  struct buf text = {0};
  char chunk[8192];
  DWORD r;
  while (ReadFile(f, chunk, sizeof chunk, &r, NULL) && r) buf_add(&text, chunk, r);
  CloseHandle(f);
  buf_add(&text, "", 0);

  cfg.timeout_s = 30;
  cfg.nodelay = 1;
  cfg.bash = "/bin/bash";
  char *p = text.p;
  if (!strncmp(p, "\xEF\xBB\xBF", 3)) p += 3;
  while (*p) {
    char *line = p, *eol = strchr(p, '\n');
    if (eol) { *eol = 0; p = eol + 1; } else p += strlen(p);
    line = trim(line);
    if (!*line || *line == '#' || *line == '!') continue;
    char *eq = strchr(line, '=');
    if (!eq) continue;
    *eq = 0;
    char *key = trim(line), *value = trim(eq + 1);
    if (!strcmp(key, "java")) cfg.java = *value ? value : NULL;
    else if (!strcmp(key, "main")) cfg.main = *value ? value : NULL;
    else if (!strcmp(key, "classpath.append")) cfg.cp_append = *value ? value : NULL;
    else if (!strcmp(key, "jvm.options")) cfg.jvm_options = value;
    else if (!strcmp(key, "bash") && *value) cfg.bash = value;
    else if (!strcmp(key, "connect.timeout") && atoi(value) > 0) cfg.timeout_s = atoi(value);
    else if (!strcmp(key, "trace")) cfg.trace = is_true(value);
    else if (!strcmp(key, "tcp.nodelay")) cfg.nodelay = is_true(value);
  }
  if (!cfg.java)
    die(EXIT_CONFIG, "%s has no line java=<absolute Linux path of the Linux java executable>", utf8(path));
  free(path);
}

/* ---- Windows path -> Unix path ----------------------------------------------------------------- */

typedef char *(CDECL *to_unix_fn)(const WCHAR *);
typedef WCHAR *(CDECL *to_dos_fn)(const char *);

static int is_abs_win(const WCHAR *s) {
  return ((s[0] >= L'A' && s[0] <= L'Z') || (s[0] >= L'a' && s[0] <= L'z')) && s[1] == L':' &&
         (s[2] == L'\\' || s[2] == L'/');
}

/* Appends the Unix form of the absolute Windows path w (n WCHARs) to b; 0 when Wine cannot map it.
   wine_get_unix_file_name accepts a missing last component only, so for a deeper missing path the
   deepest existing folder is mapped and the remaining components are appended as they are. */
static int add_unix_path(struct buf *b, const WCHAR *w, size_t n) {
  static to_unix_fn to_unix;
  if (!to_unix) to_unix = (to_unix_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_unix_file_name");
  if (!to_unix) die(EXIT_START, "kernel32 has no wine_get_unix_file_name: this stand-in runs under Wine only");
  WCHAR *copy = malloc((n + 1) * sizeof(WCHAR));
  if (!copy) die(EXIT_START, "out of memory");
  memcpy(copy, w, n * sizeof(WCHAR));
  copy[n] = 0;
  int ok = 0;
  char *u = to_unix(copy);
  if (u) {
    buf_adds(b, u);
    HeapFree(GetProcessHeap(), 0, u);
    ok = 1;
  } else {
    size_t cut = n;   /* split off the last component: parent + '/' + name */
    while (cut > 3 && (copy[cut - 1] == L'\\' || copy[cut - 1] == L'/')) cut--;
    size_t name = cut;
    while (name > 3 && copy[name - 1] != L'\\' && copy[name - 1] != L'/') name--;
    size_t parent = name > 3 ? name - 1 : 3;   /* "X:\" keeps its separator */
    if (name < cut && parent < n && add_unix_path(b, copy, parent)) {
      if (b->n && b->p[b->n - 1] != '/') buf_addc(b, '/');
      for (size_t i = name; i < n; i++) if (copy[i] == L'\\') copy[i] = L'/';
      buf_add_utf8(b, copy + name, (int)(n - name));
      ok = 1;
    }
  }
  free(copy);
  return ok;
}

/* One argument as the Linux JVM should see it (UTF-8, Windows paths translated). */
static void add_translated(struct buf *b, const WCHAR *w, size_t n) {
  if (n >= 3 && is_abs_win(w) && add_unix_path(b, w, n)) return;
  buf_add_utf8(b, w, (int)n);
}

/* ---- quoting ----------------------------------------------------------------------------------- */

/* s (n bytes) as one bash word: printable ASCII in '...', a quote as \', other bytes as $'\xHH'. */
static void sh_quote(struct buf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  int in_quotes = 0, in_ansi = 0;
  if (!n) { buf_adds(b, "''"); return; }
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f && c != '\'') {
      if (in_ansi) { buf_addc(b, '\''); in_ansi = 0; }
      if (!in_quotes) { buf_addc(b, '\''); in_quotes = 1; }
      buf_addc(b, (char)c);
    } else if (c == '\'') {
      if (in_quotes || in_ansi) { buf_addc(b, '\''); in_quotes = in_ansi = 0; }
      buf_adds(b, "\\'");
    } else {
      if (in_quotes) { buf_addc(b, '\''); in_quotes = 0; }
      if (!in_ansi) { buf_adds(b, "$'"); in_ansi = 1; }
      char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
      buf_add(b, esc, 4);
    }
  }
  if (in_quotes || in_ansi) buf_addc(b, '\'');
}

/* s as one argument of a Windows command line, by the MSVCRT rules (which Wine's argv builder for
   Unix programs follows too): backslashes before a quote are doubled and the quote becomes \". */
static void win_quote(struct buf *b, const char *s) {
  buf_addc(b, '"');
  for (;; s++) {
    size_t bs = 0;
    while (*s == '\\') { bs++; s++; }
    if (!*s) { while (bs--) buf_adds(b, "\\\\"); break; }
    if (*s == '"') { for (size_t i = 0; i < 2 * bs + 1; i++) buf_addc(b, '\\'); }
    else { for (size_t i = 0; i < bs; i++) buf_addc(b, '\\'); }
    buf_addc(b, *s);
  }
  buf_addc(b, '"');
}

/* ---- path lists ------------------------------------------------------------------------------- */

/* Wine maps every drive but the one on "/" into the prefix: C:\x becomes <prefix>/dosdevices/c:/x,
   and that ':' would split a Linux path list. Such an element is resolved in bash, with builtins
   only (no fork): rp cds -P into its deepest existing folder and puts the physical path in $R. */
static const char rp_function[] =
  "W=$PWD; rp() { local d=$1 b=; while [ ! -d \"$d\" ] && [ \"${d%/*}\" != \"$d\" ]; do b=/${d##*/}$b; "
  "d=${d%/*}; done; if [ -n \"$d\" ] && cd -P -- \"$d\" 2>/dev/null; then R=$PWD$b; cd -- \"$W\"; "
  "else R=$1; fi; }; ";

static struct buf prelude;   /* rp calls, run before the JVM starts */
static int resolved_count;

/* A ';'-separated Windows path list (-cp, --module-path) as one bash word of a ':'-separated Linux
   list, with append (classpath.append) at its end. prefix is put before it (e.g. "--class-path="). */
static void add_path_list_word(struct buf *word, const char *prefix, const WCHAR *w, const char *append) {
  struct buf elem = {0};
  int first = 1;
  size_t start = word->n;
  if (*prefix) sh_quote(word, prefix, strlen(prefix));
  while (*w) {
    const WCHAR *end = wcschr(w, L';');
    size_t n = end ? (size_t)(end - w) : wcslen(w);
    if (n) {
      elem.n = 0;
      buf_add(&elem, "", 0);
      if (n >= 3 && is_abs_win(w) && add_unix_path(&elem, w, n)) ;
      else {   /* a relative element: only the separators change */
        buf_add_utf8(&elem, w, (int)n);
        for (size_t i = 0; i < elem.n; i++) if (elem.p[i] == '\\') elem.p[i] = '/';
      }
      if (!first) buf_adds(word, "':'");
      first = 0;
      if (memchr(elem.p, ':', elem.n)) {
        char var[32];
        if (!resolved_count++) buf_adds(&prelude, rp_function);
        buf_adds(&prelude, "rp ");
        sh_quote(&prelude, elem.p, elem.n);
        snprintf(var, sizeof var, "; P%d=$R; ", resolved_count);
        buf_adds(&prelude, var);
        snprintf(var, sizeof var, "\"$P%d\"", resolved_count);
        buf_adds(word, var);
      } else sh_quote(word, elem.p, elem.n);
    }
    w += n + (end ? 1 : 0);
  }
  if (append) {
    if (!first) buf_adds(word, "':'");
    sh_quote(word, append, strlen(append));
  }
  if (word->n == start) buf_adds(word, "''");   /* an empty list stays an (empty) argument */
  free(elem.p);
}

/* ---- the bash script --------------------------------------------------------------------------- */

static int is_utf8_locale(const WCHAR *v) {
  return wcsstr(v, L"UTF-8") || wcsstr(v, L"utf-8") || wcsstr(v, L"UTF8") || wcsstr(v, L"utf8");
}

/* The assignment that makes the JVM decode its arguments as UTF-8, or "" when the locale does. */
static int locale_variable(const WCHAR *name, WCHAR *v) {   /* set and not empty */
  DWORD n = GetEnvironmentVariableW(name, v, 256);
  return n && n < 256;
}

static const char *locale_fix(void) {
  WCHAR v[256];
  if (locale_variable(L"LC_ALL", v)) return is_utf8_locale(v) ? "" : "LC_ALL=C.UTF-8 ";
  if ((locale_variable(L"LC_CTYPE", v) || locale_variable(L"LANG", v)) && is_utf8_locale(v)) return "";
  return "LC_CTYPE=C.UTF-8 ";
}

static int is_one_of(const WCHAR *a, const WCHAR *const *list) {
  for (int i = 0; list[i]; i++) if (!wcscmp(a, list[i])) return 1;
  return 0;
}
static const WCHAR *const class_path_options[] = { L"-cp", L"-classpath", L"--class-path", NULL };
static const WCHAR *const module_path_options[] = { L"-p", L"--module-path", L"--upgrade-module-path", NULL };
static const WCHAR *const options_with_value[] = {
  L"--add-modules", L"--limit-modules", L"--add-reads", L"--add-exports", L"--add-opens", L"--patch-module",
  L"--enable-native-access", L"-d", L"--describe-module", L"--source", NULL };

/* "--class-path=..." and the like: the length of the "name=" part, or 0. */
static size_t path_list_assignment(const WCHAR *a, int *is_class_path) {
  static const WCHAR *const names[] = { L"--class-path=", L"--module-path=", L"--upgrade-module-path=", NULL };
  for (int i = 0; names[i]; i++)
    if (!wcsncmp(a, names[i], wcslen(names[i]))) { *is_class_path = i == 0; return wcslen(names[i]); }
  return 0;
}

static void build_script(struct buf *s, int argc, WCHAR **argv, int port, const char *token) {
  char line[160];
  for (int i = 0; i < CONN_COUNT; i++) {   /* connect back: data, stderr, status; each says who it is */
    snprintf(line, sizeof line, "%sexec %d<>/dev/tcp/127.0.0.1/%d && printf %%s %s%d >&%d",
             i ? " && " : "", 3 + i, port, token, i, 3 + i);
    buf_adds(s, line);
  }
  buf_adds(s, " || exit 1; exec 2>&4; ");   /* bash's own messages ("Killed") are relayed too */
  if (cfg.nodelay)   /* in the background, while the JVM starts; see tcp.nodelay above */
    buf_adds(s, "perl -e 'for my $f (0, 1) { open(my $s, \"+<&=\", $f) or next; setsockopt($s, 6, 1, pack(\"i\", 1)) }' "
                "<&3 >&4 2>/dev/null 3>&- 4>&- 5>&- & ");
  /* the JVM's arguments, each as one bash word */
  struct buf words = {0}, arg = {0};
  enum { OPTION, CLASS_PATH, MODULE_PATH, VALUE, PROGRAM } next = OPTION;
  int program_after_value = 0, is_class_path;
  size_t eq;
  buf_add(&words, "", 0);
  for (int i = 1; i < argc; i++) {
    const WCHAR *a = argv[i];
    arg.n = 0;
    buf_add(&arg, "", 0);
    buf_addc(&words, ' ');
    switch (next) {
    case CLASS_PATH:
    case MODULE_PATH:
      add_path_list_word(&words, "", a, next == CLASS_PATH ? cfg.cp_append : NULL);
      next = OPTION;
      continue;
    case VALUE:
      add_translated(&arg, a, wcslen(a));
      next = program_after_value ? PROGRAM : OPTION;
      break;
    case PROGRAM:
      add_translated(&arg, a, wcslen(a));
      break;
    case OPTION:
      if (is_one_of(a, class_path_options) || is_one_of(a, module_path_options)) {
        buf_add_utf8(&arg, a, -1);
        next = is_one_of(a, class_path_options) ? CLASS_PATH : MODULE_PATH;
      } else if ((eq = path_list_assignment(a, &is_class_path))) {
        buf_add_utf8(&arg, a, (int)eq);
        add_path_list_word(&words, arg.p, a + eq, is_class_path ? cfg.cp_append : NULL);
        continue;
      } else if (is_one_of(a, options_with_value)) {
        buf_add_utf8(&arg, a, -1);
        next = VALUE;
      } else if (!wcscmp(a, L"-jar") || !wcscmp(a, L"-m") || !wcscmp(a, L"--module")) {
        buf_add_utf8(&arg, a, -1);   /* the jar or module is the program: no main class follows */
        next = VALUE;
        program_after_value = 1;
      } else if (a[0] == L'-' && a[1] == L'D' && wcschr(a, L'=') && is_abs_win(wcschr(a, L'=') + 1)) {
        const WCHAR *v = wcschr(a, L'=') + 1;
        buf_add_utf8(&arg, a, (int)(v - a));
        add_translated(&arg, v, wcslen(v));
      } else if (a[0] == L'-' || a[0] == L'@') {
        add_translated(&arg, a, wcslen(a));
      } else {   /* the main class */
        if (cfg.main) buf_adds(&arg, cfg.main);
        else add_translated(&arg, a, wcslen(a));
        next = PROGRAM;
      }
      break;
    }
    sh_quote(&words, arg.p, arg.n);
  }
  buf_add(s, prelude.p ? prelude.p : "", prelude.n);
  buf_adds(s, locale_fix());
  sh_quote(s, cfg.java, strlen(cfg.java));
  if (cfg.jvm_options) {
    char *opts = strdup(cfg.jvm_options), *ctx = NULL;
    for (char *t = strtok_r(opts, " \t", &ctx); t; t = strtok_r(NULL, " \t", &ctx)) {
      buf_addc(s, ' ');
      sh_quote(s, t, strlen(t));
    }
    free(opts);
  }
  buf_add(s, words.p, words.n);
  free(words.p);
  free(arg.p);
  /* the JVM runs in the background so that a watchdog can kill it when the relay dies (the broker
     ended java.exe): the relay never writes to connection 2, so read returns only at its close */
  buf_adds(s, " <&3 >&3 2>&4 3>&- 4>&- 5>&- & j=$!; { read -r -u 5 x; kill -9 $j; } 2>/dev/null 3>&- 4>&- & "
              "w=$!; wait $j; s=$?; kill $w 2>/dev/null; echo $s >&5");
}

/* ---- sockets ----------------------------------------------------------------------------------- */

static SOCKET conn[CONN_COUNT] = { INVALID_SOCKET, INVALID_SOCKET, INVALID_SOCKET };

static void close_all(void) {
  for (int i = 0; i < CONN_COUNT; i++)
    if (conn[i] != INVALID_SOCKET) { closesocket(conn[i]); conn[i] = INVALID_SOCKET; }
}

static DWORD remaining_ms(ULONGLONG deadline) {
  ULONGLONG now = GetTickCount64();
  return now >= deadline ? 0 : (DWORD)(deadline - now);
}

static int wait_readable(SOCKET s, ULONGLONG deadline) {
  fd_set set;
  FD_ZERO(&set);
  FD_SET(s, &set);
  DWORD ms = remaining_ms(deadline);
  struct timeval tv = { (long)(ms / 1000), (long)(ms % 1000) * 1000 };
  return select(0, &set, NULL, NULL, &tv) == 1;
}

/* Accepts until the three connections of this run have each sent their token and number. */
static void accept_connections(SOCKET listener, const char *token, ULONGLONG deadline) {
  int have = 0;
  while (have < CONN_COUNT) {
    if (!wait_readable(listener, deadline))
      die(EXIT_CONNECT, "bash did not connect back within %d s (%d of 3 connections); check bash=%s "
          "in relay.properties and that Wine can start Unix programs", cfg.timeout_s, have, cfg.bash);
    SOCKET c = accept(listener, NULL, NULL);
    if (c == INVALID_SOCKET) continue;
    char hello[TOKEN_LEN + 1];
    int got = 0, n = 0;
    while (got < (int)sizeof hello && wait_readable(c, deadline) &&
           (n = recv(c, hello + got, (int)sizeof hello - got, 0)) > 0)
      got += n;
    int which = got == (int)sizeof hello && !memcmp(hello, token, TOKEN_LEN) ? hello[TOKEN_LEN] - '0' : -1;
    if (which < 0 || which >= CONN_COUNT || conn[which] != INVALID_SOCKET) { closesocket(c); continue; }
    conn[which] = c;
    have++;
  }
}

static int send_all(SOCKET s, const char *p, int n) {
  while (n > 0) {
    int w = send(s, p, n, 0);
    if (w <= 0) return 0;
    p += w; n -= w;
  }
  return 1;
}

static int write_all(HANDLE h, const char *p, DWORD n) {
  while (n) {
    DWORD w = 0;
    if (!WriteFile(h, p, n, &w, NULL) || !w) return 0;
    p += w; n -= w;
  }
  return 1;
}

/* stdin -> JVM. A zero-byte read from a pipe is a zero-byte write of the parent, not EOF. */
static DWORD WINAPI copy_stdin(LPVOID unused) {
  (void)unused;
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  if (in && in != INVALID_HANDLE_VALUE) {
    int pipe = GetFileType(in) == FILE_TYPE_PIPE;
    char *b = malloc(COPY_BUF);
    DWORD r;
    while (b && ReadFile(in, b, COPY_BUF, &r, NULL) && (r || pipe))
      if (r && !send_all(conn[CONN_DATA], b, (int)r)) return 0;   /* the JVM is gone */
  }
  shutdown(conn[CONN_DATA], SD_SEND);
  return 0;
}

/* JVM stderr -> stderr. When stderr breaks, keep draining so that the JVM never blocks on it. */
static DWORD WINAPI copy_stderr(LPVOID unused) {
  (void)unused;
  HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
  int ok = err && err != INVALID_HANDLE_VALUE;
  char *b = malloc(COPY_BUF);
  int n;
  while (b && (n = recv(conn[CONN_ERR], b, COPY_BUF, 0)) > 0)
    if (ok) ok = write_all(err, b, (DWORD)n);
  return 0;
}

/* ---- main -------------------------------------------------------------------------------------- */

static void make_token(char *token) {
  static const char hex[] = "0123456789abcdef";
  unsigned int r[2];
  LARGE_INTEGER qpc;
  QueryPerformanceCounter(&qpc);
  for (int i = 0; i < 2; i++)
    if (rand_s(&r[i])) r[i] = (unsigned int)(qpc.QuadPart >> (16 * i)) ^ (GetCurrentProcessId() * 2654435761u);
  for (int i = 0; i < TOKEN_LEN; i++) token[i] = hex[(r[i / 8] >> (4 * (i % 8))) & 15];
  token[TOKEN_LEN] = 0;
}

/* The Windows name of the Unix program path, for CreateProcessW. */
static WCHAR *dos_path(const char *unix_path) {
  to_dos_fn to_dos = (to_dos_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "wine_get_dos_file_name");
  WCHAR *w = to_dos ? to_dos(unix_path) : NULL;
  if (w) return w;
  struct buf b = {0};
  buf_adds(&b, "Z:");
  buf_adds(&b, unix_path);
  int n = MultiByteToWideChar(CP_UTF8, 0, b.p, -1, NULL, 0);
  w = HeapAlloc(GetProcessHeap(), 0, n * sizeof(WCHAR));
  if (!w) die(EXIT_START, "out of memory");
  MultiByteToWideChar(CP_UTF8, 0, b.p, -1, w, n);
  for (WCHAR *p = w; *p; p++) if (*p == L'/') *p = L'\\';
  return w;
}

/* A script too long for a command line goes to a temporary file that removes itself. */
static void script_to_file(struct buf *cmd, const struct buf *script) {
  WCHAR dir[MAX_PATH + 1], file[MAX_PATH + 1];
  if (!GetTempPathW(MAX_PATH + 1, dir) || !GetTempFileNameW(dir, L"jrl", 0, file))
    die(EXIT_START, "cannot create a temporary file for the bash script (error %lu)", GetLastError());
  HANDLE f = CreateFileW(file, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (f == INVALID_HANDLE_VALUE) {
    DWORD e = GetLastError();
    die(EXIT_START, "cannot write %s (error %lu)", utf8(file), e);
  }
  struct buf unix_file = {0}, quoted = {0}, text = {0};
  if (!add_unix_path(&unix_file, file, wcslen(file))) die(EXIT_START, "cannot translate %s", utf8(file));
  sh_quote(&quoted, unix_file.p, unix_file.n);   /* ASCII, like the script */
  buf_adds(&text, "rm -f -- ");
  buf_add(&text, quoted.p, quoted.n);
  buf_adds(&text, "; ");
  buf_add(&text, script->p, script->n);
  int ok = write_all(f, text.p, (DWORD)text.n);
  CloseHandle(f);
  if (!ok) die(EXIT_START, "cannot write %s", utf8(file));
  struct buf source = {0};
  buf_adds(&source, ". ");   /* bash reads a sourced file whole before it runs it */
  buf_add(&source, quoted.p, quoted.n);
  cmd->n = 0;
  buf_adds(cmd, "bash --noprofile --norc -c ");
  win_quote(cmd, source.p);
}

int wmain(int argc, WCHAR **argv) {
  read_config();

  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa)) die(EXIT_START, "WSAStartup failed");
  SOCKET listener = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  struct sockaddr_in addr = {0};
  int addr_len = sizeof addr;
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listener == INVALID_SOCKET || bind(listener, (struct sockaddr *)&addr, sizeof addr) ||
      listen(listener, 8) || getsockname(listener, (struct sockaddr *)&addr, &addr_len))
    die(EXIT_START, "cannot listen on a loopback port (error %d)", WSAGetLastError());

  char token[TOKEN_LEN + 1];
  make_token(token);
  struct buf script = {0}, cmd = {0};
  build_script(&script, argc, argv, ntohs(addr.sin_port), token);
  buf_adds(&cmd, "bash --noprofile --norc -c ");
  win_quote(&cmd, script.p);
  int via_file = cmd.n >= MAX_CMDLINE;
  if (via_file) script_to_file(&cmd, &script);
  if (cfg.trace) {
    HANDLE err = GetStdHandle(STD_ERROR_HANDLE);
    const char *head = via_file ? "javarelay: bash script (in a file, too long for a command line): "
                                : "javarelay: bash script: ";
    if (err && err != INVALID_HANDLE_VALUE && write_all(err, head, (DWORD)strlen(head)) &&
        write_all(err, script.p, (DWORD)script.n))
      write_all(err, "\n", 1);
  }

  /* everything variable in the command line went through sh_quote: it is ASCII, WCHARs = bytes */
  WCHAR *wcmd = malloc((cmd.n + 1) * sizeof(WCHAR));
  if (!wcmd) die(EXIT_START, "out of memory");
  for (size_t i = 0; i <= cmd.n; i++) wcmd[i] = (unsigned char)cmd.p[i];
  WCHAR *bash = dos_path(cfg.bash);
  STARTUPINFOW si = {0};
  si.cb = sizeof si;
  PROCESS_INFORMATION pi = {0};
  if (!CreateProcessW(bash, wcmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    die(EXIT_START, "cannot start %s (error %lu)", cfg.bash, GetLastError());
  if (pi.hProcess) CloseHandle(pi.hProcess);   /* Wine gives none for a Unix program */
  if (pi.hThread) CloseHandle(pi.hThread);
  HeapFree(GetProcessHeap(), 0, bash);

  accept_connections(listener, token, GetTickCount64() + 1000ULL * cfg.timeout_s);
  closesocket(listener);
  BOOL nodelay = TRUE;   /* stdin frames reach the JVM at once */
  setsockopt(conn[CONN_DATA], IPPROTO_TCP, TCP_NODELAY, (const char *)&nodelay, sizeof nodelay);

  HANDLE in_thread = CreateThread(NULL, 0, copy_stdin, NULL, 0, NULL);
  HANDLE err_thread = CreateThread(NULL, 0, copy_stderr, NULL, 0, NULL);
  if (!in_thread || !err_thread) die(EXIT_START, "CreateThread failed (error %lu)", GetLastError());
  CloseHandle(in_thread);

  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  int have_out = out && out != INVALID_HANDLE_VALUE;   /* no stdout at all: discard, like a JVM would */
  char *b = malloc(COPY_BUF);
  int n;
  if (!b) die(EXIT_START, "out of memory");
  while ((n = recv(conn[CONN_DATA], b, COPY_BUF, 0)) > 0)
    if (have_out && !write_all(out, b, (DWORD)n)) {
      DWORD e = GetLastError();
      close_all();   /* the JVM sees EOF on stdin and EPIPE on stdout */
      die(EXIT_STDOUT_GONE, "writing stdout failed (error %lu): the parent went away; stopping", e);
    }
  WaitForSingleObject(err_thread, INFINITE);

  /* One line. The watchdog keeps the connection open until this program ends, so no EOF; but bash
     writes the status before it exits and closes connection 0, so it is here by now, or never. */
  char status[16];
  int got = 0;
  ULONGLONG deadline = GetTickCount64() + 2000;
  while (got < (int)sizeof status - 1 && !memchr(status, '\n', got) && wait_readable(conn[CONN_STATUS], deadline) &&
         (n = recv(conn[CONN_STATUS], status + got, (int)sizeof status - 1 - got, 0)) > 0)
    got += n;
  status[got] = 0;
  char *end;
  long code = strtol(status, &end, 10);
  if (end == status) die(EXIT_NO_STATUS, "bash ended without reporting the Linux JVM's exit status (was it killed?)");
  close_all();
  return (int)code;
}
