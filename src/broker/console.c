/* CONSOLE_WRITE: the text the command line prints (src/launcher). Inside an MSI there is no console
   to write to, and the engine's words go to the log (MESSAGE): refused there. To a console, the text
   goes through WriteConsoleW (any language, whatever the code page); redirected to a file or a pipe,
   as UTF-8 bytes, which scripts and PowerShell's -Encoding utf8 read. */
#include "broker.h"
#include <stdlib.h>

/* [integer stream 1 stdout or 2 stderr, string text] -> [] */
int console_write(request *r) {
  if (r->b->session) return request_error(r, ERROR_INVALID_FUNCTION, "protocol", "CONSOLE_WRITE is for the command line, not a custom action");
  if (!arg_types(r, "is") || !arg_in_range(r, 0, 1, 2)) return bad_request(r, "(integer stream 1 stdout or 2 stderr, string text)");
  const value *text = &r->f->args.items[1];
  HANDLE out = GetStdHandle(r->f->args.items[0].integer == 1 ? STD_OUTPUT_HANDLE : STD_ERROR_HANDLE);
  DWORD mode, done;
  BOOL ok = TRUE;
  if (out && out != INVALID_HANDLE_VALUE && GetConsoleMode(out, &mode)) {
    wchar_t *wide = utf8_to_wide(text->data, text->length);
    if (!wide) return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "the text is not UTF-8");
    size_t n = wcslen(wide);
    for (size_t at = 0; ok && at < n; at += done) {
      ok = WriteConsoleW(out, wide + at, (DWORD)(n - at > 8192 ? 8192 : n - at), &done, NULL);
      if (ok && done == 0) break;
    }
    free(wide);
  } else if (out && out != INVALID_HANDLE_VALUE) {
    for (uint32_t at = 0; ok && at < text->length; at += done) {
      ok = WriteFile(out, text->data + at, text->length - at, &done, NULL);
      if (ok && done == 0) break;
    }
  }
  /* a closed stdout (| more, ended) is not the engine's business: the text is dropped, the command goes on */
  (void)ok;
  request_ok(r, 0);
  return 1;
}
