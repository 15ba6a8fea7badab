package io.inuse.engine.protocol;

import java.io.IOException;

/**
 * A frame of the broker protocol is malformed, or a frame cannot be encoded. The message says
 * what is wrong and where (the value, the field, the offset), because it ends up as the one MSI
 * log line that explains why the action failed.
 */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }
}
