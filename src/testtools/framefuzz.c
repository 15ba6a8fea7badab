/* framefuzz: fuzzes the broker's frame decoder, frame_read in src/broker/protocol.c.

   Native Linux build with gcc's sanitizers, not mingw-w64 under Wine: AddressSanitizer catches a
   read even one byte past the frame body or an items array, UndefinedBehaviorSanitizer an
   overflowing shift or a bad enum, LeakSanitizer a leak, none of which a counting allocator
   under Wine could see. protocol.c needs only a few Windows names; framefuzz-shim/ declares them
   and this file implements them: ReadFile reads an in-memory stream in random chunks, as a pipe
   delivers them. The decoder never uses wchar_t (only the reply side converts UTF-16, and the
   shim's stand-ins for that abort if called), so wchar_t can stay Linux's 32 bits. protocol.c's malloc,
   calloc, realloc and free go to the counting allocator below (the shim renames them), which
   measures each frame's peak, checks that frame_free leaves nothing, injects failures and refuses
   to go past a budget (FRAMEFUZZ_BUDGET_MB, default 1024) so that a broken decoder fails the run
   instead of the machine.

     gcc -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -Wall -Wextra -Werror \
         -I src/testtools/framefuzz-shim -I src/broker \
         src/testtools/framefuzz.c src/broker/protocol.c -o framefuzz
     ./framefuzz [frames [seed]]      (BrokerDecoderFuzzTest runs it in mvn verify)

   For every frame it checks frame_read against an independent reference checker (ref_frame): a
   frame is accepted exactly when the reference finds it well-formed; a rejection is -1 with the
   decoder's own message of the right kind, terminated within the error buffer however small; an
   accepted frame's values, encoded again, are exactly the frame's bytes and point into its body;
   and the bytes allocated never pass the frame's size plus sizeof(value) for each value present.
   The corpus: frames of every value type, empty and nested lists up to the maximum depth, big
   strings, UTF-8 edge cases, and mutations of them (bit flips, truncations, length and count
   fields set large, nested lists claiming huge counts, deleted and inserted bytes, two frames
   in one stream); first, two 16 MiB frames whose 8 nested lists each claim the rest of the frame
   (their peak allocation must stay under twice the frame) and one of 16 M nulls, the most values
   a frame can hold. Prints a summary line; exits 1 on any problem. The seed is fixed unless given. */
#define FRAMEFUZZ_HARNESS
#include "protocol.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n) ((void)(p), (void)(n))
#endif

static uint64_t rng;
static uint32_t rnd32(void) {   /* xorshift64* */
  rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
  return (uint32_t)((rng * 0x2545F4914F6CDD1DULL) >> 32);
}
static uint32_t rnd(uint32_t n) { return n ? rnd32() % n : 0; }
static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

/* ---- the counting allocator: a 16-byte header holds the size, poisoned for ASan ---- */
#define HDR 16
static size_t live, peak, budget, allocs, fail_at;
static int injected;
static void alloc_reset(size_t fail) { peak = live; allocs = 0; fail_at = fail; injected = 0; }
static void *counted(size_t n, int zero) {
  allocs++;
  if (live + n > peak) peak = live + n;   /* what was asked for, granted or not */
  if (allocs == fail_at) { injected = 1; return NULL; }
  if (n > budget || live + n > budget) return NULL;
  uint8_t *p = zero ? calloc(1, HDR + n) : malloc(HDR + n);
  if (!p) return NULL;
  memcpy(p, &n, sizeof n);
  ASAN_POISON_MEMORY_REGION(p, HDR);
  live += n;
  return p + HDR;
}
void *fuzz_malloc(size_t n) { return counted(n, 0); }
void *fuzz_calloc(size_t k, size_t n) { return n && k > SIZE_MAX / n ? NULL : counted(k * n, 1); }
static size_t size_of(void *q) {   /* reads q's header (and leaves it unpoisoned) */
  size_t n;
  ASAN_UNPOISON_MEMORY_REGION((uint8_t *)q - HDR, HDR);
  memcpy(&n, (uint8_t *)q - HDR, sizeof n);
  return n;
}
void fuzz_free(void *q) { if (q) { live -= size_of(q); free((uint8_t *)q - HDR); } }
void *fuzz_realloc(void *q, size_t n) {
  void *r = fuzz_malloc(n);
  if (r && q) { size_t old = size_of(q); memcpy(r, q, old < n ? old : n); fuzz_free(q); }
  return r;
}

/* ---- the shims: an in-memory stream read in chunks; cfmt as in msilog.c (protocol.c uses no wfmt) ---- */
typedef struct stream { const uint8_t *data; size_t size, pos, chunk; } stream;
BOOL ReadFile(HANDLE h, void *to, DWORD want, DWORD *got, void *overlapped) {
  stream *s = h;
  size_t n = s->size - s->pos < want ? s->size - s->pos : want;
  if (s->chunk && n > 1) { size_t c = 1 + rnd((uint32_t)s->chunk); n = c < n ? c : n; }
  (void)overlapped;
  memcpy(to, s->data + s->pos, n);
  s->pos += n;
  *got = (DWORD)n;
  return n > 0;   /* a broken pipe at the end, as when the engine exits */
}
int cfmt(char *out, size_t size, const char *fmt, ...) {
  if (size == 0) return 0;
  va_list args;
  va_start(args, fmt);
  int n = vsnprintf(out, size, fmt, args);
  va_end(args);
  out[size - 1] = 0;
  return n >= 0 && (size_t)n < size;
}

/* ---- the reference checker: docs/protocol.md read again, in 64-bit arithmetic ---- */
typedef struct ref { const uint8_t *b; uint64_t pos, size, values; } ref;
static int ref_utf8(const uint8_t *s, uint64_t n) {   /* Unicode table 3-7, well-formed sequences */
  for (uint64_t i = 0; i < n;) {
    uint8_t c = s[i], lo = 0x80, hi = 0xBF;
    uint64_t len;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) len = 2;
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; lo = c == 0xE0 ? 0xA0 : 0x80; hi = c == 0xED ? 0x9F : 0xBF; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; lo = c == 0xF0 ? 0x90 : 0x80; hi = c == 0xF4 ? 0x8F : 0xBF; }
    else return 0;
    if (n - i < len || s[i + 1] < lo || s[i + 1] > hi) return 0;
    for (uint64_t k = 2; k < len; k++) if (s[i + k] < 0x80 || s[i + k] > 0xBF) return 0;
    i += len;
  }
  return 1;
}
static int ref_u32(ref *r, uint32_t *v) {
  if (r->size - r->pos < 4) return 0;
  *v = le32(r->b + r->pos);
  r->pos += 4;
  return 1;
}
static int ref_list(ref *r, int depth) {   /* a count and its values; no count check up front */
  uint32_t n, len;
  if (!ref_u32(r, &n)) return 0;
  for (uint32_t i = 0; i < n; i++) {
    if (r->pos >= r->size) return 0;
    uint8_t tag = r->b[r->pos++];
    r->values++;
    if (tag == V_INT) { if (r->size - r->pos < 8) return 0; r->pos += 8; }
    else if (tag == V_STRING || tag == V_BYTES) {
      if (!ref_u32(r, &len) || len > r->size - r->pos) return 0;
      if (tag == V_STRING && !ref_utf8(r->b + r->pos, len)) return 0;
      r->pos += len;
    } else if (tag == V_LIST) { if (depth == MAX_DEPTH || !ref_list(r, depth + 1)) return 0; }
    else if (tag != V_NULL) return 0;
  }
  return 1;
}
enum { R_END, R_PREFIX_CUT, R_BAD_LENGTH, R_BODY_CUT, R_MALFORMED, R_OK };
typedef struct verdict { int kind; uint32_t size; uint64_t values; } verdict;
static verdict ref_frame(const uint8_t *s, size_t n) {
  verdict v = { R_END, 0, 0 };
  if (n == 0) return v;
  v.kind = R_PREFIX_CUT;
  if (n < 4) return v;
  v.size = le32(s);
  v.kind = v.size > MAX_FRAME || v.size < 7 ? R_BAD_LENGTH : n - 4 < v.size ? R_BODY_CUT : R_MALFORMED;
  if (v.kind != R_MALFORMED) { if (v.kind == R_BAD_LENGTH) v.size = 0; return v; }
  ref r = { s + 4, 7, v.size, 0 };
  if (s[4] == KIND_REQUEST && ref_list(&r, 0) && r.pos == r.size) v.kind = R_OK;
  v.values = r.values;
  return v;
}

/* ---- checking one stream ---- */
static long frames, accepted, rejected, failures, shown;
static uint8_t *gen, *enc;   /* the stream being generated; an accepted frame encoded again */
static size_t gn, en;
#define GEN_CAP (4 + MAX_FRAME + 65536)

static void problem(const char *what, const char *err, const uint8_t *s, size_t n) {
  failures++;
  if (shown++ >= 10) return;
  printf("framefuzz: PROBLEM at frame %ld: %s (message: \"%s\"); %zu stream bytes:", frames, what, err, n);
  for (size_t i = 0; i < n && i < 48; i++) printf(" %02x", s[i]);
  printf("%s\n", n > 48 ? " ..." : "");
}
static int starts(const char *err, size_t esize, const char *prefix) {
  size_t k = strlen(prefix) < esize - 1 ? strlen(prefix) : esize - 1;
  return strncmp(err, prefix, k) == 0;
}
static int encode(const value *list, const frame *f) {   /* list's count and values, as sent */
  if (en + 4 > f->size || (list->length && !list->items)) return 0;
  for (int i = 0; i < 4; i++) enc[en++] = list->length >> 8 * i & 0xFF;
  for (uint32_t i = 0; i < list->length; i++) {
    const value *v = &list->items[i];
    if (en + 1 > f->size) return 0;
    enc[en++] = (uint8_t)v->tag;
    if (v->tag == V_INT) {
      if (en + 8 > f->size) return 0;
      for (int k = 0; k < 8; k++) enc[en++] = (uint64_t)v->integer >> 8 * k & 0xFF;
    } else if (v->tag == V_STRING || v->tag == V_BYTES) {
      if (v->data < f->body || v->data > f->body + f->size || v->length > (size_t)(f->body + f->size - v->data)) return 0;
      if (en + 4 + (size_t)v->length > f->size) return 0;
      for (int k = 0; k < 4; k++) enc[en++] = v->length >> 8 * k & 0xFF;
      memcpy(enc + en, v->data, v->length);
      en += v->length;
    } else if (v->tag == V_LIST) { if (!encode(v, f)) return 0; }
    else if (v->tag != V_NULL) return 0;
  }
  return 1;
}

/* Reads every frame of the stream s[0..n) as the broker would; returns the highest peak. */
static size_t check_stream(const uint8_t *s, size_t n, size_t chunk, size_t esize, size_t fail) {
  stream st = { s, n, 0, chunk };
  char err[300];
  size_t most = 0;
  for (;;) {
    size_t at = st.pos;
    verdict want = ref_frame(s + at, n - at);
    frame f;
    memset(err, 'X', sizeof err);
    alloc_reset(fail);
    int rc = frame_read(&st, &f, err, esize);
    const char *m = rc == -1 ? err : "";
    int cut = rc == -1 && !memchr(err, 0, esize), oom = injected && starts(err, esize, "out of memory for ");
    if (cut) { err[esize - 1] = 0; problem("error message not terminated in its buffer", err, s + at, n - at); }
    for (size_t i = esize; i < sizeof err; i++) if (err[i] != 'X') { problem("wrote past the error buffer", "", s, n); break; }
    if (want.kind == R_END && rc != 0) problem("end of stream not reported as 0", m, s + at, n - at);
    if (want.kind == R_PREFIX_CUT && (rc != -1 || !starts(err, esize, "stream ended after ")))
      problem("a cut length prefix not reported", m, s + at, n - at);
    if (want.kind == R_BAD_LENGTH && (rc != -1 || !starts(err, esize, "malformed frame: declared length ")))
      problem("a bad declared length not reported", m, s + at, n - at);
    if (want.kind == R_BODY_CUT && (rc != -1 || !(oom || starts(err, esize, "stream ended after "))))
      problem("a cut frame body not reported", m, s + at, n - at);
    if (want.kind == R_MALFORMED && (rc != -1 || !(oom || starts(err, esize, "malformed frame at offset "))))
      problem(rc == 1 ? "a malformed frame accepted" : "a malformed frame rejected with another message", m, s + at, n - at);
    if (want.kind == R_MALFORMED && rc == -1 && !oom && esize > 40 && strtoul(err + 26, NULL, 10) > want.size)
      problem("the offset in the message is past the frame", m, s + at, n - at);
    if (want.kind == R_OK && (injected ? rc != -1 || !oom : rc != 1))
      problem("a well-formed frame not accepted (or an injected failure not reported)", m, s + at, n - at);
    if (want.kind >= R_MALFORMED && f.body && f.id != le32(s + at + 5)) problem("f->id not set", m, s + at, n - at);
    if (rc == 1) {
      en = 0;
      if (f.kind != KIND_REQUEST || f.size != want.size || f.op != (s[at + 9] | s[at + 10] << 8) || f.args.tag != V_LIST
          || !encode(&f.args, &f) || en != f.size - 7 || memcmp(enc, s + at + 11, en) != 0)
        problem("the decoded values are not the frame's values", m, s + at, n - at);
    }
    if (peak > want.size + want.values * sizeof(value))
      problem("allocated more than the frame's size plus sizeof(value) per value present", m, s + at, n - at);
    most = peak > most ? peak : most;
    frame_free(&f);
    if (live) { problem("memory left allocated after frame_free", m, s + at, n - at); live = 0; }
    if (rc == 0) return most;
    frames++;
    if (rc == 1) accepted++; else rejected++;
    if (rc != 1) return most;
  }
}

/* ---- the generator: gen[0..gn), offsets of its u32 fields and tags kept for mutations ---- */
static size_t limit, fields[512], tags[512];
static int nfields, ntags;
static void g8(unsigned v) { if (gn < GEN_CAP) gen[gn++] = (uint8_t)v; }
static void g32(uint32_t v) { for (int i = 0; i < 4; i++) g8(v >> 8 * i & 0xFF); }
static void gfield(uint32_t v) { if (nfields < 512) fields[nfields++] = gn; g32(v); }
static void gtag(unsigned tag) { if (ntags < 512) tags[ntags++] = gn; g8(tag); }
static void put32(size_t at, uint32_t v) { for (int i = 0; i < 4; i++) gen[at + i] = v >> 8 * i & 0xFF; }
static void gcp(uint32_t c) {   /* one code point as UTF-8 */
  if (c < 0x80) g8(c);
  else if (c < 0x800) { g8(0xC0 | c >> 6); g8(0x80 | (c & 0x3F)); }
  else if (c < 0x10000) { g8(0xE0 | c >> 12); g8(0x80 | (c >> 6 & 0x3F)); g8(0x80 | (c & 0x3F)); }
  else { g8(0xF0 | c >> 18); g8(0x80 | (c >> 12 & 0x3F)); g8(0x80 | (c >> 6 & 0x3F)); g8(0x80 | (c & 0x3F)); }
}
static const uint32_t edges[] = { 0, 0x0A, 0x7F, 0x80, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFF, 0x10000, 0x10FFFF };
static const char *const bad_utf8[] = { "\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xED\xBF\xBF",
  "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF", "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\x80", "\xE2\x82", "\xF0\x9F\x98" };
static void gstring(int big, int bad) {
  size_t at = gn, start = gn + 4, want = big ? 65536 + rnd(1 << 20) : rnd(8) ? rnd(40) : rnd(2000);
  gfield(0);
  while (gn - start < want && gn < limit) {
    uint32_t c = rnd32();
    switch (rnd(bad ? 5 : 4)) {
    case 0: g8(0x20 + rnd(95)); break;
    case 1: gcp(edges[rnd(sizeof edges / sizeof edges[0])]); break;
    case 2: c %= 0x10F800; gcp(c >= 0xD800 ? c + 0x800 : c); break;   /* any but a surrogate */
    case 3: g8(rnd(2) ? 0 : '\n'); break;
    default: for (const char *b = bad_utf8[rnd(sizeof bad_utf8 / sizeof bad_utf8[0])]; *b; b++) g8((uint8_t)*b);
    }
  }
  put32(at, (uint32_t)(gn - start));
}
static void gvalue(int depth, int bad) {   /* a value in a list at depth */
  static const int64_t ints[] = { 0, 1, -1, INT64_MIN, INT64_MAX, 0x7FFFFFFF, -0x80000000LL, 0x100000000LL };
  unsigned tag = gn > limit ? V_NULL : rnd(depth < MAX_DEPTH ? 5 : 4);
  gtag(tag);
  uint64_t x = rnd(2) ? (uint64_t)ints[rnd(8)] : (uint64_t)rnd32() << 32 | rnd32();
  if (tag == V_INT) { g32((uint32_t)x); g32(x >> 32); }
  if (tag == V_STRING) gstring(0, bad);
  if (tag == V_BYTES) { uint32_t k = rnd(4) ? rnd(16) : rnd(3000); gfield(k); while (k--) g8(rnd(256)); }
  if (tag == V_LIST) { uint32_t k = rnd(4) ? rnd(5) : 0; gfield(k); for (uint32_t i = 0; i < k; i++) gvalue(depth + 1, bad); }
}
static void gframe(int big, int bad) {
  size_t at = gn, claims[9];
  int kind = rnd(10), levels = kind == 0 ? (rnd(4) ? 8 : 9) : 1 + rnd(9);
  g32(0);
  g8(KIND_REQUEST); g32(rnd32()); g8(rnd(10)); g8(rnd(8) ? 0 : rnd(256));
  if (kind <= 1) {   /* 0: a chain as deep as allowed (or one deeper), 1: a chain of huge claims */
    gfield(1);
    for (int d = 0; d < levels; d++) { gtag(V_LIST); claims[d] = gn; gfield(1 + rnd(3)); }
    for (int d = levels; d-- > 0;) {   /* each list's other values, innermost first */
      for (uint32_t i = le32(gen + claims[d]) - (d < levels - 1); i > 0; i--) gvalue(d + 1, bad);
      if (kind == 1) {
        uint32_t left = (uint32_t)(gn - claims[d] - 4);
        const uint32_t huge[] = { left, left + 1, 0xFFFFFFFFu, 0x80000000u, MAX_FRAME, rnd32() };
        put32(claims[d], huge[rnd(6)]);
      }
    }
  } else {
    uint32_t k = rnd(6);
    size_t count = gn;
    gfield(k);
    for (uint32_t i = 0; i < k; i++) gvalue(0, bad);
    if (big) { gtag(V_STRING); gstring(1, 0); put32(count, k + 1); }
  }
  put32(at, (uint32_t)(gn - at - 4));
}
static void mutate(void) {
  static const uint8_t bytes[] = { 0, 1, 2, 3, 4, 5, 0x7F, 0x80, 0xBF, 0xC0, 0xED, 0xF4, 0xFF };
  uint32_t at = rnd((uint32_t)gn), k = 1 + rnd(8);
  switch (rnd(9)) {
  case 0: for (uint32_t i = 0; i < k; i++) gen[rnd((uint32_t)gn)] ^= 1 << rnd(8); break;
  case 1: gen[at] = bytes[rnd(sizeof bytes)]; break;
  case 2: gn = at; break;   /* cut anywhere */
  case 3: if (nfields) {     /* a length or count set large */
      size_t f = fields[rnd(nfields)];
      uint32_t left = (uint32_t)(gn - f - 4);
      uint32_t big[] = { left, left + 1, left - 1, 0xFFFFFFFFu, 0x7FFFFFFF, MAX_FRAME, MAX_FRAME + 1, rnd32() };
      put32(f, big[rnd(8)]);
    } break;
  case 4: {   /* the declared length */
      uint32_t len[] = { 0, 5, 6, 7, 8, (uint32_t)gn - 3, (uint32_t)gn - 5, MAX_FRAME, MAX_FRAME + 1, 0xFFFFFFFFu, rnd32() };
      put32(0, len[rnd(11)]);
    } break;
  case 5: gen[4] = rnd(4); break;   /* the kind */
  case 6: if (ntags) gen[tags[rnd(ntags)]] = rnd(8) ? rnd(6) : 0xFF; break;
  case 7:   /* k bytes deleted */
    k = k < gn - at ? k : (uint32_t)(gn - at);
    memmove(gen + at, gen + at + k, gn - at - k);
    gn -= k;
    break;
  default:   /* k random bytes inserted */
    memmove(gen + at + k, gen + at, gn - at);
    for (uint32_t i = 0; i < k; i++) gen[at + i] = rnd(256);
    gn += k;
  }
  if (rnd(2) && gn >= 4) put32(0, (uint32_t)(gn - 4));   /* half the time the length follows */
}

/* The 16 MiB frame whose 8 nested lists each claim all the bytes left after their count; the
   innermost list holds one byte array that fills the frame, or (nulls) that many nulls, which
   makes it well-formed but leaves its 7 outer lists short. One list claiming the whole frame
   in nulls (flat) is well-formed: the most values a frame can carry. */
static size_t nested_claims(int nulls, int flat) {
  const size_t end = 4 + MAX_FRAME;
  gn = 0;
  g32(MAX_FRAME); g8(KIND_REQUEST); g32(7); g8(OP_FORMAT_RECORD); g8(0);
  if (flat) g32((uint32_t)(end - gn - 4));   /* the frame's value list: all nulls */
  else {
    g32(1);
    for (int d = 0; d < MAX_DEPTH; d++) { g8(V_LIST); g32((uint32_t)(end - gn - 4)); }
  }
  if (nulls) memset(gen + gn, V_NULL, end - gn);
  else { g8(V_BYTES); g32((uint32_t)(end - gn - 4)); memset(gen + gn, 0x5A, end - gn); }
  gn = end;
  return check_stream(gen, gn, 0, 256, 0);
}

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  long target = argc > 1 ? atol(argv[1]) : 100000;
  uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 20240611;
  const char *mb = getenv("FRAMEFUZZ_BUDGET_MB");
  budget = (size_t)(mb ? atol(mb) : 1024) << 20;
  rng = seed ? seed : 1;
  gen = malloc(GEN_CAP);
  enc = malloc(MAX_FRAME);
  if (!gen || !enc) return 2;
  double start = seconds();

  /* The bound for the frames of nested claims: a small multiple of the frame, whatever they claim. */
  const size_t bound = 2 * (size_t)MAX_FRAME;
  const char *names[] = { "8 nested lists claiming the frame, one byte array", "8 nested lists claiming the frame, nulls" };
  for (int nulls = 0; nulls < 2; nulls++) {
    size_t p = nested_claims(nulls, 0);
    printf("framefuzz: %s: peak allocation %zu bytes for a frame of %u bytes (bound %zu)%s\n",
           names[nulls], p, MAX_FRAME, bound, p > bound ? ": PROBLEM, over the bound" : "");
    failures += p > bound;
  }
  size_t p = nested_claims(1, 1);
  printf("framefuzz: one list of %u nulls (well-formed): peak allocation %zu bytes (%zu per value)\n",
         MAX_FRAME - 11, p, sizeof(value));
  if (accepted != 1) problem("the flat frame of nulls was not accepted", "", gen, 64);

  for (long i = 0; frames < target; i++) {
    int big = i % 1000 == 999, bad = rnd(10) == 0;
    gn = 0; nfields = ntags = 0;
    limit = big ? 2u << 20 : 64 + rnd(rnd(8) ? 600 : 8000);
    gframe(big, bad);
    if (rnd(4) == 0) gframe(0, bad);   /* a second frame in the same stream */
    if (rnd(10) < 7) mutate();
    static const size_t esizes[] = { 1, 2, 16, 27, 41, 256, 300 };
    check_stream(gen, gn, rnd(3) ? 0 : 1 + rnd(16), esizes[rnd(7)], rnd(50) ? 0 : 1 + rnd(6));
  }
  printf("framefuzz: frames=%ld accepted=%ld rejected=%ld problems=%ld time=%.1fs seed=%llu\n",
         frames, accepted, rejected, failures, seconds() - start, (unsigned long long)seed);
  free(gen);
  free(enc);
  return failures ? 1 : 0;
}
