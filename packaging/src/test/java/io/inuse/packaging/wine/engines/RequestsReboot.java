package io.inuse.packaging.wine.engines;

import io.inuse.engine.Main;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import java.io.FileDescriptor;
import java.io.FileOutputStream;

/**
 * A test engine that asks Windows Installer for a reboot (3010) from the immediate action, where
 * Windows allows it, then runs the real probes. The released engine has no such switch: a reboot
 * request is a product decision of a later stage, never a property a user can set.
 */
public final class RequestsReboot {
    private RequestsReboot() {
    }

    public static void main(String[] args) {
        boolean deferred = args[args.length - 1].equals(Probe.DEFERRED);
        System.exit(Main.serve(session -> {
            if (deferred) {
                new ProbeDeferred().run(session);
                return;
            }
            session.requestReboot();
            session.log("test engine RequestsReboot: asked Windows Installer for a reboot at the end of the install");
            new Probe().run(session);
        }, System.in, new FileOutputStream(FileDescriptor.out), System.err));
    }
}
