package io.inuse.packaging.wine.engines;

import io.inuse.engine.Main;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import io.inuse.engine.session.Msi;
import io.inuse.engine.session.Session;
import io.inuse.engine.session.SessionException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * A test engine that asks, in the deferred action, for what Windows does not give a deferred action
 * (another property, a database query, a run mode to set) and logs how each was answered; the
 * immediate action shows the database query that is allowed there. Then the real probes.
 */
public final class DeferredOverreach {
    private DeferredOverreach() {
    }

    public static void main(String[] args) {
        boolean deferred = args[args.length - 1].equals(Probe.DEFERRED);
        System.exit(Main.serve(session -> {
            String files = "SELECT `FileName`, `Version`, `Attributes` FROM `File` WHERE `File` = 'TargetDll'";
            if (!deferred) {
                session.log("immediate query " + files + ": " + session.query(files));
                new Probe().run(session);
                return;
            }
            attempt(session, "property ProductVersion", () -> session.property("ProductVersion"));
            attempt(session, "database query", () -> session.query(files));
            attempt(session, "reboot mode", () -> {
                session.setMode(Msi.MSIRUNMODE_REBOOTATEND, true);
                return "set";
            });
            attempt(session, "property ProductCode", () -> session.property("ProductCode"));
            attempt(session, "run mode REBOOTATEND", () -> session.mode(Msi.MSIRUNMODE_REBOOTATEND));
            attempt(session, "run mode SCHEDULED", () -> session.mode(Msi.MSIRUNMODE_SCHEDULED));
            new ProbeDeferred().run(session);
        }, System.in, new FileOutputStream(FileDescriptor.out), System.err));
    }

    private static void attempt(Session session, String what, Supplier<Object> call) {
        try {
            Object answer = call.get();
            session.log("deferred " + what + ": answered " + (answer instanceof List<?> l ? l.size() + " rows" : answer));
        } catch (SessionException e) {
            session.log("deferred " + what + ": refused: " + e.win32Error() + " " + e.api());
        }
    }
}
