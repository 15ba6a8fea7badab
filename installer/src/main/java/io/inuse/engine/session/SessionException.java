package io.inuse.engine.session;

/**
 * A session call failed on the broker's side: the Windows API it called returned an error, or the
 * broker refused the request. Carries the Win32 error code and the API's name from the reply.
 */
public final class SessionException extends RuntimeException {
    private final long win32Error;
    private final String api;

    public SessionException(String request, long win32Error, String api, String message) {
        super(request + " failed: " + api + " returned error " + win32Error + (message.isEmpty() ? "" : " (" + message + ")"));
        this.win32Error = win32Error;
        this.api = api;
    }

    public SessionException(String message, Throwable cause) {
        super(message, cause);
        this.win32Error = -1;
        this.api = "";
    }

    public long win32Error() {
        return win32Error;
    }

    public String api() {
        return api;
    }
}
