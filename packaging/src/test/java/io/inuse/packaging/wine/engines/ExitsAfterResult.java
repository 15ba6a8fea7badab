package io.inuse.packaging.wine.engines;

import io.inuse.engine.Main;

/** A test engine that sends a successful result and then exits with code 5: still a failure. */
public final class ExitsAfterResult {
    private ExitsAfterResult() {
    }

    public static void main(String[] args) {
        Main.serve(session -> session.log("ExitsAfterResult: sending success, then exiting with 5"), System.in,
                new java.io.FileOutputStream(java.io.FileDescriptor.out), System.err);
        System.exit(5);
    }
}
