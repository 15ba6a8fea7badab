/* The MSI log, and the settings an action reads: a property in an immediate action, the same name
   in CustomActionData in a deferred one (Windows gives a deferred action no other property). */
#include "broker.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

int wfmt(wchar_t *out, size_t size, const wchar_t *fmt, ...) {
  if (size == 0) return 0;
  va_list args;
  va_start(args, fmt);
  int n = _vsnwprintf(out, size - 1, fmt, args);   /* -1 when cut, and no terminator in either case */
  va_end(args);
  out[size - 1] = 0;
  if (n < 0 || (size_t)n > size - 1) return 0;
  out[n] = 0;
  return 1;
}

int cfmt(char *out, size_t size, const char *fmt, ...) {
  if (size == 0) return 0;
  va_list args;
  va_start(args, fmt);
  int n = vsnprintf(out, size, fmt, args);   /* C99: always terminated, n is the length it needed */
  va_end(args);
  out[size - 1] = 0;
  return n >= 0 && (size_t)n < size;
}

void (*session_less_log)(const wchar_t *line) = NULL;

void log_line(MSIHANDLE session, const wchar_t *fmt, ...) {
  wchar_t text[4096];
  va_list args;
  va_start(args, fmt);
  _vsnwprintf(text, sizeof text / sizeof text[0] - 1, fmt, args);
  va_end(args);
  text[sizeof text / sizeof text[0] - 1] = 0;
  if (!session) {   /* the command-line launcher: it decides whether the line is shown */
    if (session_less_log) session_less_log(text);
    return;
  }
  /* The text is the template, its brackets escaped as [\[] and [\]]: a template is formatted
     exactly once on Windows and Wine, while Wine formats the text of a field once more. */
  static wchar_t escaped[4096 * 5 + 32];
  size_t n = 0;
  const wchar_t *prefix = L"inuse broker: ";
  for (const wchar_t *p = prefix; *p; p++) escaped[n++] = *p;
  for (const wchar_t *p = text; *p; p++) {
    if (*p == L'[' || *p == L']') { escaped[n++] = L'['; escaped[n++] = L'\\'; escaped[n++] = *p; escaped[n++] = L']'; }
    else escaped[n++] = *p;
  }
  escaped[n] = 0;
  MSIHANDLE rec = MsiCreateRecord(0);
  MsiRecordSetStringW(rec, 0, escaped);
  MsiProcessMessage(session, INSTALLMESSAGE_INFO, rec);
  MsiCloseHandle(rec);
}

wchar_t *read_property(MSIHANDLE session, const wchar_t *name, UINT *rc) {
  DWORD size = 0;
  wchar_t empty[1] = L"";
  *rc = MsiGetPropertyW(session, name, empty, &size);
  if (*rc != ERROR_MORE_DATA && *rc != ERROR_SUCCESS) return NULL;
  size++;
  wchar_t *text = malloc(size * sizeof(wchar_t));
  *rc = text ? MsiGetPropertyW(session, name, text, &size) : ERROR_OUTOFMEMORY;
  if (*rc == ERROR_SUCCESS) return text;
  free(text);
  return NULL;
}

wchar_t *get_property(MSIHANDLE session, const wchar_t *name) {
  UINT rc;
  wchar_t *text = read_property(session, name, &rc);
  if (!text && (text = malloc(sizeof(wchar_t)))) text[0] = 0;
  return text;
}

/* docs/custom-action-data.md: "inuse1;" then entries KEY=LENGTH:VALUE; with LENGTH in UTF-16
   code units. Returns a copy of the value of KEY, or NULL. */
wchar_t *cad_lookup(const wchar_t *cad, const wchar_t *key) {
  if (!cad || wcsncmp(cad, L"inuse1;", 7) != 0) return NULL;
  const wchar_t *p = cad + 7;
  size_t key_length = wcslen(key);
  while (*p) {
    const wchar_t *eq = wcschr(p, L'=');
    if (!eq) return NULL;
    wchar_t *colon;
    unsigned long length = wcstoul(eq + 1, &colon, 10);
    if (colon == eq + 1 || *colon != L':' || wcslen(colon + 1) < length + 1 || colon[1 + length] != L';') return NULL;
    if ((size_t)(eq - p) == key_length && wcsncmp(p, key, key_length) == 0) {
      wchar_t *value = malloc((length + 1) * sizeof(wchar_t));
      if (!value) return NULL;
      wmemcpy(value, colon + 1, length);
      value[length] = 0;
      return value;
    }
    p = colon + 1 + length + 1;
  }
  return NULL;
}

wchar_t *action_setting(MSIHANDLE session, int deferred, const wchar_t *name) {
  if (!deferred) {
    wchar_t *value = get_property(session, name);
    if (value && !value[0]) { free(value); return NULL; }
    return value;
  }
  wchar_t *cad = get_property(session, L"CustomActionData");
  wchar_t *value = cad_lookup(cad, name);
  free(cad);
  if (value && !value[0]) { free(value); return NULL; }
  return value;
}
