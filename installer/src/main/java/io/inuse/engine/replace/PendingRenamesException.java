package io.inuse.engine.replace;

import java.io.IOException;

/**
 * A PendingFileRenameOperations value is not a list of pending renames that this codec can edit
 * without changing someone else's entries (docs/pending-renames.md, "Corrupt"). The message names
 * the value, the byte offset and what is wrong, and says that the value was left as it is: the
 * codec never repairs another program's data, and nothing is written after this exception.
 */
public final class PendingRenamesException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String valueName;
    private final int offset;
    private final String problem;

    public PendingRenamesException(String valueName, int offset, String problem) {
        super(valueName + " is corrupt at byte offset " + offset + ": " + problem
                + ". The value was left as it is; inspect it with: reg query \"HKLM\\" + PendingRenames.KEY
                + "\" /v " + valueName);
        this.valueName = valueName;
        this.offset = offset;
        this.problem = problem;
    }

    /** The registry value, {@code PendingFileRenameOperations} or {@code PendingFileRenameOperations2}. */
    public String valueName() {
        return valueName;
    }

    /** Where the problem is, in bytes from the start of the value's data. */
    public int offset() {
        return offset;
    }

    /** What is wrong, without the value's name and offset. */
    public String problem() {
        return problem;
    }
}
