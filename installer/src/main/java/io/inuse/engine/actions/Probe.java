package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.CustomActionData;
import io.inuse.engine.session.Session;

/**
 * The immediate action (before InstallValidate): logs the runtime the engine runs on, sets
 * INUSE_ENGINE_RUNTIME, and schedules the deferred action by handing it CustomActionData with
 * everything it and its broker need.
 */
public final class Probe implements CustomAction {
    public static final String DEFERRED = "InuseProbeDeferred";

    @Override
    public void run(Session session) {
        String runtime = "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") on "
                + System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
        int language = session.language();
        session.setProperty("INUSE_ENGINE_RUNTIME", runtime);
        CustomActionData data = CustomActionData.builder()
                .put("INUSE_JAVA_HOME", nonEmpty(session.property("INUSE_JAVA_HOME")))
                .put("INUSE_ENGINE_TIMEOUT", nonEmpty(session.property("INUSE_ENGINE_TIMEOUT")))
                .put("ProductVersion", session.property("ProductVersion"))
                .build();
        session.setProperty(DEFERRED, data.encode());
        // one log line, not two: every request is a round trip through the broker
        session.log("engine runtime: " + runtime + "; install language " + language + "; handed " + DEFERRED + " "
                + data.entries().size() + " CustomActionData entries: " + data.entries().keySet());
    }

    private static String nonEmpty(String value) {
        return value.isEmpty() ? null : value;
    }
}
