package io.inuse.engine.machine;

/** How FILE_WRITE treats an existing file at the path: refuse (183, the file stays) or replace it. */
public enum WriteMode {
    CREATE_NEW(1),
    REPLACE(2);

    private final long wire;

    WriteMode(long wire) {
        this.wire = wire;
    }

    /** The mode's number in the protocol. */
    public long wire() {
        return wire;
    }
}
