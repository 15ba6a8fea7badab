/* inuse broker: the custom-action DLL that Windows Installer calls. It starts the Java engine as a
   child process and serves the engine's requests (docs/protocol.md). It makes no product
   decision: its own mechanics are finding and checking the runtime, the extraction folder and
   the timeout. One file per area:
     actions.c    the exports (one per custom action) and the run of one action
     protocol.c   frames and values, both directions
     requests.c   the MSI requests of the protocol, as a table
     engine.c     the engine process: pipes, job object, stderr, timeout
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

#define PROTOCOL_VERSION 1
#define MAX_FRAME (16u * 1024u * 1024u)
#define MAX_DEPTH 8
#define KIND_REQUEST 1
#define KIND_REPLY 2

enum { OP_HELLO = 1, OP_GET_PROPERTY, OP_SET_PROPERTY, OP_FORMAT_RECORD, OP_MESSAGE,
       OP_GET_MODE, OP_SET_MODE, OP_GET_LANGUAGE, OP_RESULT, OP_DB_QUERY };

enum { V_NULL = 0, V_INT = 1, V_STRING = 2, V_BYTES = 3, V_LIST = 4 };

/* A decoded value; strings and bytes point into the frame they came from. */
typedef struct value {
  int tag;
  int64_t integer;
  const uint8_t *data;   /* V_STRING (UTF-8), V_BYTES */
  uint32_t length;       /* bytes of data, or items of a list */
  struct value *items;   /* V_LIST */
} value;

typedef struct frame {
  uint8_t *body;         /* the bytes after the length prefix, owned */
  uint32_t size;
  int kind;
  uint32_t id;
  int op;
  value args;            /* V_LIST of the request's values */
} frame;

/* A reply under construction. */
typedef struct buffer {
  uint8_t *data;
  size_t size, capacity;
  int failed;            /* out of memory: the reply is dropped and the action fails */
} buffer;

/* protocol.c */
int frame_read(HANDLE pipe, frame *f, char *error, size_t error_size);  /* 1 frame, 0 end of stream, -1 error (f->id set when read) */
void frame_free(frame *f);
void buf_u8(buffer *b, uint8_t v);
void buf_u32(buffer *b, uint32_t v);
void buf_int(buffer *b, int64_t v);         /* a tagged integer value */
void buf_wstring(buffer *b, const wchar_t *s); /* a tagged string value, UTF-16 to UTF-8 */
void buf_list(buffer *b, uint32_t count);  /* a value list / list header */
void reply_begin(buffer *b, uint32_t id, uint32_t status, const char *api, const char *message);
int reply_send(HANDLE pipe, buffer *b);    /* fills in the length; 1 on success */
wchar_t *utf8_to_wide(const uint8_t *data, uint32_t length); /* malloc'ed, NULL if not valid UTF-8 */

/* The broker's state during one action. */
typedef struct broker {
  MSIHANDLE session;
  const wchar_t *action;
  int deferred;          /* deferred, rollback or commit: requests.c grants only what Windows grants there */
  int commit;            /* a commit action, which Windows gives even less */
  int hello_done;
  int result;            /* -1 until RESULT arrives */
  int fatal;             /* the conversation cannot go on (a HELLO of another version) */
  wchar_t asked[1024];   /* property names the engine asked for, comma-separated (test evidence) */
} broker;

/* requests.c: serves one request and writes its reply into *reply (sent by engine.c) */
void serve_request(broker *b, const frame *f, buffer *reply);

/* msilog.c */
/* Formatting into a fixed buffer, always terminated: what does not fit is cut. Returns 1 when all
   of it fit, 0 when it was cut (or size is 0). Every formatted write into a fixed buffer of the
   broker goes through these (a bare _snwprintf leaves a truncated buffer unterminated). */
int wfmt(wchar_t *out, size_t size, const wchar_t *fmt, ...);
int cfmt(char *out, size_t size, const char *fmt, ...);
void log_line(MSIHANDLE session, const wchar_t *fmt, ...);
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

/* engine.c */
int debug_port(void);   /* INUSE_ENGINE_DEBUG as a port, else 0 */
typedef struct engine_run {
  const runtime *rt;
  const wchar_t *classpath;
  DWORD timeout_ms;
  int debug_port;        /* INUSE_ENGINE_DEBUG when honoured (never elevated), else 0 */
} engine_run;
UINT engine_serve(broker *b, const engine_run *run);

#endif
