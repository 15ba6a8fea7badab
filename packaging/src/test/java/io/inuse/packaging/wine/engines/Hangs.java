package io.inuse.packaging.wine.engines;

/** A test engine that starts and then sends nothing, ever: the broker's timeout must end it. */
public final class Hangs {
    private Hangs() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.err.println("test engine Hangs: started, now silent");
        System.err.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
