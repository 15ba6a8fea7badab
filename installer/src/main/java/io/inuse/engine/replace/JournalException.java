package io.inuse.engine.replace;

import java.io.IOException;

/**
 * A journal's bytes are not a journal this engine can trust: the message names the file, the line
 * and what is wrong. The caller acts on nothing in a journal that does not parse (rollback and
 * uninstall would undo the wrong things) and leaves the file as it is.
 */
public final class JournalException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int line;

    public JournalException(String file, int line, String problem) {
        super(file + (line > 0 ? ": line " + line : "") + ": " + problem
                + "; the journal is left as it is and nothing is undone from it (docs/journal.md, \"A damaged journal\")");
        this.line = line;
    }

    /** The 1-based line the problem is on; 0 when it is about the whole file. */
    public int line() {
        return line;
    }
}
