/* Serving the engine process (started by launch.c): its requests served until RESULT; its stderr read all the time (so a chatty engine
   never blocks) and copied line by line into the MSI log; ended when it sends no frame for longer
   than the timeout, or when it does not take a reply in that time. The clock stops while a request
   is being served: a FilesInUse message may wait for a person. */
#include "broker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define STDERR_KEEP 12          /* last stderr lines quoted in a failure message */
#define STDERR_QUEUE 256        /* lines waiting for the main thread to log them */
#define EXIT_WAIT_MS 30000      /* how long an engine may take to exit after RESULT */
#define GRACE_MS 5000           /* how long an engine that broke off may take to exit by itself */
#define END_WAIT_MS 5000        /* how long ending a process, and reading the rest of its stderr, may take */
#define QUOTE_CHARS 2048

/* Shared by the main thread and the two reader threads; on the heap, so that a reader thread that
   does not end can never write into a stack frame that is gone (it is then leaked, not freed). */
typedef struct channel {
  HANDLE from_engine, errors;   /* our read ends of its stdout and stderr */
  HANDLE frame_ready, frame_taken, lines_ready;
  HANDLE stderr_reader;         /* the thread of read_errors: it ends when every write end of stderr is closed */
  HANDLE process, job;          /* the engine, and its kill-on-close job (NULL when none could be made) */
  volatile LONG reply_timed_out; /* set by the watchdog when it ended an engine that did not take its reply */
  frame current;
  int status;                   /* of the last frame_read: 1 frame, 0 end, -1 error */
  volatile LONG stopping;       /* set before the last frame_taken: the reader must not read on */
  char error[512];
  CRITICAL_SECTION lock;
  wchar_t *queue[STDERR_QUEUE];
  int queued, dropped;
  wchar_t *last[STDERR_KEEP];
  int last_count;
} channel;

static DWORD WINAPI read_frames(LPVOID arg) {
  channel *c = arg;
  for (;;) {
    c->status = frame_read(c->from_engine, &c->current, c->error, sizeof c->error);
    SetEvent(c->frame_ready);
    if (c->status != 1) return 0;
    WaitForSingleObject(c->frame_taken, INFINITE);
    if (c->stopping) return 0;
  }
}

static void keep_line(channel *c, const char *text, size_t n) {
  while (n > 0 && (text[n - 1] == '\r' || text[n - 1] == '\n')) n--;
  wchar_t *line = utf8_to_wide((const uint8_t *)text, (uint32_t)n);
  if (!line) {   /* not UTF-8: show it as the ANSI code page would */
    line = calloc(n + 1, sizeof(wchar_t));
    if (!line) return;
    MultiByteToWideChar(CP_ACP, 0, text, (int)n, line, (int)n);
  }
  EnterCriticalSection(&c->lock);
  if (c->last_count == STDERR_KEEP) { free(c->last[0]); memmove(c->last, c->last + 1, sizeof c->last[0] * (STDERR_KEEP - 1)); c->last_count--; }
  c->last[c->last_count++] = _wcsdup(line);
  if (c->queued < STDERR_QUEUE) c->queue[c->queued++] = line;
  else { c->dropped++; free(line); }
  LeaveCriticalSection(&c->lock);
  SetEvent(c->lines_ready);
}

static DWORD WINAPI read_errors(LPVOID arg) {
  channel *c = arg;
  char line[8192];
  size_t used = 0;
  char chunk[4096];
  DWORD n;
  while (ReadFile(c->errors, chunk, sizeof chunk, &n, NULL) && n > 0) {
    for (DWORD i = 0; i < n; i++) {
      if (chunk[i] == '\n' || used == sizeof line - 1) { keep_line(c, line, used); used = 0; }
      if (chunk[i] != '\n') line[used++] = chunk[i];
    }
  }
  if (used) keep_line(c, line, used);
  return 0;
}

static void log_queued(broker *b, channel *c) {
  EnterCriticalSection(&c->lock);
  int count = c->queued, dropped = c->dropped;
  wchar_t *lines[STDERR_QUEUE];
  memcpy(lines, c->queue, sizeof lines[0] * count);
  c->queued = 0;
  c->dropped = 0;
  LeaveCriticalSection(&c->lock);
  for (int i = 0; i < count; i++) { log_line(b->session, L"engine: %ls", lines[i]); free(lines[i]); }
  if (dropped) log_line(b->session, L"engine: (%d stderr lines not logged: the engine wrote faster than the log took them)", dropped);
}

/* The last stderr lines, joined with " | ", for a failure message; always terminated. */
static void last_lines(channel *c, wchar_t *out, size_t size) {
  out[0] = 0;
  out[size - 1] = 0;
  EnterCriticalSection(&c->lock);
  for (int i = 0; i < c->last_count; i++) {
    size_t used = wcslen(out);
    if (used >= size - 2) break;
    wfmt(out + used, size - used, L"%ls%ls", used ? L" | " : L"", c->last[i] ? c->last[i] : L"");
  }
  LeaveCriticalSection(&c->lock);
  if (!out[0]) wfmt(out, size - 1, L"(none)");
}

/* How an engine ended, for the log line that reports it. */
typedef struct ending {
  int exited;       /* the process is gone (by itself or ended) */
  int by_itself;    /* it exited within the grace period, before the broker ended it */
  DWORD code;       /* its exit code when it exited by itself */
  int reply_timed_out;  /* the watchdog ended it while a reply waited */
} ending;

/* Ends the engine and whatever it started: its job when there is one (a child that inherited a pipe
   end would otherwise keep a write blocked or an end-of-stream away), else the process. */
static void end_engine(channel *c, UINT code) {
  if (c->job) TerminateJobObject(c->job, code);
  TerminateProcess(c->process, code);   /* no effect on a process that is gone */
}

/* Gives the engine `grace` ms to exit by itself, else ends it; then waits, bounded, for the process
   to be gone and for the stderr reader to have read what is still in the pipe (it sees the pipe's
   end once the process is gone), and logs the lines: only then is a quote of them complete. An
   engine the watchdog ended is reported as ended, not by the exit code the watchdog gave it. */
static ending finish_engine(broker *b, channel *c, DWORD grace, UINT kill_code) {
  ending e = { 0, 0, 0, 0 };
  if (WaitForSingleObject(c->process, grace) == WAIT_OBJECT_0 && !c->reply_timed_out) {
    e.exited = e.by_itself = 1;
    GetExitCodeProcess(c->process, &e.code);
  } else {
    end_engine(c, kill_code);
    e.exited = WaitForSingleObject(c->process, END_WAIT_MS) == WAIT_OBJECT_0;
  }
  if (c->stderr_reader && WaitForSingleObject(c->stderr_reader, END_WAIT_MS) != WAIT_OBJECT_0)
    log_line(b->session, L"the engine's stderr did not reach its end within %d s: the quote below may lack its last lines", END_WAIT_MS / 1000);
  log_queued(b, c);
  e.reply_timed_out = c->reply_timed_out != 0;
  return e;
}

/* "was ended", or what happened instead, for a log line. */
static const wchar_t *ended_text(const ending *e, wchar_t *out, size_t size) {
  if (e->by_itself) wfmt(out, size - 1, L"then exited with code %lu", e->code);
  else if (e->exited && e->reply_timed_out) wfmt(out, size - 1, L"was ended (it did not read its reply in time)");
  else if (e->exited) wfmt(out, size - 1, L"was ended");
  else wfmt(out, size - 1, L"could not be ended within %d s (TerminateProcess)", END_WAIT_MS / 1000);
  out[size - 1] = 0;
  return out;
}

/* Ends an engine that does not take its reply in time: the write then fails instead of blocking. */
static VOID CALLBACK write_timed_out(PVOID arg, BOOLEAN fired) {
  (void)fired;
  channel *c = arg;
  InterlockedExchange(&c->reply_timed_out, 1);
  end_engine(c, ERROR_TIMEOUT);
}

static int send_reply(broker *b, channel *c, HANDLE to_engine, buffer *reply, DWORD timeout) {
  HANDLE timer = NULL;
  if (timeout != INFINITE && !CreateTimerQueueTimer(&timer, NULL, write_timed_out, c, timeout, 0, WT_EXECUTEONLYONCE)) {
    timer = NULL;
    log_line(b->session, L"cannot start the watchdog of a reply (CreateTimerQueueTimer error %lu): it is written without one", GetLastError());
  }
  int sent = reply_send(to_engine, reply);
  DWORD error = GetLastError();
  if (timer) DeleteTimerQueueTimer(NULL, timer, INVALID_HANDLE_VALUE);
  if (!sent) log_line(b->session, reply->failed ? L"a reply to the engine could not be built (out of memory or over 16 MiB)"
                                                : L"cannot send a reply to the engine (WriteFile error %lu): it did not read it in time or ended", error);
  return sent;
}

/* Serves the engine until RESULT; returns 1 when the conversation reached RESULT. Every way it can
   break off ends the engine first and quotes its stderr after (finish_engine), never before. */
static int converse(broker *b, channel *c, HANDLE *to_engine, DWORD timeout) {
  wchar_t quote[QUOTE_CHARS], how[96];
  DWORD deadline = GetTickCount() + timeout;
  for (;;) {
    int left = (int)(deadline - GetTickCount());   /* read once: a second read could pass the deadline and wrap */
    int expired = timeout != INFINITE && left <= 0;
    DWORD wait = timeout == INFINITE ? INFINITE : expired ? 0 : (DWORD)left;
    HANDLE events[2] = { c->frame_ready, c->lines_ready };
    DWORD w = expired ? WAIT_TIMEOUT : WaitForMultipleObjects(2, events, FALSE, wait);
    if (w == WAIT_OBJECT_0 + 1) { log_queued(b, c); continue; }
    if (w == WAIT_TIMEOUT) {
      ending e = finish_engine(b, c, 0, ERROR_TIMEOUT);
      last_lines(c, quote, QUOTE_CHARS);
      log_line(b->session, L"the engine sent nothing for %lu s and %ls. Its last stderr lines: %ls. "
               L"Raise INUSE_ENGINE_TIMEOUT if it needs longer; otherwise report this log.", timeout / 1000,
               ended_text(&e, how, 96), quote);
      return 0;
    }
    if (w != WAIT_OBJECT_0) {
      log_line(b->session, L"waiting for the engine failed (WaitForMultipleObjects returned %lu, error %lu)", w, GetLastError());
      return 0;
    }
    if (c->status == -1) {
      /* a malformed frame cannot be skipped: answer it (docs/protocol.md) under the same watchdog as
         every reply, close the engine's stdin so that it sees the end, give it a moment, end it */
      buffer reply = { 0 };
      reply_begin(&reply, c->current.id, ERROR_INVALID_DATA, "protocol", c->error);
      buf_list(&reply, 0);
      send_reply(b, c, *to_engine, &reply, timeout);
      free(reply.data);
      CloseHandle(*to_engine);
      *to_engine = NULL;
      ending e = finish_engine(b, c, GRACE_MS, ERROR_INVALID_DATA);
      last_lines(c, quote, QUOTE_CHARS);
      log_line(b->session, L"the engine broke the protocol (%hs) and %ls. Its last stderr lines: %ls",
               c->error, ended_text(&e, how, 96), quote);
      return 0;
    }
    if (c->status == 0) {
      /* its stdout ended: an engine that exits says so by its exit code; one that only closed stdout is ended */
      ending e = finish_engine(b, c, GRACE_MS, ERROR_INSTALL_FAILURE);
      last_lines(c, quote, QUOTE_CHARS);
      if (e.by_itself)
        log_line(b->session, L"the engine ended without sending its result (exit code %lu). Its last stderr lines: %ls", e.code, quote);
      else
        log_line(b->session, L"the engine closed its output without sending its result, was still running %d s later and %ls. "
                 L"Its last stderr lines: %ls", GRACE_MS / 1000, ended_text(&e, how, 96), quote);
      return 0;
    }
    log_queued(b, c);
    buffer reply = { 0 };
    LARGE_INTEGER before, after, frequency;
    QueryPerformanceCounter(&before);
    serve_request(b, &c->current, &reply);
    QueryPerformanceCounter(&after);
    QueryPerformanceFrequency(&frequency);
    b->served++;
    b->serving_ms += (double)(after.QuadPart - before.QuadPart) * 1000.0 / (double)frequency.QuadPart;
    frame_free(&c->current);
    int sent = send_reply(b, c, *to_engine, &reply, timeout);
    free(reply.data);
    if (!sent) {
      ending e = finish_engine(b, c, 0, ERROR_TIMEOUT);
      last_lines(c, quote, QUOTE_CHARS);
      log_line(b->session, L"the engine, which did not take its reply, %ls. Its last stderr lines: %ls", ended_text(&e, how, 96), quote);
      return 0;
    }
    if (b->fatal) {   /* a HELLO of another protocol version: a protocol break like a malformed frame */
      CloseHandle(*to_engine);
      *to_engine = NULL;
      ending e = finish_engine(b, c, GRACE_MS, ERROR_INVALID_DATA);
      last_lines(c, quote, QUOTE_CHARS);
      log_line(b->session, L"the engine speaks another protocol version and %ls. Its last stderr lines: %ls", ended_text(&e, how, 96), quote);
      return 0;
    }
    if (b->result >= 0) return 1;
    SetEvent(c->frame_taken);
    deadline = GetTickCount() + timeout;
  }
}

/* Ends the engine and its job, then waits for the reader threads; 1 when both ended. */
static int stop_threads(channel *c, HANDLE process, HANDLE job, HANDLE threads[2]) {
  if (job) TerminateJobObject(job, ERROR_INSTALL_FAILURE);
  if (process) TerminateProcess(process, ERROR_INSTALL_FAILURE);  /* no effect on an engine that has exited */
  c->stopping = 1;
  SetEvent(c->frame_taken);
  int ended = 1;
  for (int i = 0; i < 2; i++) {
    if (!threads[i]) continue;
    if (WaitForSingleObject(threads[i], 5000) != WAIT_OBJECT_0) {
      CancelSynchronousIo(threads[i]);
      ended &= WaitForSingleObject(threads[i], 5000) == WAIT_OBJECT_0;
    }
  }
  return ended;
}

UINT engine_serve(broker *b, const engine_run *run) {
  HANDLE ours[3] = { 0 }, child[3] = { 0 }, threads[2] = { NULL, NULL };
  PROCESS_INFORMATION pi = { 0 };
  channel *c = calloc(1, sizeof *c);
  if (!c) { log_line(b->session, L"out of memory"); return ERROR_INSTALL_FAILURE; }
  InitializeCriticalSection(&c->lock);
  HANDLE job = kill_on_close_job();
  UINT rc = ERROR_INSTALL_FAILURE;
  int pipes = make_pipes(ours, child);
  int started = pipes && start_engine(b, run, child, &pi, job);
  if (!pipes) log_line(b->session, L"cannot create the pipes to the engine (CreatePipe error %lu)", GetLastError());
  for (int i = 0; i < 3; i++) if (child[i]) CloseHandle(child[i]);
  if (started) {
    c->from_engine = ours[1];
    c->errors = ours[2];
    c->process = pi.hProcess;
    c->job = job;
    c->frame_ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    c->frame_taken = CreateEventW(NULL, FALSE, FALSE, NULL);
    c->lines_ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    threads[0] = CreateThread(NULL, 0, read_frames, c, 0, NULL);
    threads[1] = CreateThread(NULL, 0, read_errors, c, 0, NULL);
    c->stderr_reader = threads[1];
    if (!c->frame_ready || !c->frame_taken || !c->lines_ready || !threads[0] || !threads[1]) {
      log_line(b->session, L"cannot start the broker's reader threads (error %lu)", GetLastError());
    } else if (converse(b, c, &ours[0], run->timeout_ms)) {
      /* RESULT arrived: the engine should now see the end of its stdin and exit with code 0 */
      CloseHandle(ours[0]);
      ours[0] = NULL;
      ending e = finish_engine(b, c, EXIT_WAIT_MS, ERROR_INSTALL_FAILURE);
      wchar_t quote[QUOTE_CHARS], how[96];
      last_lines(c, quote, QUOTE_CHARS);
      if (e.by_itself && e.code == 0)
        rc = (UINT)b->result;
      else if (e.by_itself)
        log_line(b->session, L"the engine sent result %d but then exited with code %lu: counted as a failure. "
                 L"Its last stderr lines: %ls", b->result, e.code, quote);
      else
        log_line(b->session, L"the engine sent result %d but did not exit within %d s, and %ls: counted as a failure. "
                 L"Its last stderr lines: %ls", b->result, EXIT_WAIT_MS / 1000, ended_text(&e, how, 96), quote);
    }
  }
  int ended = stop_threads(c, pi.hProcess, job, threads);
  log_queued(b, c);
  for (int i = 0; i < 2; i++) if (threads[i]) CloseHandle(threads[i]);
  if (ours[0]) CloseHandle(ours[0]);
  /* a reader thread that did not end may still read its pipe: its handle stays open (leaked with
     its channel), so that it can never read a handle value msiexec has since given to another file */
  for (int i = 1; i < 3; i++) if (ours[i] && ended) CloseHandle(ours[i]);
  if (pi.hProcess) { CloseHandle(pi.hProcess); CloseHandle(pi.hThread); }
  if (job) CloseHandle(job);
  if (!ended) {
    log_line(b->session, L"a reader thread of the engine's pipes did not end: its memory is left allocated");
    return rc;
  }
  frame_free(&c->current);
  for (int i = 0; i < c->last_count; i++) free(c->last[i]);
  for (int i = 0; i < c->queued; i++) free(c->queue[i]);
  if (c->frame_ready) CloseHandle(c->frame_ready);
  if (c->frame_taken) CloseHandle(c->frame_taken);
  if (c->lines_ready) CloseHandle(c->lines_ready);
  DeleteCriticalSection(&c->lock);
  free(c);
  return rc;
}
