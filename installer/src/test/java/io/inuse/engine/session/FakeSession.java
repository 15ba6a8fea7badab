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
 * answers scripted, query results scripted, and every property read noted so a test can assert
 * what a deferred action asked for. A deferred FakeSession refuses what the broker refuses there
 * (what Windows does not give a deferred action), with the same error code and API name.
 */
public class FakeSession implements Session {
    public final Map<String, String> properties = new HashMap<>();
    public final List<String> log = new ArrayList<>();
    public final List<List<Object>> messages = new ArrayList<>();
    public final List<String> propertiesRead = new ArrayList<>();
    public final Set<Integer> modes = new HashSet<>();
    public ToIntFunction<List<Object>> answers = fields -> 0;
    public final Map<String, List<List<Object>>> tables = new HashMap<>();
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

    private static final Set<String> DEFERRED_PROPERTIES = Set.of("CustomActionData", "ProductCode", "UserSID");
    private static final long ERROR_ACCESS_DENIED = 5;

    private void refuseInDeferred(String request, String api, String why) {
        if (deferred) {
            throw new SessionException(request, ERROR_ACCESS_DENIED, api, why);
        }
    }

    @Override
    public String property(String name) {
        propertiesRead.add(name);
        if (!DEFERRED_PROPERTIES.contains(name)) {
            refuseInDeferred("GET_PROPERTY", "MsiGetPropertyW", "a deferred action sees only CustomActionData, ProductCode and UserSID");
        }
        return properties.getOrDefault(name, "");
    }

    @Override
    public void setProperty(String name, String value) {
        refuseInDeferred("SET_PROPERTY", "MsiSetPropertyW", "a deferred action cannot set properties");
        properties.put(name, value);
    }

    @Override
    public List<List<Object>> query(String select) {
        refuseInDeferred("DB_QUERY", "MsiGetActiveDatabase", "a deferred action has no database");
        List<List<Object>> rows = tables.get(select);
        if (rows == null) {
            throw new SessionException("DB_QUERY", 1627, "MsiDatabaseOpenViewW", "no scripted result for: " + select);
        }
        return rows;
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
        if (deferred && runMode != Msi.MSIRUNMODE_SCHEDULED && runMode != Msi.MSIRUNMODE_ROLLBACK && runMode != Msi.MSIRUNMODE_COMMIT) {
            return false;   // what Windows answers a deferred action for any other mode
        }
        return modes.contains(runMode);
    }

    @Override
    public void setMode(int runMode, boolean on) {
        refuseInDeferred("SET_MODE", "MsiSetMode", "a deferred action cannot set a run mode: ask for the reboot from an immediate action");
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
