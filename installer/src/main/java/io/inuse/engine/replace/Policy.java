package io.inuse.engine.replace;

import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Optional;

/**
 * What the replacement does when it has a choice (issue 16, docs/policy.md): fixed names, each a
 * public property of the install and a value under {@code HKLM\SOFTWARE\Policies\inuse\<product id>}
 * (Group Policy's place: only administrators can write it). A policy value wins over a property, a
 * property over the package's own default (built into it by its build: BuiltInProduct), that over inuse's; a
 * value that is set and not understood stops the install with a line naming it, where it came from
 * and what is allowed. An empty property or an absent policy value means "not set".
 *
 * @param whenLocked  {@value #WHEN_LOCKED}: {@code defer} (default: replace at the next reboot, 3010),
 *                    {@code fail} (a held target stops the install, 1603, before anything changes) or
 *                    {@code stopservices} (the services holding it stopped, the file replaced, the services
 *                    started again; held by anything else: as defer)
 * @param forceEqual  {@value #FORCE_EQUAL}: {@code 1} replaces a file of the same version too
 * @param strategy    {@value #STRATEGY}: how a held file is replaced, {@code reboot} (default: the new file
 *                    moved in at the next reboot) or {@code renameaside} (the held file renamed aside and the
 *                    new one put in place at once, the old one deleted at the next reboot)
 * @param origin      for the log: where each value came from
 * @param whenLockedFrom where INUSE_WHEN_LOCKED came from: {@value #FROM_POLICY}, {@value #FROM_PROPERTY},
 *                    {@value #FROM_PACKAGE} or {@value #FROM_DEFAULT} (only an administrator may choose stopservices)
 */
public record Policy(WhenLocked whenLocked, boolean forceEqual, Strategy strategy, String origin, String whenLockedFrom) {
    public static final String WHEN_LOCKED = "INUSE_WHEN_LOCKED";
    public static final String FORCE_EQUAL = "INUSE_FORCE_EQUAL";
    public static final String STRATEGY = "INUSE_STRATEGY";
    /** Where a value came from: the policy key, the property (or what the detect action handed on), the package, inuse. */
    public static final String FROM_POLICY = "policy";
    public static final String FROM_PROPERTY = "property";
    public static final String FROM_PACKAGE = "package";
    public static final String FROM_DEFAULT = "default";
    /** The policy key below HKLM, without the product id. */
    public static final String KEY = "SOFTWARE\\Policies\\inuse";

    /** INUSE_WHEN_LOCKED's values. */
    public enum WhenLocked {
        DEFER("defer"),
        FAIL("fail"),
        STOP_SERVICES("stopservices");

        private final String text;

        WhenLocked(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** INUSE_STRATEGY's values. */
    public enum Strategy {
        REBOOT("reboot"),
        RENAME_ASIDE("renameaside");

        private final String text;

        Strategy(String text) {
            this.text = text;
        }

        public String text() {
            return text;
        }
    }

    /** The values an install has: its properties (as given) and its policy key (read by the caller). */
    public interface Source {
        /** The property's value, "" when it is not set. */
        String property(String name);

        /** The policy value, empty when absent. */
        Optional<RegValue> policy(String name);

        /** The package's own default (built into it: BuiltInProduct), "" when it has none. */
        default String packageDefault(String name) {
            return "";
        }

        /** The policy key's full name, for messages. */
        String policyKey();

        /** What the non-policy values are, for messages: "the property" or "the CustomActionData value". */
        String valuesAre();
    }

    /**
     * Resolves and validates both values. IllegalArgumentException names the value, its source and
     * what is allowed; nothing has changed when it is thrown.
     */
    public static Policy resolve(Source source) {
        StringBuilder origin = new StringBuilder();
        String when = pick(source, WHEN_LOCKED, origin);
        WhenLocked whenLocked = null;
        for (WhenLocked w : WhenLocked.values()) {
            if (w.text.equalsIgnoreCase(when)) {
                whenLocked = w;
            }
        }
        if (whenLocked == null) {
            throw new IllegalArgumentException(where(source, WHEN_LOCKED) + " is '" + when + "', which is not understood: use defer"
                    + " (replace a held file at the next reboot, the default), fail (stop the install instead) or stopservices (stop"
                    + " the services that hold it, replace it, start them again); nothing was changed");
        }
        String strategyText = pick(source, STRATEGY, origin);
        Strategy strategy = null;
        for (Strategy s : Strategy.values()) {
            if (s.text.equalsIgnoreCase(strategyText)) {
                strategy = s;
            }
        }
        if (strategy == null) {
            throw new IllegalArgumentException(where(source, STRATEGY) + " is '" + strategyText + "', which is not understood: use"
                    + " reboot (a held file is replaced at the next reboot, the default) or renameaside (the held file is renamed"
                    + " aside and the new one put in place at once); nothing was changed");
        }
        String force = pick(source, FORCE_EQUAL, origin);
        if (!force.equals("0") && !force.equals("1")) {
            throw new IllegalArgumentException(where(source, FORCE_EQUAL) + " is '" + force + "', which is not understood: use 1 to"
                    + " replace a file of the same version too, or 0 (the default); nothing was changed");
        }
        return new Policy(whenLocked, force.equals("1"), strategy, origin.toString(), from(source, WHEN_LOCKED));
    }

    /**
     * The same with INUSE_WHEN_LOCKED defer instead of the package's stopservices, for a run that is not an
     * administrator's; the log's origin says so (its first entry is INUSE_WHEN_LOCKED's, {@link #resolve} writes it first).
     */
    public Policy deferredForStandardUser() {
        int end = origin.indexOf(", ");
        return new Policy(WhenLocked.DEFER, forceEqual, strategy, WHEN_LOCKED + "=defer (the package's stopservices, not for a"
                + " standard user)" + (end < 0 ? "" : origin.substring(end)), whenLockedFrom);
    }

    /** The policy key of a product: {@code SOFTWARE\Policies\inuse\<product id>} below HKLM. */
    public static String key(String productId) {
        return KEY + "\\" + productId;
    }

    /**
     * A {@link Source} over a machine's registry and the given values: the install's properties (the
     * detect action), or what the detect action handed on in CustomActionData (the replace action).
     */
    public static Source source(Machine machine, String productId, Map<String, String> values, String valuesAre) {
        return new MachineSource(machine, productId, Map.of(), values, valuesAre);
    }

    /** The same with the package's own defaults (BuiltInProduct.defaults()), which a property and a policy value override. */
    public static Source source(Machine machine, String productId, Map<String, String> defaults, Map<String, String> values,
            String valuesAre) {
        return new MachineSource(machine, productId, defaults, values, valuesAre);
    }

    /** Where a value comes from, in the order of precedence. */
    private static String from(Source source, String name) {
        if (source.policy(name).isPresent()) {
            return FROM_POLICY;
        }
        if (!source.property(name).trim().isEmpty()) {
            return FROM_PROPERTY;
        }
        return source.packageDefault(name).trim().isEmpty() ? FROM_DEFAULT : FROM_PACKAGE;
    }

    private static String pick(Source source, String name, StringBuilder origin) {
        String from = from(source, name);
        String value = switch (from) {
            case FROM_POLICY -> text(source, name, source.policy(name).orElseThrow());
            case FROM_PROPERTY -> source.property(name).trim();
            case FROM_PACKAGE -> source.packageDefault(name).trim();
            default -> name.equals(WHEN_LOCKED) ? WhenLocked.DEFER.text : name.equals(STRATEGY) ? "reboot" : "0";
        };
        origin.append(origin.length() == 0 ? "" : ", ").append(name).append('=').append(value).append(" (").append(from).append(')');
        return value;
    }

    /** A policy value as text: REG_SZ (or REG_EXPAND_SZ) without its NUL, a REG_DWORD as its number. */
    private static String text(Source source, String name, RegValue value) {
        byte[] data = value.data();
        switch (value.type()) {
            case RegValue.REG_SZ, RegValue.REG_EXPAND_SZ -> {
                return value.string().trim();
            }
            case RegValue.REG_DWORD -> {
                if (data.length == 4) {
                    return Long.toString(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL);
                }
            }
            default -> {
            }
        }
        throw new IllegalArgumentException(where(source, name) + " has registry type " + value.type() + " and " + data.length
                + " bytes: use a string (REG_SZ) or, for " + FORCE_EQUAL + ", a DWORD; nothing was changed");
    }

    private static String where(Source source, String name) {
        return switch (from(source, name)) {
            case FROM_POLICY -> "the policy value HKLM\\" + source.policyKey() + "\\" + name;
            case FROM_PACKAGE -> "the package's default " + name;
            default -> source.valuesAre() + " " + name;
        };
    }

    /** The registry through the broker, and the properties as the caller read them. A class, not a lambda (start-up path). */
    private static final class MachineSource implements Source {
        private final Machine machine;
        private final String key;
        private final Map<String, String> properties;
        private final Map<String, String> defaults;
        private final String valuesAre;

        MachineSource(Machine machine, String productId, Map<String, String> defaults, Map<String, String> properties, String valuesAre) {
            this.machine = machine;
            this.key = key(productId);
            this.defaults = defaults;
            this.properties = properties;
            this.valuesAre = valuesAre;
        }

        @Override
        public String packageDefault(String name) {
            String value = defaults.get(name);
            return value == null ? "" : value;
        }

        @Override
        public String valuesAre() {
            return valuesAre;
        }

        @Override
        public String property(String name) {
            String value = properties.get(name);
            return value == null ? "" : value;
        }

        @Override
        public Optional<RegValue> policy(String name) {
            return machine.regRead(RegRoot.HKLM, key, name);
        }

        @Override
        public String policyKey() {
            return key;
        }
    }
}
