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
 * the same entry wrapper, codec, broker and runtime as the real engine (engine-actions.sh,
 * replace-install.sh). The immediate action that schedules deferred ones does the one thing without
 * which they could not start at all: it hands INUSE_JAVA_HOME on in CustomActionData (InuseProbe to
 * InuseProbeDeferred; InuseDetect to InuseReplace and InuseReplaceRollback). Every other action
 * does nothing.
 */
public final class DoesNothing {
    private DoesNothing() {
    }

    public static void main(String[] args) {
        final String action = args[args.length - 1];
        // an anonymous class, not a lambda: a lambda's bootstrap would add its own cost to the floor
        System.exit(Main.serve(new CustomAction() {
            @Override
            public void run(Session session) {
                scheduleDeferred(session, action);
            }
        }, System.in, new FileOutputStream(FileDescriptor.out), System.err));
    }

    /** What the immediate actions must do so that their deferred actions can start at all. */
    static void scheduleDeferred(Session session, String action) {
        if (action.equals("InuseProbe")) {
            handOn(session, Probe.DEFERRED);
        } else if (action.equals("InuseDetect")) {
            // as the shipped package's detect action hands its deferred actions their data (actions/Schedule)
            handOn(session, "InuseReplace");
            handOn(session, "InuseReplaceRollback");
        }
    }

    private static void handOn(Session session, String deferredAction) {
        session.setProperty(deferredAction, CustomActionData.builder()
                .put("INUSE_JAVA_HOME", session.property("INUSE_JAVA_HOME")).build().encode());
    }
}
