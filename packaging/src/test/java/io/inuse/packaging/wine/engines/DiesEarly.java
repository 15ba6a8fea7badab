package io.inuse.packaging.wine.engines;

/** A test engine (run through the stand-in runtime's main=): writes to stderr, then dies before any frame. */
public final class DiesEarly {
    private DiesEarly() {
    }

    public static void main(String[] args) {
        System.err.println("test engine DiesEarly: starting " + String.join(" ", args));
        System.err.println("test engine DiesEarly: simulated crash before the result");
        System.exit(3);
    }
}
