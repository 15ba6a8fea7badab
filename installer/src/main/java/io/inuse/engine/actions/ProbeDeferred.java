package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.CustomActionData;
import io.inuse.engine.session.Session;

/**
 * The deferred action (no impersonation, after InstallFiles): reads only CustomActionData and logs
 * what it received. It acts on nothing in it: CustomActionData is input a standard user may have
 * written (an unelevated repair runs the immediate action as that user), never trust.
 */
public final class ProbeDeferred implements CustomAction {
    @Override
    public void run(Session session) {
        CustomActionData data = session.customActionData();
        session.log("received CustomActionData " + data.entries());
    }
}
