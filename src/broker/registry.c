/* The registry requests of docs/protocol.md (ops 29..31): REG_READ (RegOpenKeyExW,
   RegQueryValueExW), REG_WRITE (RegCreateKeyExW, RegSetValueExW) and REG_DELETE_VALUE
   (RegDeleteValueW), on HKEY_LOCAL_MACHINE or HKEY_CURRENT_USER, always in the 64-bit view
   (KEY_WOW64_64KEY: the broker is a 64-bit DLL, so this changes nothing today, and says which view
   is meant if that ever changes). Values travel as their type and raw bytes, exactly as stored: a
   REG_MULTI_SZ such as PendingFileRenameOperations keeps every NUL, a REG_SZ whether or not it was
   stored with its terminator. What the bytes mean is the engine's (its codec of
   PendingFileRenameOperations). A missing key or value is an answer, not an error. */
#include "broker.h"
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define REG_READ_MAX (15u * 1024u * 1024u)   /* the reply is one frame of at most 16 MiB */
#define REG_WRITE_MAX (1024u * 1024u)
#define KEY_CHARS 32767
#define VALUE_NAME_CHARS 16383              /* the registry's own limit for a value name */

static const char *const ROOT_RULE = "string root HKLM or HKCU, string key path (1..32767 characters, no NUL, "
                                     "not starting with \\), string value name (0..16383 characters, no NUL, \"\" is the default value)";

/* The root, key and value name of arguments 0..2: 1, or 0 with the refusal written. */
static int where(request *r, const char *expected, HKEY *root, wchar_t **key, wchar_t **name) {
  *key = *name = NULL;
  wchar_t *text = arg_text(r, 0, 1, 8);
  *root = !text ? NULL : wcscmp(text, L"HKLM") == 0 ? HKEY_LOCAL_MACHINE : wcscmp(text, L"HKCU") == 0 ? HKEY_CURRENT_USER : NULL;
  free(text);
  if (*root) *key = arg_text(r, 1, 1, KEY_CHARS);
  if (*key && (*key)[0] != L'\\') *name = arg_text(r, 2, 0, VALUE_NAME_CHARS);
  if (*name) return 1;
  free(*key);
  free(*name);
  *key = *name = NULL;
  bad_request(r, expected);
  return 0;
}

/* [integer type, bytes data], or [null] when the key or the value does not exist. */
int reg_read(request *r) {
  char expected[400];
  cfmt(expected, sizeof expected, "(%s)", ROOT_RULE);
  HKEY root, h = NULL;
  wchar_t *key, *name;
  if (!arg_types(r, "sss") ) return bad_request(r, expected);
  if (!where(r, expected, &root, &key, &name)) return 1;
  LONG rc = RegOpenKeyExW(root, key, 0, KEY_QUERY_VALUE | KEY_WOW64_64KEY, &h);
  const char *api = "RegOpenKeyExW";
  DWORD type = 0, size = 0;
  BYTE *data = NULL;
  if (rc == ERROR_SUCCESS) {
    api = "RegQueryValueExW";
    rc = RegQueryValueExW(h, name, NULL, &type, NULL, &size);
    /* the value may grow between asking its size and reading it: ask again, a few times */
    for (int tries = 0; rc == ERROR_SUCCESS && tries < 5; tries++) {
      if (size > REG_READ_MAX) { rc = ERROR_FILE_TOO_LARGE; break; }
      free(data);
      data = malloc(size ? size : 1);
      if (!data) { rc = ERROR_OUTOFMEMORY; break; }
      DWORD got = size;
      rc = RegQueryValueExW(h, name, NULL, &type, data, &got);
      if (rc == ERROR_SUCCESS) { size = got; break; }
      if (rc == ERROR_MORE_DATA) { size = got; rc = ERROR_SUCCESS; continue; }
    }
    RegCloseKey(h);
  }
  free(key);
  free(name);
  if (rc == ERROR_FILE_NOT_FOUND) {
    free(data);
    request_ok(r, 1);
    buf_u8(r->reply, V_NULL);
    return 1;
  }
  if (rc != ERROR_SUCCESS || !data) {
    free(data);
    if (rc == ERROR_FILE_TOO_LARGE) {
      char m[200];
      cfmt(m, sizeof m, "the value is %lu bytes, more than the %u a reply carries", (unsigned long)size, REG_READ_MAX);
      return request_error(r, (uint32_t)rc, api, m);
    }
    return api_error(r, rc == ERROR_SUCCESS ? ERROR_MORE_DATA : (uint32_t)rc, api, "cannot read the registry value");
  }
  request_ok(r, 2);
  buf_int(r->reply, type);
  buf_bytes(r->reply, data, size);
  free(data);
  return 1;
}

/* The types REG_WRITE writes, with the length their data must have (0: any). */
static int type_fits(int64_t type, uint32_t length) {
  switch (type) {
  case REG_NONE: case REG_BINARY: return 1;
  case REG_SZ: case REG_EXPAND_SZ: case REG_MULTI_SZ: return length % 2 == 0;   /* UTF-16LE */
  case REG_DWORD: return length == 4;
  case REG_QWORD: return length == 8;
  default: return 0;
  }
}

/* Creates the key when it is missing (RegCreateKeyExW), then sets the value: no values. */
int reg_write(request *r) {
  char expected[700];
  cfmt(expected, sizeof expected, "(%s, integer type REG_NONE 0, REG_SZ 1, REG_EXPAND_SZ 2, REG_BINARY 3, REG_DWORD 4 "
       "(4 bytes), REG_MULTI_SZ 7 or REG_QWORD 11 (8 bytes), bytes data 0..%u, an even count for the string types)", ROOT_RULE, REG_WRITE_MAX);
  if (!arg_types(r, "sssib") || r->f->args.items[4].length > REG_WRITE_MAX ||
      !type_fits(r->f->args.items[3].integer, r->f->args.items[4].length))
    return bad_request(r, expected);
  HKEY root, h = NULL;
  wchar_t *key, *name;
  if (!where(r, expected, &root, &key, &name)) return 1;
  const value *data = &r->f->args.items[4];
  const char *api = "RegCreateKeyExW";
  LONG rc = RegCreateKeyExW(root, key, 0, NULL, REG_OPTION_NON_VOLATILE, KEY_SET_VALUE | KEY_WOW64_64KEY, NULL, &h, NULL);
  if (rc == ERROR_SUCCESS) {
    api = "RegSetValueExW";
    rc = RegSetValueExW(h, name, 0, (DWORD)r->f->args.items[3].integer, data->length ? data->data : (const BYTE *)"", data->length);
    RegCloseKey(h);
  }
  free(key);
  free(name);
  if (rc != ERROR_SUCCESS) return api_error(r, (uint32_t)rc, api, "cannot write the registry value");
  request_ok(r, 0);
  return 1;
}

/* [integer 1 deleted, 0 there was no such key or value]. */
int reg_delete_value(request *r) {
  char expected[400];
  cfmt(expected, sizeof expected, "(%s)", ROOT_RULE);
  HKEY root, h = NULL;
  wchar_t *key, *name;
  if (!arg_types(r, "sss")) return bad_request(r, expected);
  if (!where(r, expected, &root, &key, &name)) return 1;
  const char *api = "RegOpenKeyExW";
  LONG rc = RegOpenKeyExW(root, key, 0, KEY_SET_VALUE | KEY_WOW64_64KEY, &h);
  if (rc == ERROR_SUCCESS) {
    api = "RegDeleteValueW";
    rc = RegDeleteValueW(h, name);
    RegCloseKey(h);
  }
  free(key);
  free(name);
  if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND) return api_error(r, (uint32_t)rc, api, "cannot delete the registry value");
  request_ok(r, 1);
  buf_int(r->reply, rc == ERROR_SUCCESS ? 1 : 0);
  return 1;
}

/* [integer 1 deleted, 0 there was no such key]: an empty key (no subkeys; its values go with it). A key
   with subkeys is refused by Windows (5): nothing below is ever deleted by accident. */
int reg_delete_key(request *r) {
  const char *expected = "(string root HKLM or HKCU, string key path (1..32767 characters, no NUL, not starting with \\))";
  if (!arg_types(r, "ss")) return bad_request(r, expected);
  wchar_t *text = arg_text(r, 0, 1, 8);
  HKEY root = !text ? NULL : wcscmp(text, L"HKLM") == 0 ? HKEY_LOCAL_MACHINE : wcscmp(text, L"HKCU") == 0 ? HKEY_CURRENT_USER : NULL;
  free(text);
  wchar_t *key = root ? arg_text(r, 1, 1, KEY_CHARS) : NULL;
  if (!key || key[0] == L'\\') {
    free(key);
    return bad_request(r, expected);
  }
  LONG rc = RegDeleteKeyExW(root, key, KEY_WOW64_64KEY, 0);
  free(key);
  if (rc != ERROR_SUCCESS && rc != ERROR_FILE_NOT_FOUND) return api_error(r, (uint32_t)rc, "RegDeleteKeyExW", "cannot delete the registry key");
  request_ok(r, 1);
  buf_int(r->reply, rc == ERROR_SUCCESS ? 1 : 0);
  return 1;
}
