package io.inuse.packaging;

/**
 * A build step cannot go on. The message is the one line the release engineer reads: what failed,
 * on which file or tool, and what to do about it.
 */
public final class BuildException extends RuntimeException {
    public BuildException(String message) {
        super(message);
    }

    public BuildException(String message, Throwable cause) {
        super(message, cause);
    }
}
