package io.inuse.engine.actions;

import io.inuse.engine.CustomActionData;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.replace.Plan;
import io.inuse.engine.session.Session;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/**
 * Hands the deferred actions of the replacement their CustomActionData (docs/custom-action-data.md):
 * an immediate action (the detect action, once it has asked and the install goes on) sets the
 * properties named after them. Only what the SYSTEM rule allows: the runtime folder and the timeout
 * for their broker (checked there), {@value Replace#FORCE_EQUAL} as "1" or "0", and a new run id
 * ({@value Replace#RUN}) that both share.
 */
public final class Schedule {
    /** The deferred replace action and its rollback, whose CustomActionData these properties are. */
    public static final String REPLACE = "InuseReplace";
    public static final String ROLLBACK = "InuseReplaceRollback";

    private Schedule() {
    }

    /**
     * Before anything changes (the detect action runs before InstallValidate and RemoveExistingProducts):
     * the refusals that need no staged file ({@link Plan#earlyRefusal}: Windows Resource Protection, a
     * network drive or share) end the install with one line per refused target, as the replace action's
     * plan would later, but before an earlier version is removed. The replace action decides again.
     */
    public static void refuseEarly(Session session, Machine machine, List<Target> targets) {
        int refused = 0;
        for (Target target : targets) {
            String path = target.pathIn(machine.knownFolder(target.folder()));
            Optional<String> line = Plan.earlyRefusal(target, path, machine.sfcProtected(path), machine.pathLocation(path).remote());
            if (line.isPresent()) {
                session.log(line.get());
                refused++;
            }
        }
        if (refused > 0) {
            throw new IllegalStateException(refused + " target(s) refused; nothing was changed");
        }
    }

    /** Sets both properties; an INUSE_FORCE_EQUAL other than "", "0" or "1" is refused, naming it. */
    public static void handOver(Session session) {
        String force = session.property(Replace.FORCE_EQUAL).trim();
        if (!force.isEmpty() && !force.equals("0") && !force.equals("1")) {
            throw new IllegalArgumentException(Replace.FORCE_EQUAL + "=" + force + " is not understood: pass 1 to replace a file of"
                    + " the same version, or leave it out");
        }
        CustomActionData data = CustomActionData.builder()
                .put("INUSE_JAVA_HOME", nonEmpty(session.property("INUSE_JAVA_HOME")))
                .put("INUSE_ENGINE_TIMEOUT", nonEmpty(session.property("INUSE_ENGINE_TIMEOUT")))
                .put(Replace.FORCE_EQUAL, force.equals("1") ? "1" : "0")
                .put(Replace.RUN, newRunId())
                .build();
        session.setProperty(REPLACE, data.encode());
        session.setProperty(ROLLBACK, data.encode());
    }

    /**
     * 128 random bits in hex: the run id that ties the replace action's journal run to its own
     * rollback. It is drawn here, in the install's own session, and users cannot read the journal
     * (admin-only), so no one can name an earlier run to have it undone.
     */
    static String newRunId() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        StringBuilder hex = new StringBuilder(32);
        for (byte b : bytes) {
            hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return hex.toString();
    }

    private static String nonEmpty(String value) {
        return value.isEmpty() ? null : value;
    }
}
