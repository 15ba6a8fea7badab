package io.inuse.packaging.wine.engines;

import io.inuse.engine.Main;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.session.Session;

/**
 * A test engine: in the immediate action, sets INUSE_ROUNDTRIP to a value with a newline, quotes,
 * non-ASCII text and 32 KiB, reads it back through the broker and MSI, compares, and formats a
 * record with it; logs the outcome; then does the real probe's work, so the deferred action has its
 * CustomActionData. The deferred action only succeeds.
 */
public final class PropertyRoundTrip {
    public static final String VALUE = "first line\nsecond \"double\" 'single' Zoë 東京 🚀 ;=: " + "x".repeat(32 * 1024) + " end";

    private PropertyRoundTrip() {
    }

    public static void main(String[] args) {
        int exit = Main.serve(PropertyRoundTrip::run, System.in, new java.io.FileOutputStream(java.io.FileDescriptor.out), System.err);
        System.exit(exit);
    }

    private static void run(Session session) {
        if (session.deferred()) {
            return;
        }
        session.setProperty("INUSE_ROUNDTRIP", VALUE);
        String back = session.property("INUSE_ROUNDTRIP");
        if (!back.equals(VALUE)) {
            throw new IllegalStateException("round trip changed the value: " + back.length() + " chars back for " + VALUE.length());
        }
        String formatted = session.format("<[INUSE_ROUNDTRIP]>");
        if (!formatted.equals("<" + VALUE + ">")) {
            throw new IllegalStateException("MsiFormatRecord gave " + formatted.length() + " chars");
        }
        new Probe().run(session);   // the real immediate action, which schedules the deferred one
        session.log("round trip equal: " + VALUE.length() + " UTF-16 units, " + VALUE.codePointCount(0, VALUE.length())
                + " code points, formatted equal too; sample " + VALUE.substring(0, 30));
    }
}
