/* inuse broker: the custom-action DLL that Windows Installer calls. It starts the Java engine as a
   child process and serves the engine's requests (docs/protocol.md). It makes no product
   decision: its own mechanics are finding and checking the runtime, the extraction folder and
   the timeout. One file per area:
     actions.c    the exports (one per custom action) and the run of one action
     protocol.c   frames and values, both directions (protocol.h: all it needs, so that it also
                  builds natively for its fuzz test, src/testtools/framefuzz.c)
     requests.c   the MSI requests of the protocol, as a table
     machine.c    the machine requests: known folders, file identity, exclusive open, processes, services
     windows.c    the machine request WINDOW_TITLES (visible top-level windows of processes)
     restartmgr.c the Restart Manager requests (RM_START .. RM_END) and the action's sessions
     files.c      the file requests: FILE_READ .. FILE_WRITE, PATH_REMOTE
     registry.c   the registry requests: REG_READ, REG_WRITE, REG_DELETE_VALUE, REG_DELETE_KEY
     console.c    CONSOLE_WRITE, served only by the command-line launcher (src/launcher), which has no MSI session
     security.c   SECURE_FOLDER (an admin-only folder), CHECK_INSTALLED (a folder nobody else may change) and SFC_PROTECTED
     args.c       argument checks and error replies shared by files.c, registry.c and security.c
     engine.c     serving the engine process: frames, stderr, timeout, ending it
     launch.c     starting the engine process: command line, environment, pipes, job object
     runtime.c    finding and checking the Java runtime
     payload.c    the engine and runtime embedded in this DLL: extraction folder, hashes
     msilog.c     the MSI log, CustomActionData look-ups
     trust.c      whether a path may be trusted by an elevated process (its owner and DACL)
     fsutil.c     deleting a tree without following reparse points */
#ifndef INUSE_BROKER_H
#define INUSE_BROKER_H

#include <windows.h>
#include <msi.h>
#include <msiquery.h>
#include <stdint.h>

#include "protocol.h"

#define RM_MAX_SESSIONS 16   /* Restart Manager sessions one action may hold open (Windows allows 64 per user session) */

/* The broker's state during one action. */
typedef struct broker {
  MSIHANDLE session;     /* 0 in the command-line launcher: log lines go to its stderr, MSI requests are refused */
  const wchar_t *action;
  int deferred;          /* deferred, rollback or commit: requests.c grants only what Windows grants there */
  int commit;            /* a commit action, which Windows gives even less */
  int hello_done;
  int result;            /* -1 until RESULT arrives */
  int fatal;             /* the conversation cannot go on (a HELLO of another version) */
  wchar_t asked[1024];   /* property names the engine asked for, comma-separated (test evidence) */
  DWORD rm_session[RM_MAX_SESSIONS];   /* Restart Manager sessions this action started or joined, still open */
  uint32_t rm_count;
  uint32_t served;       /* requests served, and the time spent serving them: the primitives' own time (benchmarks) */
  double serving_ms;
} broker;

/* requests.c: serves one request and writes its reply into *reply (sent by engine.c) */
typedef struct request {
  broker *b;
  const frame *f;
  buffer *reply;
} request;
void serve_request(broker *b, const frame *f, buffer *reply);
int request_error(request *r, uint32_t status, const char *api, const char *message);  /* an error reply; returns 1 */
void request_ok(request *r, uint32_t values);   /* a success reply's header: then `values` values */

/* machine.c: the machine requests (KNOWN_FOLDER .. SERVICES), rows of requests.c's table; each
   writes its whole reply and returns 1. */
int machine_known_folder(request *r);
int machine_file_identity(request *r);
int machine_open_exclusive(request *r);
int machine_process_modules(request *r);
int machine_services(request *r);
int machine_window_titles(request *r);   /* windows.c */
int service_query(request *r);           /* services.c: SERVICE_QUERY, SERVICE_STOP, SERVICE_START */
int service_stop(request *r);
int service_start(request *r);

/* restartmgr.c: the Restart Manager requests (RM_START .. RM_END), same contract. A session handle
   is served only when this action started or joined it; rm_end_all ends those still open (actions.c,
   when the engine is done). RM_JOIN is never passed to RmJoinSession under Wine (it aborts there). */
int rm_start_session(request *r);
int rm_join_session(request *r);
int rm_register_resources(request *r);
int rm_get_list(request *r);
int rm_end_session(request *r);
void rm_end_all(broker *b);

/* args.c: for the handlers of files.c, registry.c and security.c */
#define MAX_PATH_CHARS 32767
int api_error(request *r, uint32_t status, const char *api, const char *what);  /* "<what>: <api> error <n>"; returns 1 */
int bad_request(request *r, const char *expected);   /* 87, api "protocol", "wrong arguments: expected ..."; returns 1 */
int arg_types(request *r, const char *types);        /* 'i' integer, 's' string, 'b' bytes, 'S' string or null */
int arg_in_range(request *r, int index, int64_t low, int64_t high);
wchar_t *arg_text(request *r, int index, size_t min, size_t max);  /* malloc'ed; NULL: not a string, a NUL, or out of min..max characters */
wchar_t *arg_path(request *r, int index);            /* 1..32767 characters, "\??\" made "\\?\"; malloc'ed or NULL */

/* files.c, registry.c, security.c: the file, registry and security requests (ops 22..33), same
   contract as machine.c's */
int file_read(request *r);
int file_info(request *r);
int file_copy(request *r);
int file_move(request *r);
int file_delete(request *r);
int folder_remove(request *r);
int file_write(request *r);
int path_remote(request *r);
int reg_read(request *r);
int reg_write(request *r);
int reg_delete_value(request *r);
int reg_delete_key(request *r);
int console_write(request *r);   /* console.c: the command-line launcher's output; refused inside an MSI */
int secure_folder(request *r);
int check_installed(request *r);
int sfc_protected(request *r);

/* msilog.c; with session 0 (the command-line launcher) a line goes to session_less_log, when set */
void log_line(MSIHANDLE session, const wchar_t *fmt, ...);
extern void (*session_less_log)(const wchar_t *line);
wchar_t *get_property(MSIHANDLE session, const wchar_t *name);   /* malloc'ed, never NULL ("" on error) */
wchar_t *read_property(MSIHANDLE session, const wchar_t *name, UINT *rc); /* malloc'ed, NULL with *rc on error */
wchar_t *cad_lookup(const wchar_t *cad, const wchar_t *key);     /* malloc'ed, NULL if absent or malformed */
wchar_t *action_setting(MSIHANDLE session, int deferred, const wchar_t *name); /* property, or CustomActionData when deferred */

/* runtime.c */
typedef struct runtime {
  wchar_t home[MAX_PATH];   /* a full path (GetFullPathNameW), no trailing backslash */
  wchar_t java[MAX_PATH];
  wchar_t source[64];    /* "embedded", "INUSE_JAVA_HOME", or the registry key's distribution */
  wchar_t version[64];
  HANDLE *held;          /* what runtime_trust checked: open, without share-delete, until runtime_release */
  size_t held_count, held_capacity;
} runtime;
int runtime_check(const wchar_t *home, runtime *rt, wchar_t *why, size_t why_size);  /* holds nothing */
/* The home, every folder above it up to the volume root, and every file and folder under bin\,
   lib\ and conf\, each opened, checked (trust.c) and held. 1 trusted, -1 the platform (Wine) cannot
   answer (held too), 0 not trusted with a reason (nothing held). */
int runtime_trust(runtime *rt, wchar_t *why, size_t why_size);
int runtime_trusted(MSIHANDLE session, runtime *rt, wchar_t *why, size_t why_size); /* runtime_trust, logs "cannot answer"; 1 or 0 */
/* The newest registered usable runtime; with strict (elevated), the newest that runtime_trust does
   not refuse, held. 1 found, 0 none registered and usable, -1 usable ones but none trusted. */
int runtime_from_registry(MSIHANDLE session, int strict, runtime *rt, wchar_t *why, size_t why_size);
void runtime_release(runtime *rt);   /* closes what runtime_trust holds; harmless when nothing is held */

/* payload.c */
typedef struct payload {
  wchar_t folder[MAX_PATH];   /* the extraction folder, "" when nothing was extracted */
  int has_runtime;
} payload;
int running_elevated(void);   /* elevated or SYSTEM: the strict rules apply */
int payload_extract(MSIHANDLE session, HMODULE self, payload *p, wchar_t *why, size_t why_size);
void payload_remove(MSIHANDLE session, payload *p);
int delete_tree(const wchar_t *path);  /* fsutil.c: never follows a reparse point */

/* trust.c: whether a path may be trusted by an elevated process (its owner and DACL).
   sd_verdict is pure: 1 when the descriptor lets nobody but Administrators, SYSTEM and
   TrustedInstaller own it or change it in a way that matters for the kind, 0 with a reason.
   hold_checked opens the path itself (no reparse point), judges the descriptor read from the handle
   and keeps the handle in *held: 1, or -1 when the platform (Wine) cannot answer; 0 closes it. */
enum {
  TRUST_RUNTIME_FILE = 1,    /* a file of the runtime: no write, append, EA, attributes, delete, DAC or owner */
  TRUST_RUNTIME_FOLDER,      /* a folder of the runtime: also no adding files or subfolders, no deleting children */
  TRUST_ANCESTOR_FOLDER,     /* a folder above the runtime: no delete, delete-child, DAC or owner (adding is fine) */
  TRUST_ADMIN_ONLY           /* the extraction folder: a protected DACL granting Administrators and SYSTEM only */
};
int sd_verdict(PSECURITY_DESCRIPTOR sd, int kind, wchar_t *why, size_t why_size);
int hold_checked(const wchar_t *path, int kind, HANDLE *held, wchar_t *why, size_t why_size);
/* 1 when path passes TRUST_ADMIN_ONLY (exact) or TRUST_RUNTIME_FOLDER, -1 when Wine cannot answer, 0 with a reason */
int admin_only(const wchar_t *path, int exact, wchar_t *why, size_t why_size);
int on_wine(void);

/* engine.c (serving the engine) and launch.c (starting it) */
int debug_port(void);   /* INUSE_ENGINE_DEBUG as a port, else 0 */
typedef struct engine_run {
  const runtime *rt;
  const wchar_t *classpath;
  const wchar_t *folder;  /* the admin-only extraction folder: the engine's working directory */
  DWORD timeout_ms;
  int debug_port;        /* INUSE_ENGINE_DEBUG when honoured (never elevated), else 0 */
} engine_run;
UINT engine_serve(broker *b, const engine_run *run);
int start_engine(broker *b, const engine_run *run, HANDLE child[3], PROCESS_INFORMATION *pi, HANDLE job);
HANDLE kill_on_close_job(void);
int make_pipes(HANDLE ours[3], HANDLE child[3]);

#endif
