package io.inuse.engine.actions;

import io.inuse.engine.CustomActionData;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.replace.Plan;
import io.inuse.engine.replace.Policy;
import io.inuse.engine.session.Session;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
    /** The uninstall's deferred restore, its rollback and its clean-up (a commit action). */
    public static final String RESTORE = "InuseRestore";
    public static final String RESTORE_ROLLBACK = "InuseRestoreRollback";
    public static final String CLEANUP = "InuseRestoreCommit";

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

    /**
     * The install's policy (docs/policy.md): its properties and the policy key, a policy value winning;
     * a value not understood stops the install here, before anything changes. Logged with its origin.
     */
    public static Policy policy(Session session, Machine machine, String productId) {
        return policy(session, machine, productId, Map.of());
    }

    /** The same with the package's own defaults (BuiltInProduct), which the properties and the policy key override. */
    public static Policy policy(Session session, Machine machine, String productId, Map<String, String> defaults) {
        Map<String, String> properties = new HashMap<>();
        properties.put(Policy.WHEN_LOCKED, session.property(Policy.WHEN_LOCKED));
        properties.put(Policy.STRATEGY, session.property(Policy.STRATEGY));
        properties.put(Policy.FORCE_EQUAL, session.property(Policy.FORCE_EQUAL));
        Policy policy = Policy.resolve(Policy.source(machine, productId, defaults, properties, "the property"));
        // stopping services is an administrator's choice: from the command line of a standard user (a repair of a
        // per-machine product runs elevated) it would have SYSTEM stop them; the policy key is admin-only anyway. The package's
        // own default is its author's, not this user's choice: for such a run a held file waits for the reboot instead
        if (policy.whenLocked() == Policy.WhenLocked.STOP_SERVICES && session.property("AdminUser").isEmpty()) {
            if (policy.whenLockedFrom().equals(Policy.FROM_PROPERTY)) {
                throw new IllegalArgumentException("the property " + Policy.WHEN_LOCKED + " is 'stopservices', but the user running this"
                        + " install is not an administrator (AdminUser is not set): only an administrator may have the install stop"
                        + " services; run it as one, or set the value under HKLM\\" + Policy.key(productId) + "; nothing was changed");
            }
            if (policy.whenLockedFrom().equals(Policy.FROM_PACKAGE)) {
                policy = policy.deferredForStandardUser();
                session.log("policy: the package's default " + Policy.WHEN_LOCKED + "=stopservices stops services only for an"
                        + " administrator, and the user running this install is not one (AdminUser is not set): a held file is replaced"
                        + " at the next reboot instead; set the policy value under HKLM\\" + Policy.key(productId) + " to have services"
                        + " stopped for every user");
            }
        }
        session.log("policy: " + policy.origin());
        return policy;
    }

    /** {@code INUSE_WHEN_LOCKED=fail}: a target still held after the detection (and any Retry) stops the install here. */
    public static void failIfHeld(Session session, Policy policy, int locked) {
        if (locked > 0 && policy.whenLocked() == Policy.WhenLocked.FAIL) {
            session.log(locked + " target(s) held, and " + Policy.WHEN_LOCKED + " is fail (" + policy.origin() + "): the install"
                    + " stops before anything changes; close what holds the file (the lines above name it) and run the install again,"
                    + " or let the install replace it at the next reboot (" + Policy.WHEN_LOCKED + "=defer)");
            throw new IllegalStateException(locked + " target(s) held and " + Policy.WHEN_LOCKED + "=fail; nothing was changed");
        }
    }

    /**
     * Whether this run removes the product (REMOVE is ALL, as Windows Installer compares it: without case),
     * and, when it does, whether a major upgrade removes it (UPGRADINGPRODUCTCODE set): then nothing is
     * restored, and the new version takes the backup and the journal over. Logged.
     */
    public static Removal removal(Session session) {
        if (!session.property("REMOVE").trim().equalsIgnoreCase("ALL")) {
            return Removal.NONE;
        }
        String upgrading = session.property("UPGRADINGPRODUCTCODE");
        if (!upgrading.isEmpty()) {
            session.log("this removal is part of the upgrade to " + upgrading + ": nothing is restored; the file in place, the"
                    + " original's backup and the journal stay for the new version");
            return Removal.UPGRADE;
        }
        return Removal.UNINSTALL;
    }

    /** What {@link #removal} found. */
    public enum Removal {
        NONE, UNINSTALL, UPGRADE
    }

    /** Sets both deferred actions' CustomActionData: the runtime, the timeout, the resolved policy and a new run id. */
    public static void handOver(Session session, Policy policy) {
        handOver(session, policy, REPLACE, ROLLBACK);
    }

    /** The same for the uninstall's restore, its rollback and its clean-up, which share a new run id. */
    public static void handOverUninstall(Session session, Policy policy) {
        handOver(session, policy, RESTORE, RESTORE_ROLLBACK, CLEANUP);
    }

    private static void handOver(Session session, Policy policy, String... actions) {
        CustomActionData data = CustomActionData.builder()
                .put("INUSE_JAVA_HOME", nonEmpty(session.property("INUSE_JAVA_HOME")))
                .put("INUSE_JAVA_HOME_SAVED", nonEmpty(session.property("INUSE_JAVA_HOME_SAVED")))
                .put("INUSE_ENGINE_TIMEOUT", nonEmpty(session.property("INUSE_ENGINE_TIMEOUT")))
                .put(Policy.FORCE_EQUAL, policy.forceEqual() ? "1" : "0")
                .put(Policy.WHEN_LOCKED, policy.whenLocked().text())
                .put(Policy.STRATEGY, policy.strategy().text())
                .put(Replace.RUN, newRunId())
                .build();
        for (String action : actions) {
            session.setProperty(action, data.encode());
        }
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
