package io.inuse.packaging.wine.engines;

import io.inuse.engine.Main;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import java.io.FileDescriptor;
import java.io.FileOutputStream;

/**
 * A test engine that writes 4 MiB to stderr before and while it works: a broker that did not read
 * stderr all the time would leave it blocked on a full pipe until the timeout.
 */
public final class Chatty {
    private Chatty() {
    }

    public static void main(String[] args) {
        String line = "chatty ".repeat(70);   // about 500 bytes
        for (int i = 0; i < 8192; i++) {
            System.err.println(i + " " + line);
        }
        boolean deferred = args.length > 0 && args[args.length - 1].equals(Probe.DEFERRED);
        System.exit(Main.serve(session -> {
            for (int i = 0; i < 100; i++) {
                System.err.println("while serving " + i);
            }
            (deferred ? new ProbeDeferred() : new Probe()).run(session);
        }, System.in, new FileOutputStream(FileDescriptor.out), System.err));
    }
}
