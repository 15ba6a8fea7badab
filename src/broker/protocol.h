/* The frames and values of docs/protocol.md, as protocol.c reads and writes them, and the
   formatting helpers (msilog.c) it uses. Only what protocol.c needs is here, so that it builds
   natively with sanitizers for its fuzz test (src/testtools/framefuzz.c) whatever other Windows
   types the rest of the broker uses (broker.h includes this). */
#ifndef INUSE_PROTOCOL_H
#define INUSE_PROTOCOL_H

#include <windows.h>
#include <stdint.h>

#define PROTOCOL_VERSION 1
#define MAX_FRAME (16u * 1024u * 1024u)
#define MAX_DEPTH 8
#define KIND_REQUEST 1
#define KIND_REPLY 2

enum { OP_HELLO = 1, OP_GET_PROPERTY, OP_SET_PROPERTY, OP_FORMAT_RECORD, OP_MESSAGE,
       OP_GET_MODE, OP_SET_MODE, OP_GET_LANGUAGE, OP_RESULT, OP_DB_QUERY,
       OP_KNOWN_FOLDER = 11, OP_FILE_IDENTITY, OP_OPEN_EXCLUSIVE, OP_PROCESS_MODULES, OP_SERVICES,
       OP_WINDOW_TITLES = 16, OP_RM_START, OP_RM_JOIN, OP_RM_REGISTER, OP_RM_GET_LIST, OP_RM_END,
       OP_FILE_READ = 22, OP_FILE_INFO, OP_FILE_COPY, OP_FILE_MOVE, OP_FILE_DELETE, OP_FILE_WRITE, OP_SECURE_FOLDER,
       OP_REG_READ = 29, OP_REG_WRITE, OP_REG_DELETE_VALUE, OP_SFC_PROTECTED, OP_PATH_REMOTE, OP_CHECK_INSTALLED, OP_FOLDER_REMOVE,
       OP_SERVICE_QUERY, OP_SERVICE_STOP, OP_SERVICE_START, OP_REG_DELETE_KEY, OP_CONSOLE_WRITE };

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
void buf_bytes(buffer *b, const void *data, uint32_t n); /* a tagged bytes value */
void buf_list(buffer *b, uint32_t count);  /* a value list / list header */
void reply_begin(buffer *b, uint32_t id, uint32_t status, const char *api, const char *message);
int reply_send(HANDLE pipe, buffer *b);    /* fills in the length; 1 on success */
wchar_t *utf8_to_wide(const uint8_t *data, uint32_t length); /* malloc'ed, NULL if not valid UTF-8 */

/* Formatting into a fixed buffer, always terminated: what does not fit is cut. Returns 1 when all
   of it fit, 0 when it was cut (or size is 0). Every formatted write into a fixed buffer of the
   broker goes through these (a bare _snwprintf leaves a truncated buffer unterminated); the one
   exception is fsutil.c, which wintest.exe links without msilog.c and terminates by hand. */
int wfmt(wchar_t *out, size_t size, const wchar_t *fmt, ...);
int cfmt(char *out, size_t size, const char *fmt, ...);

#endif
