/* WINDOW_TITLES (op 16, docs/protocol.md): the titles of the visible top-level windows of the
   processes asked for, as a person would see them in the taskbar. EnumWindows walks the top-level
   windows of the calling thread's desktop; a window counts when IsWindowVisible says so and it has
   no owner (GetWindow(GW_OWNER) == NULL: not a dialog or tool window of another window), and its
   process (GetWindowThreadProcessId) is one of those asked for. The title is GetWindowTextW's,
   which reads another process's window text without sending it a message; a window of the
   broker's own process gets WM_GETTEXT through SendMessageTimeoutW (1 s, abort if hung), since
   GetWindowTextW would send it and wait. Empty titles are left out. No decision: which window
   names the application is the engine's. */
#include "broker.h"
#include <stdlib.h>
#include <wchar.h>

#define MAX_PIDS 1024
#define MAX_TITLE 1024   /* characters of a title kept; a longer one is cut */

typedef struct walk {
  const DWORD *pids;
  uint32_t count;
  DWORD self;
  buffer *out;
  uint32_t found;
  int full;               /* the reply would not fit in a frame */
  wchar_t title[MAX_TITLE + 1];
} walk;

static int asked(const walk *w, DWORD pid) {
  for (uint32_t i = 0; i < w->count; i++)
    if (w->pids[i] == pid) return 1;
  return 0;
}

static BOOL CALLBACK each_window(HWND window, LPARAM param) {
  walk *w = (walk *)param;
  if (!IsWindowVisible(window) || GetWindow(window, GW_OWNER) != NULL) return TRUE;
  DWORD pid = 0;
  if (!GetWindowThreadProcessId(window, &pid) || !asked(w, pid)) return TRUE;
  int n = 0;
  w->title[0] = 0;
  if (pid == w->self) {
    DWORD_PTR copied = 0;
    if (SendMessageTimeoutW(window, WM_GETTEXT, MAX_TITLE + 1, (LPARAM)w->title, SMTO_ABORTIFHUNG | SMTO_BLOCK, 1000, &copied))
      n = (int)copied;
  } else {
    n = GetWindowTextW(window, w->title, MAX_TITLE + 1);
  }
  if (n <= 0) return TRUE;
  w->title[n > MAX_TITLE ? MAX_TITLE : n] = 0;
  if (!w->title[0]) return TRUE;
  buf_u8(w->out, V_LIST);
  buf_u32(w->out, 2);
  buf_int(w->out, pid);
  buf_wstring(w->out, w->title);
  w->found++;
  if (w->out->size > MAX_FRAME - 65536) { w->full = 1; return FALSE; }
  return TRUE;
}

int machine_window_titles(request *r) {
  const value *a = &r->f->args;
  const value *list = a->length == 1 && a->items[0].tag == V_LIST ? &a->items[0] : NULL;
  int ok = list && list->length <= MAX_PIDS;
  for (uint32_t i = 0; ok && i < list->length; i++)
    ok = list->items[i].tag == V_INT && list->items[i].integer >= 0 && list->items[i].integer <= 0xFFFFFFFFLL;
  if (!ok)
    return request_error(r, ERROR_INVALID_PARAMETER, "protocol", "wrong arguments: expected (list of 0..1024 integer process ids, "
                         "each 0..0xFFFFFFFF)");
  DWORD *pids = malloc((list->length + 1) * sizeof *pids);
  walk *w = calloc(1, sizeof *w);
  if (!pids || !w) {
    free(pids);
    free(w);
    return request_error(r, ERROR_OUTOFMEMORY, "protocol", "out of memory for the process ids");
  }
  for (uint32_t i = 0; i < list->length; i++) pids[i] = (DWORD)list->items[i].integer;
  w->pids = pids;
  w->count = list->length;
  w->self = GetCurrentProcessId();
  w->out = r->reply;
  request_ok(r, 1);
  buf_u8(r->reply, V_LIST);
  size_t count_at = r->reply->size;
  buf_u32(r->reply, 0);
  SetLastError(0);
  BOOL done = w->count == 0 || EnumWindows(each_window, (LPARAM)w);
  DWORD e = done ? 0 : GetLastError();
  int full = w->full;
  uint32_t found = w->found;
  free(pids);
  free(w);
  if (full) return request_error(r, ERROR_INVALID_DATA, "protocol", "the window list does not fit in a frame (16 MiB)");
  if (!done) {
    char m[200];
    cfmt(m, sizeof m, "cannot list the windows: EnumWindows error %lu", (unsigned long)e);
    return request_error(r, e ? e : ERROR_INVALID_FUNCTION, "EnumWindows", m);
  }
  if (!r->reply->failed) for (int k = 0; k < 4; k++) r->reply->data[count_at + k] = (uint8_t)(found >> (8 * k));
  return 1;
}
