/* The broker's side of docs/protocol.md: reads and validates the engine's frames, writes replies.
   Every length and count is checked against what remains before it is used; a malformed frame is
   an error with a message, never a read past the buffer. Memory follows the values a frame really
   holds, never the counts it claims (src/testtools/framefuzz.c fuzzes this decoder). */
#include "protocol.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int read_exact(HANDLE pipe, uint8_t *to, uint32_t size, uint32_t *got) {
  *got = 0;
  while (*got < size) {
    DWORD n = 0;
    if (!ReadFile(pipe, to + *got, size - *got, &n, NULL) || n == 0) return 0;
    *got += n;
  }
  return 1;
}

static uint32_t le32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

typedef struct reader {
  const uint8_t *p, *end;
  char *error;
  size_t error_size;
  const uint8_t *start;
} reader;

static int fail(reader *r, const char *what) {
  cfmt(r->error, r->error_size, "malformed frame at offset %u: %s", (unsigned)(r->p - r->start), what);
  return 0;
}

static int take(reader *r, size_t n, const uint8_t **out) {
  if ((size_t)(r->end - r->p) < n) return fail(r, "value runs past the end of the frame");
  *out = r->p;
  r->p += n;
  return 1;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
static int valid_utf8(const uint8_t *s, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    uint8_t c = s[i];
    int extra; uint32_t cp, min;
    if (c < 0x80) { i++; continue; }
    else if ((c & 0xE0) == 0xC0) { extra = 1; cp = c & 0x1F; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { extra = 2; cp = c & 0x0F; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { extra = 3; cp = c & 0x07; min = 0x10000; }
    else return 0;
    if (n - i <= (uint32_t)extra) return 0;
    for (int k = 1; k <= extra; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    i += extra + 1;
  }
  return 1;
}

/* A frame is decoded in two passes over its body (frame_read). The first, build = 0, checks every
   value and allocates nothing: a list's items are read into a scratch value and dropped. Only a
   frame that passes it is read again with build = 1, and then each list's count is known to be
   the number of values that really follow, so the items arrays together take sizeof(value) per
   value present. (One pass that allocated a claimed count up front let 8 nested lists each claim
   the whole 16 MiB frame: 8 x 671 MB for one frame.) */
static int read_value(reader *r, value *v, int depth, int build);

static int read_list(reader *r, value *v, int depth, int build) {
  const uint8_t *p;
  v->tag = V_LIST;
  v->length = 0;
  v->items = NULL;
  if (depth > MAX_DEPTH) return fail(r, "lists nested deeper than 8");
  if (!take(r, 4, &p)) return 0;
  uint32_t count = le32(p);
  /* every value takes at least its tag byte, as in FrameCodec.java */
  if (count > (uint32_t)(r->end - r->p)) return fail(r, "list count larger than the bytes left");
  if (!build) {
    for (uint32_t i = 0; i < count; i++) {
      value item = { 0 };
      if (!read_value(r, &item, depth, 0)) return 0;
    }
    return 1;
  }
  if (count) {
    v->items = calloc(count, sizeof(value));
    if (!v->items) { cfmt(r->error, r->error_size, "out of memory for a list of %u values", count); return 0; }
    v->length = count;   /* only now: free_value walks length items */
  }
  for (uint32_t i = 0; i < count; i++)
    if (!read_value(r, &v->items[i], depth, 1)) return 0;
  return 1;
}

static int read_value(reader *r, value *v, int depth, int build) {
  const uint8_t *p;
  if (!take(r, 1, &p)) return 0;
  v->tag = *p;
  switch (v->tag) {
  case V_NULL:
    return 1;
  case V_INT:
    if (!take(r, 8, &p)) return 0;
    v->integer = (int64_t)((uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32);
    return 1;
  case V_STRING:
  case V_BYTES:
    if (!take(r, 4, &p)) return 0;
    v->length = le32(p);
    if (!take(r, v->length, &v->data)) return 0;
    /* the first pass checked it already */
    if (!build && v->tag == V_STRING && !valid_utf8(v->data, v->length)) return fail(r, "string is not valid UTF-8");
    return 1;
  case V_LIST:
    return read_list(r, v, depth + 1, build);
  default:
    r->p--;   /* report the tag's own offset */
    return fail(r, "unknown value tag");
  }
}

static void free_value(value *v) {
  if (v->tag == V_LIST && v->items) {
    for (uint32_t i = 0; i < v->length; i++) free_value(&v->items[i]);
    free(v->items);
  }
  v->items = NULL;
}

void frame_free(frame *f) {
  free_value(&f->args);
  free(f->body);
  memset(f, 0, sizeof *f);
}

int frame_read(HANDLE pipe, frame *f, char *error, size_t error_size) {
  uint8_t prefix[4];
  uint32_t got;
  memset(f, 0, sizeof *f);
  if (!read_exact(pipe, prefix, 4, &got)) {
    if (got == 0) return 0;
    cfmt(error, error_size, "stream ended after %u of 4 length bytes", got);
    return -1;
  }
  uint32_t size = le32(prefix);
  if (size > MAX_FRAME || size < 7) {
    cfmt(error, error_size, "malformed frame: declared length %u is outside 7..%u", size, MAX_FRAME);
    return -1;
  }
  f->body = malloc(size);
  if (!f->body) { cfmt(error, error_size, "out of memory for a frame of %u bytes", size); return -1; }
  f->size = size;
  if (!read_exact(pipe, f->body, size, &got)) {
    cfmt(error, error_size, "stream ended after %u of %u frame bytes", got, size);
    return -1;
  }
  reader r = { f->body, f->body + size, error, error_size, f->body };
  const uint8_t *p;
  take(&r, 1, &p);
  f->kind = *p;
  take(&r, 4, &p);
  f->id = le32(p);
  if (f->kind != KIND_REQUEST) { fail(&r, "the engine may send only requests (kind 1)"); return -1; }
  if (!take(&r, 2, &p)) return -1;
  f->op = p[0] | p[1] << 8;
  /* the value list itself is depth 0: a list value in it is depth 1, as in FrameCodec.java */
  const uint8_t *values = r.p;
  value check = { 0 };
  if (!read_list(&r, &check, 0, 0)) return -1;   /* the first pass allocates nothing */
  if (r.p != r.end) { fail(&r, "bytes left after the last value"); return -1; }
  r.p = values;
  if (!read_list(&r, &f->args, 0, 1)) {   /* fails only when out of memory */
    free_value(&f->args);
    return -1;
  }
  return 1;
}

wchar_t *utf8_to_wide(const uint8_t *data, uint32_t length) {
  int n = length ? MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, (const char *)data, (int)length, NULL, 0) : 0;
  if (length && n <= 0) return NULL;
  wchar_t *w = malloc(((size_t)n + 1) * sizeof(wchar_t));
  if (!w) return NULL;
  if (n) MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, (const char *)data, (int)length, w, n);
  w[n] = 0;
  return w;
}

static void buf_put(buffer *b, const void *data, size_t n) {
  if (b->failed) return;
  if (b->size + n > b->capacity) {
    size_t capacity = b->capacity ? b->capacity : 256;
    while (capacity < b->size + n) capacity *= 2;
    uint8_t *grown = realloc(b->data, capacity);
    if (!grown) { b->failed = 1; return; }
    b->data = grown;
    b->capacity = capacity;
  }
  memcpy(b->data + b->size, data, n);
  b->size += n;
}

void buf_u8(buffer *b, uint8_t v) { buf_put(b, &v, 1); }

void buf_u32(buffer *b, uint32_t v) {
  uint8_t p[4] = { v & 0xFF, v >> 8 & 0xFF, v >> 16 & 0xFF, v >> 24 & 0xFF };
  buf_put(b, p, 4);
}

void buf_int(buffer *b, int64_t v) {
  buf_u8(b, V_INT);
  buf_u32(b, (uint32_t)((uint64_t)v & 0xFFFFFFFFu));
  buf_u32(b, (uint32_t)((uint64_t)v >> 32));
}

/* The UTF-8 of a UTF-16 string, without a tag; an unpaired surrogate becomes U+FFFD. */
static void buf_utf8(buffer *b, const wchar_t *s, size_t chars) {
  int n = chars ? WideCharToMultiByte(CP_UTF8, 0, s, (int)chars, NULL, 0, NULL, NULL) : 0;
  char *u = malloc((size_t)n + 1);
  if (!u) { b->failed = 1; return; }
  if (n) WideCharToMultiByte(CP_UTF8, 0, s, (int)chars, u, n, NULL, NULL);
  buf_u32(b, (uint32_t)n);
  buf_put(b, u, (size_t)n);
  free(u);
}

void buf_wstring(buffer *b, const wchar_t *s) {
  buf_u8(b, V_STRING);
  buf_utf8(b, s, wcslen(s));
}

void buf_bytes(buffer *b, const void *data, uint32_t n) {
  buf_u8(b, V_BYTES);
  buf_u32(b, n);
  buf_put(b, data, n);
}

void buf_list(buffer *b, uint32_t count) { buf_u32(b, count); }

void reply_begin(buffer *b, uint32_t id, uint32_t status, const char *api, const char *message) {
  b->size = 0;
  b->failed = 0;
  buf_u32(b, 0); /* the length, filled in by reply_send */
  buf_u8(b, KIND_REPLY);
  buf_u32(b, id);
  buf_u32(b, status);
  buf_u32(b, (uint32_t)strlen(api));
  buf_put(b, api, strlen(api));
  buf_u32(b, (uint32_t)strlen(message));
  buf_put(b, message, strlen(message));
}

int reply_send(HANDLE pipe, buffer *b) {
  if (b->failed || b->size - 4 > MAX_FRAME) return 0;
  uint32_t size = (uint32_t)(b->size - 4);
  b->data[0] = size & 0xFF; b->data[1] = size >> 8 & 0xFF; b->data[2] = size >> 16 & 0xFF; b->data[3] = size >> 24;
  size_t sent = 0;
  while (sent < b->size) {
    DWORD n = 0;
    if (!WriteFile(pipe, b->data + sent, (DWORD)(b->size - sent), &n, NULL) || n == 0) return 0;
    sent += n;
  }
  return 1;
}
