package io.inuse.engine.actions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.CustomActionData;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.FakeRegistry;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.replace.ReplaceFixture;
import io.inuse.engine.session.FakeSession;
import io.inuse.engine.session.Msi;
import io.inuse.pe.TestImages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The replace action (deferred), its rollback and the reboot check (immediate, after InstallFinalize)
 * over the fake machine and session: what the install ends with, and that the deferred actions take
 * nothing from a property but CustomActionData and ProductCode.
 */
class ReplaceActionsTest extends ReplaceFixture {
    static final String P = "inuse: InuseReplace: ";


    ReplaceActionsTest() {
        put(DLL, image(1, 0, 0, 0));
    }

    FakeSession deferred(String name, String customActionData) {
        FakeSession session = new FakeSession(name, true);
        session.properties.put("CustomActionData", customActionData);
        session.properties.put("ProductCode", CODE);
        return session;
    }

    void replace(FakeSession session) throws Exception {
        new Replace(machine, List.of(MAPI), FOLDER).run(session);
    }

    @Test
    void aFreeOlderFileIsReplacedAndNoRebootIsAskedFor() throws Exception {
        FakeSession session = deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).build().encode());
        replace(session);
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertTrue(session.log.contains(P + "1 replaced now, 0 queued for the next reboot"), session.log.toString());
        assertEquals(List.of("CustomActionData", "ProductCode"), session.propertiesRead, "a deferred action reads nothing else");

        FakeSession check = new FakeSession("InuseRebootCheck", false);
        new RebootCheck(machine, List.of(MAPI)).run(check);
        assertFalse(check.modes.contains(Msi.MSIRUNMODE_REBOOTATEND));
        assertTrue(check.log.contains("inuse: InuseRebootCheck: nothing of this product is pending: no reboot asked for"), check.log.toString());
    }

    @Test
    void aLockedFileIsQueuedAndTheRebootCheckAsksForTheReboot() throws Exception {
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        replace(deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).build().encode()));
        FakeSession check = new FakeSession("InuseRebootCheck", false);
        new RebootCheck(machine, List.of(MAPI)).run(check);
        assertTrue(check.modes.contains(Msi.MSIRUNMODE_REBOOTATEND), "3010");
        assertTrue(check.log.contains("inuse: InuseRebootCheck: 1 replacement(s) of this product pending: asking Windows Installer for a reboot"
                + " at the end (3010)"), check.log.toString());
    }

    @Test
    void anotherProductsPendingEntryOrACorruptValueAsksForNoReboot() throws Exception {
        String foreign = "\\??\\C:\\Windows\\system32\\MAPI32.DLL.other.tmp\0!\\??\\" + DLL + "\0\0";
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations",
                new RegValue(RegValue.REG_MULTI_SZ, foreign.getBytes(StandardCharsets.UTF_16LE)));
        FakeSession check = new FakeSession("InuseRebootCheck", false);
        new RebootCheck(machine, List.of(MAPI)).run(check);
        assertFalse(check.modes.contains(Msi.MSIRUNMODE_REBOOTATEND), "someone else's rename onto the file is not ours to report");

        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations",
                new RegValue(RegValue.REG_MULTI_SZ, "\\??\\C:\\x.tmp\0".getBytes(StandardCharsets.UTF_16LE)));
        FakeSession corrupt = new FakeSession("InuseRebootCheck", false);
        new RebootCheck(machine, List.of(MAPI)).run(corrupt);
        assertFalse(corrupt.modes.contains(Msi.MSIRUNMODE_REBOOTATEND));
        assertTrue(corrupt.log.stream().anyMatch(l -> l.startsWith("inuse: InuseRebootCheck: PendingFileRenameOperations is corrupt at byte offset")
                && l.endsWith("; it is left as it is, and read string by string for this product's entries: 0 found")), corrupt.log.toString());
    }

    @Test
    void ourEntryInADamagedValueStillAsksForTheReboot() throws Exception {
        // someone else's string without its NUL glues itself to our source: not recognised
        String glued = "\\??\\C:\\x.tmp" + "\\??\\" + DLL + ".inuse-1.tmp\0!\\??\\" + DLL + "\0\0";
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations",
                new RegValue(RegValue.REG_MULTI_SZ, glued.getBytes(StandardCharsets.UTF_16LE)));
        FakeSession check = new FakeSession("InuseRebootCheck", false);
        new RebootCheck(machine, List.of(MAPI)).run(check);
        assertFalse(check.modes.contains(Msi.MSIRUNMODE_REBOOTATEND), "a source glued to someone else's string is not recognised");

        // our entry intact, then bytes after the list's end: found, and the value left byte for byte
        byte[] bytes = ("\\??\\" + DLL + ".inuse-1.tmp\0!\\??\\" + DLL + "\0\0junk\0").getBytes(StandardCharsets.UTF_16LE);
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations", new RegValue(RegValue.REG_MULTI_SZ, bytes));
        FakeSession again = new FakeSession("InuseRebootCheck", false);
        new RebootCheck(machine, List.of(MAPI)).run(again);
        assertTrue(again.modes.contains(Msi.MSIRUNMODE_REBOOTATEND), again.log.toString());
        assertTrue(again.log.stream().anyMatch(l -> l.contains("more bytes follow it") && l.endsWith("for this product's entries: 1 found")), again.log.toString());
        assertArrayEquals(bytes, machine.registry.read(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations").orElseThrow().data(),
                "the damaged value is left byte for byte");
    }

    @Test
    void aDamagedPendingValueStopsAReplacementAtTheNextRebootBeforeAnythingChanges() throws Exception {
        byte[] damaged = "\\??\\C:\\a.tmp\0\\??\\C:\\a.dll\0\0junk\0".getBytes(StandardCharsets.UTF_16LE);
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations", new RegValue(RegValue.REG_MULTI_SZ, damaged));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        FakeSession session = deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).build().encode());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> replace(session));
        assertEquals("a replacement at the next reboot cannot be queued; nothing was changed", e.getMessage());
        assertTrue(session.log.stream().anyMatch(l -> l.startsWith(P + "PendingFileRenameOperations is corrupt at byte offset ")
                && l.contains("So no replacement is queued and nothing was replaced: run the install again after that")), session.log.toString());
        assertArrayEquals(damaged, machine.registry.read(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations").orElseThrow().data());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertFalse(machine.disk.exists(FOLDER.journal()), "nothing written");

        // the same value with the file free: replaced now, the value untouched
        machine.unlock(DLL);
        replace(deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).build().encode()));
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertArrayEquals(damaged, machine.registry.read(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations").orElseThrow().data());
    }

    @Test
    void aRefusalChangesNothingAndFails() throws Exception {
        machine.disk.protectedFiles.add(DLL.toLowerCase());
        FakeSession session = deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).build().encode());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> replace(session));
        assertEquals("1 target(s) refused; nothing was changed", e.getMessage());
        assertTrue(session.log.stream().anyMatch(l -> l.startsWith(P + "[System]\\MAPI32.DLL (" + DLL + "): refused, protected by Windows Resource Protection")),
                session.log.toString());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertFalse(machine.disk.exists(FOLDER.journal()), "nothing written");
    }

    @Test
    void theForceSwitchIsChecked() throws Exception {
        put(DLL, image(1, 2, 0, 0));
        FakeSession equal = deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).build().encode());
        replace(equal);
        assertTrue(equal.log.stream().anyMatch(l -> l.contains("skip, the same version is in place")), equal.log.toString());
        FakeSession forced = deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).put(Replace.FORCE_EQUAL, "1").build().encode());
        replace(forced);
        assertTrue(forced.log.contains(P + "1 replaced now, 0 queued for the next reboot"), forced.log.toString());
        FakeSession bad = deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).put(Replace.FORCE_EQUAL, "yes").build().encode());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> replace(bad));
        assertEquals("the CustomActionData value INUSE_FORCE_EQUAL is 'yes', which is not understood: use 1 to replace a file of the same version"
                + " too, or 0 (the default); nothing was changed", e.getMessage());
    }

    @Test
    void theRollbackPutsTheOriginalBack() throws Exception {
        replace(deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).build().encode()));
        FakeSession rollback = deferred("InuseReplaceRollback", CustomActionData.builder().put(Replace.RUN, RUN).build().encode());
        new ReplaceRollback(machine, FOLDER, List.of(MAPI)).run(rollback);
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertEquals(List.of("CustomActionData", "ProductCode"), rollback.propertiesRead);
    }

    @Test
    void aRefusedRepairsRollbackLeavesTheCompletedInstallAlone() throws Exception {
        replace(deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).build().encode()));
        byte[] journal = machine.disk.bytes(FOLDER.journal()).orElseThrow();
        // a repair, its own run id, refused (protected by Windows Resource Protection); Windows Installer then runs the rollback
        String repair = CustomActionData.builder().put(Replace.RUN, UPGRADE_RUN).build().encode();
        machine.disk.protectedFiles.add(DLL.toLowerCase());
        assertThrows(IllegalStateException.class, () -> replace(deferred("InuseReplace", repair)));
        machine.disk.protectedFiles.remove(DLL.toLowerCase());
        FakeSession rollback = deferred("InuseReplaceRollback", repair);
        new ReplaceRollback(machine, FOLDER, List.of(MAPI)).run(rollback);
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the first install's file stays");
        assertArrayEquals(journal, machine.disk.bytes(FOLDER.journal()).orElseThrow(), "the journal is as the first install left it");
        assertTrue(rollback.log.stream().anyMatch(l -> l.contains("rollback: nothing of this install's to undo")), rollback.log.toString());

        // a rollback without a run id undoes nothing and says why
        FakeSession bare = deferred("InuseReplaceRollback", "");
        new ReplaceRollback(machine, FOLDER, List.of(MAPI)).run(bare);
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertTrue(bare.log.stream().anyMatch(l -> l.contains("CustomActionData is empty")), bare.log.toString());
        FakeSession noRun = deferred("InuseReplaceRollback", CustomActionData.builder().put(Replace.FORCE_EQUAL, "0").build().encode());
        new ReplaceRollback(machine, FOLDER, List.of(MAPI)).run(noRun);
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertTrue(noRun.log.stream().anyMatch(l -> l.contains("INUSE_RUN in CustomActionData is '', not a run id") && l.endsWith("nothing is undone")),
                noRun.log.toString());
    }

    @Test
    void theDetectActionRefusesAProtectedOrRemoteTargetBeforeAnythingChanges() throws Exception {
        FakeSession fine = new FakeSession("InuseDetect", false);
        Schedule.refuseEarly(fine, machine, List.of(MAPI));
        assertEquals(List.of(), fine.log);

        machine.disk.protectedFiles.add(DLL.toLowerCase());
        FakeSession session = new FakeSession("InuseDetect", false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Schedule.refuseEarly(session, machine, List.of(MAPI)));
        assertEquals("1 target(s) refused; nothing was changed", e.getMessage());
        assertTrue(session.log.stream().anyMatch(l -> l.startsWith("inuse: InuseDetect: [System]\\MAPI32.DLL (" + DLL
                + "): refused, protected by Windows Resource Protection") && l.endsWith(". The install stops before anything changes")),
                session.log.toString());
        machine.disk.protectedFiles.clear();

        machine.disk.driveTypes.put('c', io.inuse.engine.machine.PathLocation.DRIVE_REMOTE);
        FakeSession remote = new FakeSession("InuseDetect", false);
        assertThrows(IllegalStateException.class, () -> Schedule.refuseEarly(remote, machine, List.of(MAPI)));
        assertTrue(remote.log.stream().anyMatch(l -> l.contains("refused, on a network drive or share: it is on a network drive")),
                remote.log.toString());
    }

    @Test
    void aJournalPastItsBoundStopsTheActionNamingIt() throws Exception {
        put(FOLDER.journal(), new byte[io.inuse.engine.machine.Machine.FILE_WRITE_MAX + 1]);
        FakeSession session = deferred("InuseReplace", CustomActionData.builder().put(Replace.RUN, RUN).build().encode());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> replace(session));
        assertTrue(e.getMessage().startsWith(FOLDER.journal() + " is larger than the 1048576 bytes a journal may hold"), e.getMessage());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
    }

    @Test
    void whenLockedFailStopsAHeldReplacementBeforeAnythingChangesAndLetsAFreeOneGo() throws Exception {
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        String fail = CustomActionData.builder().put(Replace.RUN, RUN).put("INUSE_WHEN_LOCKED", "fail").build().encode();
        FakeSession session = deferred("InuseReplace", fail);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> replace(session));
        assertEquals("a target is held and INUSE_WHEN_LOCKED=fail; nothing was changed", e.getMessage());
        assertTrue(session.log.stream().anyMatch(l -> l.contains("INUSE_WHEN_LOCKED is fail (INUSE_WHEN_LOCKED=fail (property)")), session.log.toString());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertFalse(machine.disk.exists(FOLDER.journal()), "nothing written");

        // the policy key says defer: it wins over the handed-on fail
        machine.registry.write(RegRoot.HKLM, "SOFTWARE\\Policies\\inuse\\MAPI32", "INUSE_WHEN_LOCKED",
                new RegValue(RegValue.REG_SZ, "defer\0".getBytes(StandardCharsets.UTF_16LE)));
        replace(deferred("InuseReplace", fail));
        assertTrue(machine.disk.exists(DLL + ".inuse-1.tmp"), "queued for the next reboot");
    }

    @Test
    void theDetectActionFailsAHeldTargetUnderFailAndHandsThePolicyOn() throws Exception {
        FakeSession session = new FakeSession("InuseDetect", false);
        session.properties.put("INUSE_WHEN_LOCKED", "fail");
        io.inuse.engine.replace.Policy policy = Schedule.policy(session, machine, "MAPI32");
        Schedule.failIfHeld(session, policy, 0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Schedule.failIfHeld(session, policy, 1));
        assertEquals("1 target(s) held and INUSE_WHEN_LOCKED=fail; nothing was changed", e.getMessage());
        assertTrue(session.log.contains("inuse: InuseDetect: policy: INUSE_WHEN_LOCKED=fail (property), INUSE_STRATEGY=reboot (default), INUSE_FORCE_EQUAL=0 (default)"),
                session.log.toString());
        Schedule.handOver(session, policy);
        CustomActionData handed = CustomActionData.decode(session.properties.get("InuseReplace"));
        assertEquals(java.util.Optional.of("fail"), handed.get("INUSE_WHEN_LOCKED"));
        assertEquals(java.util.Optional.of("0"), handed.get("INUSE_FORCE_EQUAL"));
        assertTrue(io.inuse.engine.replace.JournalEntry.isRunId(handed.get(Replace.RUN).orElseThrow()));
    }
}
