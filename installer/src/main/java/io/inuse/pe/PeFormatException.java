package io.inuse.pe;

import java.io.IOException;

/**
 * A file is not the PE image it claims to be, or its structures point outside it. The message
 * names the file, the offset and the structure, so that a build log or an MSI log says exactly
 * which input is broken and where.
 */
public final class PeFormatException extends IOException {
    private final String file;
    private final long offset;

    public PeFormatException(String file, long offset, String problem) {
        super(String.format("%s: at offset 0x%x: %s", file, offset, problem));
        this.file = file;
        this.offset = offset;
    }

    public String file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
