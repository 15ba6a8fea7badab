package io.inuse.engine.replace;

import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.FakeDisk;
import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.pe.TestImages;

/**
 * What the replacement's tests share: a fake machine whose product folder is admin-only and holds the
 * staged MAPI32.DLL 1.2.0.0, System32 present, and the means to put PE images of a version on its disk.
 */
public abstract class ReplaceFixture {
    public static final String DLL = "C:\\Windows\\system32\\MAPI32.DLL";
    public static final String ROOT = "C:\\Program Files\\inuse\\MAPI32";
    public static final String CODE = "{0AF3F963-E7BC-3942-B096-5D906CF7D4DB}";
    public static final Target MAPI = new Target(KnownFolder.System, "", "MAPI32.DLL");
    public static final ProductFolder FOLDER = new ProductFolder(ROOT);
    /** This install's run id, and another install's (an upgrade's, in the tests that have one). */
    public static final String RUN = "5f3a0c1e9b7d4a2680e1c3b5d7f90a2b";
    public static final String UPGRADE_RUN = "0123456789abcdef0123456789abcdef";

    protected final FakeMachine machine = FakeMachine.standard();

    protected ReplaceFixture() {
        machine.disk.folder(ROOT);
        machine.disk.folder("C:\\Windows\\system32");
        put(FOLDER.staged(MAPI), image(1, 2, 0, 0));
        // as Windows Installer makes them under Program Files: inherited, Users may read, only admins change
        machine.disk.security(ROOT, FakeDisk.INSTALLER_SDDL, false);
        machine.disk.security(FOLDER.staging(), FakeDisk.INSTALLER_SDDL, false);
        // as the actions' FolderChecks.check makes it before anything reads or writes the journal
        machine.secureFolder(FOLDER.state());
    }

    /** A PE image (an x64 DLL) with that file version. */
    public static byte[] image(int... version) {
        TestImages images = new TestImages();
        images.fileVersion = version;
        return images.build();
    }

    /** A file on the fake disk with an identity of its own. */
    protected void put(String path, byte[] bytes) {
        machine.disk.put(path, bytes);
        machine.file(path, 1, path.hashCode() & 0xFFFFFFL);
    }
}
