package io.inuse.engine;

/** The person at the keyboard cancelled (Exit in FilesInUse, Cancel): the action ends with 1602. */
public final class UserExitException extends Exception {
    public UserExitException(String message) {
        super(message);
    }
}
