/* The engine process: started with three anonymous pipes (the only handles it inherits), in a Job
   Object that ends it when the broker goes away; its requests served until RESULT; its stderr
   read all the time (so a chatty engine never blocks) and copied line by line into the MSI log;
   ended when it sends no frame for longer than the timeout. The clock stops while a request is
   being served: a FilesInUse message may wait for a person. */
#include "broker.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define STDERR_KEEP 12          /* last stderr lines quoted in a failure message */
#define STDERR_QUEUE 256        /* lines waiting for the main thread to log them */
#define EXIT_WAIT_MS 30000      /* how long an engine may take to exit after RESULT */

typedef struct channel {
  HANDLE from_engine, errors;   /* our read ends of its stdout and stderr */
  HANDLE frame_ready, frame_taken, lines_ready;
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

/* The last stderr lines, joined with " | ", for a failure message. */
static void last_lines(channel *c, wchar_t *out, size_t size) {
  out[0] = 0;
  EnterCriticalSection(&c->lock);
  for (int i = 0; i < c->last_count; i++) {
    size_t used = wcslen(out);
    _snwprintf(out + used, size - used - 1, L"%ls%ls", used ? L" | " : L"", c->last[i]);
  }
  LeaveCriticalSection(&c->lock);
  out[size - 1] = 0;
  if (!out[0]) _snwprintf(out, size, L"(none)");
}

static int start_engine(broker *b, const engine_run *run, HANDLE child[3], PROCESS_INFORMATION *pi, HANDLE job) {
  static wchar_t command[8192];
  wchar_t debug[64] = L"", options[160] = L"";
  if (GetEnvironmentVariableW(L"INUSE_ENGINE_DEBUG", debug, 64) && debug[0]) {
    _snwprintf(options, 160, L"-agentlib:jdwp=transport=dt_socket,server=y,suspend=y,address=127.0.0.1:%ls ", debug);
    log_line(b->session, L"INUSE_ENGINE_DEBUG=%ls: the engine waits for a debugger on 127.0.0.1:%ls; no timeout", debug, debug);
  }
  _snwprintf(command, 8192, L"\"%ls\" %ls-Xshare:auto -XX:TieredStopAtLevel=1 -cp \"%ls\" io.inuse.engine.Main %ls",
             run->rt->java, options, run->classpath, b->action);
  command[8191] = 0;

  SIZE_T size = 0;
  InitializeProcThreadAttributeList(NULL, 1, 0, &size);
  LPPROC_THREAD_ATTRIBUTE_LIST attributes = malloc(size);
  STARTUPINFOEXW si;
  memset(&si, 0, sizeof si);
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = child[0];
  si.StartupInfo.hStdOutput = child[1];
  si.StartupInfo.hStdError = child[2];
  /* only the three pipe ends are inherited, not every inheritable handle of msiexec */
  if (!attributes || !InitializeProcThreadAttributeList(attributes, 1, 0, &size) ||
      !UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, child, 3 * sizeof(HANDLE), NULL, NULL)) {
    log_line(b->session, L"cannot limit the inherited handles (error %lu)", GetLastError());
    free(attributes);
    return 0;
  }
  si.lpAttributeList = attributes;
  BOOL started = CreateProcessW(run->rt->java, command, NULL, NULL, TRUE,
                                CREATE_NO_WINDOW | CREATE_SUSPENDED | EXTENDED_STARTUPINFO_PRESENT, NULL, NULL,
                                &si.StartupInfo, pi);
  DWORD error = GetLastError();
  DeleteProcThreadAttributeList(attributes);
  free(attributes);
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
  if (!CreatePipe(&child[0], &ours[0], &inherit, 0)) return 0;           /* stdin: engine reads */
  if (!CreatePipe(&ours[1], &child[1], &inherit, 1 << 16)) return 0;     /* stdout: frames */
  if (!CreatePipe(&ours[2], &child[2], &inherit, 1 << 16)) return 0;     /* stderr */
  for (int i = 0; i < 3; i++) SetHandleInformation(ours[i], HANDLE_FLAG_INHERIT, 0);
  return 1;
}

UINT engine_serve(broker *b, const engine_run *run) {
  HANDLE ours[3] = { 0 }, child[3] = { 0 };
  PROCESS_INFORMATION pi = { 0 };
  channel c;
  memset(&c, 0, sizeof c);
  InitializeCriticalSection(&c.lock);
  HANDLE job = kill_on_close_job();
  UINT rc = ERROR_INSTALL_FAILURE;
  HANDLE threads[2] = { NULL, NULL };
  wchar_t quote[2048];
  if (!make_pipes(ours, child)) {
    log_line(b->session, L"cannot create the pipes to the engine (CreatePipe error %lu)", GetLastError());
    goto done;
  }
  int started = start_engine(b, run, child, &pi, job);
  for (int i = 0; i < 3; i++) { CloseHandle(child[i]); child[i] = NULL; }
  if (!started) goto done;

  c.from_engine = ours[1];
  c.errors = ours[2];
  c.frame_ready = CreateEventW(NULL, FALSE, FALSE, NULL);
  c.frame_taken = CreateEventW(NULL, FALSE, FALSE, NULL);
  c.lines_ready = CreateEventW(NULL, FALSE, FALSE, NULL);
  threads[0] = CreateThread(NULL, 0, read_frames, &c, 0, NULL);
  threads[1] = CreateThread(NULL, 0, read_errors, &c, 0, NULL);
  DWORD timeout = run->timeout_ms, deadline = GetTickCount() + timeout;
  for (;;) {
    DWORD now = GetTickCount();
    DWORD wait = timeout == INFINITE ? INFINITE : (int)(deadline - now) > 0 ? deadline - now : 0;
    HANDLE events[2] = { c.frame_ready, c.lines_ready };
    DWORD w = WaitForMultipleObjects(2, events, FALSE, wait);
    if (w == WAIT_OBJECT_0 + 1) { log_queued(b, &c); continue; }
    if (w == WAIT_TIMEOUT) {
      TerminateProcess(pi.hProcess, ERROR_TIMEOUT);
      WaitForSingleObject(threads[1], 5000);
      log_queued(b, &c);
      last_lines(&c, quote, 2048);
      log_line(b->session, L"the engine sent nothing for %lu s and was ended. Its last stderr lines: %ls. "
               L"Raise INUSE_ENGINE_TIMEOUT if it needs longer; otherwise report this log.", timeout / 1000, quote);
      goto done;
    }
    if (c.status != 1) {
      WaitForSingleObject(pi.hProcess, 5000);
      WaitForSingleObject(threads[1], 5000);
      log_queued(b, &c);
      DWORD code = STILL_ACTIVE;
      GetExitCodeProcess(pi.hProcess, &code);
      last_lines(&c, quote, 2048);
      if (c.status == 0)
        log_line(b->session, L"the engine ended without sending its result (exit code %lu). Its last stderr lines: %ls", code, quote);
      else
        log_line(b->session, L"the engine broke the protocol (%hs) and was ended. Its last stderr lines: %ls", c.error, quote);
      goto done;
    }
    log_queued(b, &c);
    int sent = serve_request(b, ours[0], &c.current);
    frame_free(&c.current);
    SetEvent(c.frame_taken);
    deadline = GetTickCount() + timeout;
    if (!sent) {
      log_line(b->session, L"cannot send a reply to the engine (WriteFile error %lu)", GetLastError());
      goto done;
    }
    if (b->result >= 0) break;
  }
  /* RESULT arrived: the engine should now exit with code 0 */
  CloseHandle(ours[0]);
  ours[0] = NULL;
  DWORD code = STILL_ACTIVE;
  if (WaitForSingleObject(pi.hProcess, EXIT_WAIT_MS) != WAIT_OBJECT_0) {
    log_line(b->session, L"the engine did not exit within %d s after its result: ended it", EXIT_WAIT_MS / 1000);
  } else {
    GetExitCodeProcess(pi.hProcess, &code);
  }
  WaitForSingleObject(threads[1], 5000);
  log_queued(b, &c);
  if (code != 0) {
    last_lines(&c, quote, 2048);
    log_line(b->session, L"the engine sent result %d but then exited with code %lu: counted as a failure. Its last stderr lines: %ls",
             b->result, code, quote);
  } else {
    rc = (UINT)b->result;
  }
done:
  if (pi.hProcess) {
    TerminateProcess(pi.hProcess, ERROR_INSTALL_FAILURE);   /* no effect on an engine that has exited */
    if (threads[0]) { c.stopping = 1; SetEvent(c.frame_taken); WaitForSingleObject(threads[0], 5000); }
    if (threads[1]) WaitForSingleObject(threads[1], 5000);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
  }
  for (int i = 0; i < 2; i++) if (threads[i]) CloseHandle(threads[i]);
  for (int i = 0; i < 3; i++) if (ours[i]) CloseHandle(ours[i]);
  if (job) CloseHandle(job);
  if (c.status == 1) frame_free(&c.current);
  for (int i = 0; i < c.last_count; i++) free(c.last[i]);
  for (int i = 0; i < c.queued; i++) free(c.queue[i]);
  if (c.frame_ready) CloseHandle(c.frame_ready);
  if (c.frame_taken) CloseHandle(c.frame_taken);
  if (c.lines_ready) CloseHandle(c.lines_ready);
  DeleteCriticalSection(&c.lock);
  return rc;
}
