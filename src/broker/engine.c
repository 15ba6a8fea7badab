/* The engine process: started with three anonymous pipes (the only handles it inherits) and an
   environment without the JVM's option variables, in a Job Object that ends it when the broker
   goes away; its requests served until RESULT; its stderr read all the time (so a chatty engine
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
#define ENGINE_JVM_OPTIONS L"-Xlog:disable -Xlog:all=warning:stderr -XX:+DisplayVMOutputToStderr -Xshare:auto -XX:TieredStopAtLevel=1 " \
                           L"-XX:+UseSerialGC -XX:-UsePerfData"

/* Shared by the main thread and the two reader threads; on the heap, so that a reader thread that
   does not end can never write into a stack frame that is gone (it is then leaked, not freed). */
typedef struct channel {
  HANDLE from_engine, errors;   /* our read ends of its stdout and stderr */
  HANDLE frame_ready, frame_taken, lines_ready;
  HANDLE stderr_reader;         /* the thread of read_errors: it ends when every write end of stderr is closed */
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

/* INUSE_ENGINE_DEBUG=<port>: a decimal port, else 0 (unset or not a port). */
int debug_port(void) {
  wchar_t text[16];
  DWORD n = GetEnvironmentVariableW(L"INUSE_ENGINE_DEBUG", text, 16);
  if (n == 0 || n >= 16) return 0;
  wchar_t *end;
  long port = wcstol(text, &end, 10);
  return *end == 0 && port > 0 && port < 65536 ? (int)port : 0;
}

/* The broker's environment without the variables through which anyone could inject JVM options
   or classes into an engine that may run as SYSTEM. */
static wchar_t *engine_environment(void) {
  static const wchar_t *dropped[] = { L"JAVA_TOOL_OPTIONS=", L"_JAVA_OPTIONS=", L"JDK_JAVA_OPTIONS=", L"CLASSPATH=" };
  wchar_t *all = GetEnvironmentStringsW();
  if (!all) return NULL;
  size_t total = 0;
  for (wchar_t *p = all; *p; p += wcslen(p) + 1) total += wcslen(p) + 1;
  wchar_t *env = calloc(total + 2, sizeof(wchar_t)), *to = env;
  for (wchar_t *p = all; env && *p; p += wcslen(p) + 1) {
    int skip = 0;
    for (size_t i = 0; i < sizeof dropped / sizeof dropped[0]; i++) skip |= _wcsnicmp(p, dropped[i], wcslen(dropped[i])) == 0;
    if (!skip) { wcscpy(to, p); to += wcslen(p) + 1; }
  }
  FreeEnvironmentStringsW(all);
  return env;   /* ends with two NULs: calloc */
}

static int start_engine(broker *b, const engine_run *run, HANDLE child[3], PROCESS_INFORMATION *pi, HANDLE job) {
  static wchar_t command[8192];
  wchar_t options[160] = L"";
  int port = run->debug_port;
  if (port) {
    wfmt(options, 159, L"-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,quiet=y,address=127.0.0.1:%d ", port);
    log_line(b->session, L"INUSE_ENGINE_DEBUG=%d: the engine waits for a debugger on 127.0.0.1:%d, and any local user could "
             L"attach to it; no timeout. For support only.", port, port);
  }
  /* stdout carries frames and nothing else: HotSpot's unified logging (a rejected class-data-sharing
     archive, a large-pages warning) writes to stdout by default, and its other messages (warnings, a
     crash's banner) go to stdout unless told otherwise. Measured: only the three options together
     leave stdout empty (docs/runtime.md). */
  if (!wfmt(command, 8192, L"\"%ls\" %ls" ENGINE_JVM_OPTIONS L" -cp \"%ls\" io.inuse.engine.Main %ls",
            run->rt->java, options, run->classpath, b->action)) {
    log_line(b->session, L"the engine's command line is too long");
    return 0;
  }

  SIZE_T size = 0;
  InitializeProcThreadAttributeList(NULL, 1, 0, &size);
  LPPROC_THREAD_ATTRIBUTE_LIST attributes = malloc(size);
  wchar_t *env = engine_environment();
  STARTUPINFOEXW si;
  memset(&si, 0, sizeof si);
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = child[0];
  si.StartupInfo.hStdOutput = child[1];
  si.StartupInfo.hStdError = child[2];
  /* only the three pipe ends are inherited, not every inheritable handle of msiexec */
  if (!attributes || !env || !InitializeProcThreadAttributeList(attributes, 1, 0, &size) ||
      !UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, child, 3 * sizeof(HANDLE), NULL, NULL)) {
    log_line(b->session, L"cannot prepare the engine's start (error %lu)", GetLastError());
    free(attributes);
    free(env);
    return 0;
  }
  si.lpAttributeList = attributes;
  BOOL started = CreateProcessW(run->rt->java, command, NULL, NULL, TRUE,
                                CREATE_NO_WINDOW | CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT | CREATE_UNICODE_ENVIRONMENT,
                                env, NULL, &si.StartupInfo, pi);
  DWORD error = GetLastError();
  DeleteProcThreadAttributeList(attributes);
  free(attributes);
  free(env);
  if (!started) {
    log_line(b->session, L"cannot start the engine: CreateProcessW(%ls) failed with error %lu", run->rt->java, error);
    return 0;
  }
  if (!job || !AssignProcessToJobObject(job, pi->hProcess))
    log_line(b->session, L"the engine is not in a job object (error %lu): it may outlive a broker that crashes", GetLastError());
  ResumeThread(pi->hThread);
  return 1;
}

static HANDLE kill_on_close_job(void) {
  HANDLE job = CreateJobObjectW(NULL, NULL);
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits;
  memset(&limits, 0, sizeof limits);
  limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (job && !SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits)) {
    CloseHandle(job);
    job = NULL;
  }
  return job;
}

static int make_pipes(HANDLE ours[3], HANDLE child[3]) {
  SECURITY_ATTRIBUTES inherit = { sizeof inherit, NULL, TRUE };
  if (!CreatePipe(&child[0], &ours[0], &inherit, 1 << 20) ||      /* stdin: engine reads */
      !CreatePipe(&ours[1], &child[1], &inherit, 1 << 16) ||      /* stdout: frames */
      !CreatePipe(&ours[2], &child[2], &inherit, 1 << 16)) return 0;  /* stderr */
  for (int i = 0; i < 3; i++) SetHandleInformation(ours[i], HANDLE_FLAG_INHERIT, 0);
  return 1;
}

/* How an engine ended, for the log line that reports it. */
typedef struct ending {
  int exited;       /* the process is gone (by itself or ended) */
  int by_itself;    /* it exited within the grace period, before the broker ended it */
  DWORD code;       /* its exit code when it exited by itself */
} ending;

/* Gives the engine `grace` ms to exit by itself, else ends it; then waits, bounded, for the process
   to be gone and for the stderr reader to have read what is still in the pipe (it sees the pipe's
   end once the process is gone), and logs the lines: only then is a quote of them complete. */
static ending finish_engine(broker *b, channel *c, HANDLE process, DWORD grace, UINT kill_code) {
  ending e = { 0, 0, 0 };
  if (grace && WaitForSingleObject(process, grace) == WAIT_OBJECT_0) {
    e.exited = e.by_itself = 1;
    GetExitCodeProcess(process, &e.code);
  } else {
    TerminateProcess(process, kill_code);
    e.exited = WaitForSingleObject(process, END_WAIT_MS) == WAIT_OBJECT_0;
  }
  if (c->stderr_reader && WaitForSingleObject(c->stderr_reader, END_WAIT_MS) != WAIT_OBJECT_0)
    log_line(b->session, L"the engine's stderr did not reach its end within %d s: the quote below may lack its last lines", END_WAIT_MS / 1000);
  log_queued(b, c);
  return e;
}

/* "was ended", or what happened instead, for a log line. */
static const wchar_t *ended_text(const ending *e, wchar_t *out, size_t size) {
  if (e->by_itself) wfmt(out, size - 1, L"then exited with code %lu", e->code);
  else if (e->exited) wfmt(out, size - 1, L"was ended");
  else wfmt(out, size - 1, L"could not be ended within %d s (TerminateProcess)", END_WAIT_MS / 1000);
  out[size - 1] = 0;
  return out;
}

/* Ends an engine that does not take its reply in time: the write then fails instead of blocking. */
static VOID CALLBACK write_timed_out(PVOID process, BOOLEAN fired) {
  (void)fired;
  TerminateProcess((HANDLE)process, ERROR_TIMEOUT);
}

static int send_reply(broker *b, HANDLE to_engine, buffer *reply, HANDLE process, DWORD timeout) {
  HANDLE timer = NULL;
  if (timeout != INFINITE && !CreateTimerQueueTimer(&timer, NULL, write_timed_out, process, timeout, 0, WT_EXECUTEONLYONCE))
    timer = NULL;
  int sent = reply_send(to_engine, reply);
  DWORD error = GetLastError();
  if (timer) DeleteTimerQueueTimer(NULL, timer, INVALID_HANDLE_VALUE);
  if (!sent) log_line(b->session, reply->failed ? L"a reply to the engine could not be built (out of memory or over 16 MiB)"
                                                : L"cannot send a reply to the engine (WriteFile error %lu): it did not read it in time or ended", error);
  return sent;
}

/* Serves the engine until RESULT; returns 1 when the conversation reached RESULT. Every way it can
   break off ends the engine first and quotes its stderr after (finish_engine), never before. */
static int converse(broker *b, channel *c, HANDLE *to_engine, HANDLE process, DWORD timeout) {
  wchar_t quote[QUOTE_CHARS], how[96];
  DWORD deadline = GetTickCount() + timeout;
  for (;;) {
    int expired = timeout != INFINITE && (int)(deadline - GetTickCount()) <= 0;
    DWORD wait = timeout == INFINITE ? INFINITE : expired ? 0 : deadline - GetTickCount();
    HANDLE events[2] = { c->frame_ready, c->lines_ready };
    DWORD w = expired ? WAIT_TIMEOUT : WaitForMultipleObjects(2, events, FALSE, wait);
    if (w == WAIT_OBJECT_0 + 1) { log_queued(b, c); continue; }
    if (w == WAIT_TIMEOUT) {
      ending e = finish_engine(b, c, process, 0, ERROR_TIMEOUT);
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
      send_reply(b, *to_engine, &reply, process, timeout);
      free(reply.data);
      CloseHandle(*to_engine);
      *to_engine = NULL;
      ending e = finish_engine(b, c, process, GRACE_MS, ERROR_INVALID_DATA);
      last_lines(c, quote, QUOTE_CHARS);
      log_line(b->session, L"the engine broke the protocol (%hs) and %ls. Its last stderr lines: %ls",
               c->error, ended_text(&e, how, 96), quote);
      return 0;
    }
    if (c->status == 0) {
      /* its stdout ended: an engine that exits says so by its exit code; one that only closed stdout is ended */
      ending e = finish_engine(b, c, process, GRACE_MS, ERROR_INSTALL_FAILURE);
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
    serve_request(b, &c->current, &reply);
    frame_free(&c->current);
    int sent = send_reply(b, *to_engine, &reply, process, timeout);
    free(reply.data);
    if (!sent) {
      ending e = finish_engine(b, c, process, 0, ERROR_TIMEOUT);
      last_lines(c, quote, QUOTE_CHARS);
      log_line(b->session, L"the engine, which did not take its reply, %ls. Its last stderr lines: %ls", ended_text(&e, how, 96), quote);
      return 0;
    }
    if (b->fatal) return 0;
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
    c->frame_ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    c->frame_taken = CreateEventW(NULL, FALSE, FALSE, NULL);
    c->lines_ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    threads[0] = CreateThread(NULL, 0, read_frames, c, 0, NULL);
    threads[1] = CreateThread(NULL, 0, read_errors, c, 0, NULL);
    c->stderr_reader = threads[1];
    if (!c->frame_ready || !c->frame_taken || !c->lines_ready || !threads[0] || !threads[1]) {
      log_line(b->session, L"cannot start the broker's reader threads (error %lu)", GetLastError());
    } else if (converse(b, c, &ours[0], pi.hProcess, run->timeout_ms)) {
      /* RESULT arrived: the engine should now see the end of its stdin and exit with code 0 */
      CloseHandle(ours[0]);
      ours[0] = NULL;
      ending e = finish_engine(b, c, pi.hProcess, EXIT_WAIT_MS, ERROR_INSTALL_FAILURE);
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
  for (int i = 0; i < 3; i++) if (ours[i]) CloseHandle(ours[i]);
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
