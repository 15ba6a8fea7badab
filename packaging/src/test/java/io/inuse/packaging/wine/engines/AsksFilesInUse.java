package io.inuse.packaging.wine.engines;

import io.inuse.engine.Main;
import io.inuse.engine.UserExitException;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import io.inuse.engine.session.Msi;
import java.io.FileDescriptor;
import java.io.FileOutputStream;

/**
 * A test engine that sends a FILESINUSE message (as the real detection will) and waits for the
 * person's answer; Cancel (IDCANCEL 2) ends the action as a user exit (1602). Then the real probe.
 */
public final class AsksFilesInUse {
    private AsksFilesInUse() {
    }

    public static void main(String[] args) {
        boolean deferred = args[args.length - 1].equals(Probe.DEFERRED);
        System.exit(Main.serve(session -> {
            if (deferred) {
                new ProbeDeferred().run(session);
                return;
            }
            long start = System.nanoTime();
            int answer = session.message(Msi.INSTALLMESSAGE_FILESINUSE, "", "upsmon.exe", "UPS Monitor (pid 77)");
            session.log("FilesInUse answered " + answer + " after " + (System.nanoTime() - start) / 1_000_000 + " ms");
            if (answer == 2) {
                throw new UserExitException("Cancel chosen in FilesInUse");
            }
            new Probe().run(session);
        }, System.in, new FileOutputStream(FileDescriptor.out), System.err));
    }
}
