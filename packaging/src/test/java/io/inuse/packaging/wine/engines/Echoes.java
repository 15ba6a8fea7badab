package io.inuse.packaging.wine.engines;

import io.inuse.engine.CustomAction;
import io.inuse.engine.Main;
import io.inuse.engine.session.Session;
import java.io.FileDescriptor;
import java.io.FileOutputStream;

/**
 * The cost of a request's round trip (packaging/bench/replace-install.sh): {@link DoesNothing}'s
 * work, then {@value #REQUESTS} GET_PROPERTY requests of {@code ProductCode} (allowed in every kind
 * of action, served at once by the broker). Against the floor in the same run, it gives what one
 * request costs in transport (through the stand-in relay under Wine), protocol and a trivial serve.
 */
public final class Echoes {
    public static final int REQUESTS = 100;

    private Echoes() {
    }

    public static void main(String[] args) {
        final String action = args[args.length - 1];
        // an anonymous class, not a lambda, as in DoesNothing
        System.exit(Main.serve(new CustomAction() {
            @Override
            public void run(Session session) {
                DoesNothing.scheduleDeferred(session, action);
                for (int i = 0; i < REQUESTS; i++) {
                    session.property("ProductCode");
                }
            }
        }, System.in, new FileOutputStream(FileDescriptor.out), System.err));
    }
}
