package io.inuse.packaging.wine.engines;

import io.inuse.engine.CustomAction;
import io.inuse.engine.CustomActionData;
import io.inuse.engine.Main;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.session.Session;
import java.io.FileDescriptor;
import java.io.FileOutputStream;

/**
 * The floor of a Java action (packaging/bench/engine-actions.sh): HELLO, nothing, RESULT, through
 * the same entry wrapper, codec, broker and runtime as the real engine. The immediate action does
 * the one thing without which the deferred one could not start at all: it hands INUSE_JAVA_HOME
 * on in CustomActionData (one GET_PROPERTY, one SET_PROPERTY).
 */
public final class DoesNothing {
    private DoesNothing() {
    }

    public static void main(String[] args) {
        final boolean deferred = args[args.length - 1].equals(Probe.DEFERRED);
        // an anonymous class, not a lambda: a lambda's bootstrap would add its own cost to the floor
        System.exit(Main.serve(new CustomAction() {
            @Override
            public void run(Session session) {
                if (!deferred) {
                    session.setProperty(Probe.DEFERRED, CustomActionData.builder()
                            .put("INUSE_JAVA_HOME", session.property("INUSE_JAVA_HOME")).build().encode());
                }
            }
        }, System.in, new FileOutputStream(FileDescriptor.out), System.err));
    }
}
