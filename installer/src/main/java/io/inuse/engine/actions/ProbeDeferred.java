package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.CustomActionData;
import io.inuse.engine.session.Session;

/**
 * The deferred action (no impersonation, after InstallFiles): reads only CustomActionData, logs
 * what it received, and asks for a reboot when the install set INUSE_REQUEST_REBOOT=1.
 */
public final class ProbeDeferred implements CustomAction {
    @Override
    public void run(Session session) {
        CustomActionData data = session.customActionData();
        session.log("received CustomActionData " + data.entries());
        if (data.get("INUSE_REQUEST_REBOOT").orElse("").equals("1")) {
            session.requestReboot();
            session.log("INUSE_REQUEST_REBOOT=1: asked Windows Installer for a reboot at the end of the install");
        }
    }
}
