package io.inuse.engine.session;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * An in-memory Windows Installer session for unit tests: properties in a map, messages recorded,
 * answers scripted, and every property read noted so a test can assert what a deferred action
 * asked for.
 */
public class FakeSession implements Session {
    public final Map<String, String> properties = new HashMap<>();
    public final List<String> log = new ArrayList<>();
    public final List<List<Object>> messages = new ArrayList<>();
    public final List<String> propertiesRead = new ArrayList<>();
    public final Set<Integer> modes = new HashSet<>();
    public ToIntFunction<List<Object>> answers = fields -> 0;
    private final String actionName;
    private final boolean deferred;

    public FakeSession(String actionName, boolean deferred) {
        this.actionName = actionName;
        this.deferred = deferred;
    }

    @Override
    public String actionName() {
        return actionName;
    }

    @Override
    public boolean deferred() {
        return deferred;
    }

    @Override
    public String property(String name) {
        propertiesRead.add(name);
        return properties.getOrDefault(name, "");
    }

    @Override
    public void setProperty(String name, String value) {
        properties.put(name, value);
    }

    /** Formats [n] references to fields and the escapes [\[] and [\]], all that the engine's templates use. */
    @Override
    public String format(Object... fields) {
        String text = String.valueOf(fields[0]);
        for (int i = fields.length - 1; i >= 1; i--) {
            text = text.replace("[" + i + "]", fields[i] == null ? "" : String.valueOf(fields[i]));
        }
        return text.replace("[\\[]", "[").replace("[\\]]", "]");
    }

    @Override
    public int message(int type, Object... fields) {
        List<Object> record = Arrays.asList(fields);
        messages.add(record);
        if (type == Msi.INSTALLMESSAGE_INFO) {
            log.add(format(fields));
            return 0;
        }
        return answers.applyAsInt(record);
    }

    @Override
    public boolean mode(int runMode) {
        return modes.contains(runMode);
    }

    @Override
    public void setMode(int runMode, boolean on) {
        if (on) {
            modes.add(runMode);
        } else {
            modes.remove(runMode);
        }
    }

    @Override
    public int language() {
        return 1033;
    }
}
