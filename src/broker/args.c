/* Argument checks and error replies shared by the file, registry and security requests (files.c,
   registry.c, security.c): every argument is checked before any API sees it, and a refusal is 87
   with api "protocol" and what was expected; a failed API answers with its name and Win32 error. */
#include "broker.h"
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

int api_error(request *r, uint32_t status, const char *api, const char *what) {
  char m[400];
  cfmt(m, sizeof m, "%s: %s error %lu", what, api, (unsigned long)status);
  return request_error(r, status, api, m);
}

int bad_request(request *r, const char *expected) {
  char m[400];
  cfmt(m, sizeof m, "wrong arguments: expected %s", expected);
  return request_error(r, ERROR_INVALID_PARAMETER, "protocol", m);
}

int arg_types(request *r, const char *types) {
  const value *a = &r->f->args;
  if (a->length != strlen(types)) return 0;
  for (uint32_t i = 0; i < a->length; i++) {
    int tag = a->items[i].tag;
    switch (types[i]) {
    case 'i': if (tag != V_INT) return 0; break;
    case 's': if (tag != V_STRING) return 0; break;
    case 'b': if (tag != V_BYTES) return 0; break;
    case 'S': if (tag != V_STRING && tag != V_NULL) return 0; break;   /* a string or null */
    default: return 0;
    }
  }
  return 1;
}

int arg_in_range(request *r, int index, int64_t low, int64_t high) {
  int64_t v = r->f->args.items[index].integer;
  return v >= low && v <= high;
}

wchar_t *arg_text(request *r, int index, size_t min, size_t max) {
  const value *v = &r->f->args.items[index];
  if (v->tag != V_STRING || memchr(v->data, 0, v->length)) return NULL;
  wchar_t *w = utf8_to_wide(v->data, v->length);
  if (w && (wcslen(w) < min || wcslen(w) > max)) { free(w); return NULL; }
  return w;
}

wchar_t *arg_path(request *r, int index) {
  wchar_t *p = arg_text(r, index, 1, MAX_PATH_CHARS);
  if (p && wcsncmp(p, L"\\??\\", 4) == 0) p[1] = L'\\';
  return p;
}
