package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detection;
import io.inuse.engine.detect.Detector;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.FakeDisk;
import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.FakeRegistry;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.pe.TestImages;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Detect, gather the facts, plan and act on the fake machine: what ends up on its disk, in its
 * PendingFileRenameOperations and in the journal. Under Wine the same path runs in the replace
 * action's scenarios (a later step).
 */
class ReplacerTest extends ReplaceFixture {

    final List<String> log = new ArrayList<>();
    final Replacer replacer = new Replacer(machine, FOLDER, CODE, RUN, log::add);

    Replacer.Outcome run(Journal journal) {
        List<Detection> detections = new Detector(machine).detect(List.of(MAPI));
        Plan plan = Plan.decide(replacer.facts(detections, journal), false);
        assertFalse(plan.refused(), plan.refusalLines().toString());
        return replacer.act(plan, journal);
    }

    Optional<byte[]> pending() {
        return machine.registry.read(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations").map(RegValue::data);
    }

    @Test
    void anOlderFreeFileIsBackedUpAndReplacedNow() throws Exception {
        byte[] original = image(1, 0, 0, 0);
        put(DLL, original);
        Replacer.Outcome out = run(Journal.empty());
        assertEquals(1, out.replacedNow());
        assertFalse(out.rebootNeeded());
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the new file is in place");
        assertArrayEquals(original, machine.disk.bytes(FOLDER.backup(MAPI)).orElseThrow(), "the original is kept");
        assertEquals(Optional.empty(), pending());
        assertEquals(List.of(), machine.disk.paths().stream().filter(p -> p.endsWith(".tmp")).toList(), "no temporary file left");
        Journal written = Journal.parse("journal.txt", machine.disk.bytes(FOLDER.journal()).orElseThrow());
        assertEquals(out.journal().entries(), written.entries(), "the journal on disk is the one returned");
        assertEquals(List.of("BEGIN", "BACKUP", "QUEUED", "REPLACED", "COMPLETED"), written.entries().stream().map(e -> e.op().name()).toList(),
                "QUEUED names the temporary copy and the boot-time strings before the copy is made");
        assertEquals("1.0.0.0", written.entries().get(1).field("version"));
        assertEquals(DLL + ".inuse-1.tmp", written.entries().get(2).field("temp"));
        assertEquals("1.2.0.0", written.entries().get(3).field("to"));
    }

    @Test
    void aLockedFileIsQueuedWithTheReplaceMarkerAndTheLockersAreJournalled() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        Replacer.Outcome out = run(Journal.empty());
        assertTrue(out.rebootNeeded());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the old file stays until the reboot");
        String temp = DLL + ".inuse-1.tmp";
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(temp).orElseThrow(), "the new file waits beside the target");
        PendingRenames value = PendingRenames.decode("PendingFileRenameOperations", pending().orElseThrow());
        assertEquals(1, value.entries().size());
        assertTrue(value.entries().get(0).sourceIs(temp) && value.entries().get(0).destinationIs(DLL), value.toString());
        assertTrue(value.entries().get(0).replaceExisting());
        JournalEntry queued = out.journal().entries().get(2);
        assertEquals("1.0.0.0", queued.field("from"));
        assertEquals(JournalEntry.Op.QUEUED, queued.op());
        assertEquals("\\??\\" + temp, queued.field("source"));
        assertEquals("!\\??\\" + DLL, queued.field("destination"));
        assertEquals(77, queued.lockers().get(0).pid());
        assertTrue(log.contains("queued " + temp + " -> " + DLL + " for the next reboot (MoveFileEx DELAY_UNTIL_REBOOT | REPLACE_EXISTING)"), log.toString());
    }

    @Test
    void aRepairWithOurFileInPlaceKeepsTheOriginalsBackup() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal first = run(Journal.empty()).journal();
        byte[] backup = machine.disk.bytes(FOLDER.backup(MAPI)).orElseThrow();
        // same version staged again, forced: our 1.2 is in place; the backup of 1.0 must not become 1.2
        List<Detection> detections = new Detector(machine).detect(List.of(MAPI));
        List<PlanFacts> facts = replacer.facts(detections, first);
        assertTrue(facts.get(0).targetIsOurs());
        Replacer.Outcome again = replacer.act(Plan.decide(facts, true), first);
        assertArrayEquals(backup, machine.disk.bytes(FOLDER.backup(MAPI)).orElseThrow());
        assertEquals(1, again.journal().entries().stream().filter(e -> e.op() == JournalEntry.Op.BACKUP).count(), "one BACKUP in all");
    }

    @Test
    void aNewerFileIsLeftAlone() throws Exception {
        put(DLL, image(2, 0, 0, 0));
        Replacer.Outcome out = run(Journal.empty());
        assertEquals(0, out.replacedNow() + out.queued());
        assertArrayEquals(image(2, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertFalse(machine.disk.exists(FOLDER.backup(MAPI)));
        assertTrue(log.stream().anyMatch(l -> l.contains("skip, a newer version is in place")), log.toString());
    }

    @Test
    void aProductFolderAUserCanWriteStopsBeforeAnythingIsRead() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        // Windows Installer's folder as it is made (Program Files' inherited DACL: Users read) passes
        FolderChecks.check(machine, FOLDER, List.of(MAPI), log::add);
        assertTrue(machine.disk.exists(FOLDER.state()), "the state folder is created admin-only");
        for (String folder : List.of(ROOT, FOLDER.staging())) {
            machine.disk.security(folder, FakeDisk.USERS_SDDL, false);
            machine.calls.clear();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> FolderChecks.check(machine, FOLDER, List.of(MAPI), log::add));
            assertTrue(e.getMessage().startsWith(folder + " may be changed by others than Administrators, SYSTEM and TrustedInstaller ("),
                    e.getMessage());
            assertFalse(machine.calls.contains("readFile"), "nothing read: " + machine.calls);
            machine.disk.security(folder, FakeDisk.INSTALLER_SDDL, false);
        }
        // the state folder is admin-only: one that users may change stops the action as well
        machine.disk.security(FOLDER.state(), FakeDisk.INSTALLER_SDDL, false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FolderChecks.check(machine, FOLDER, List.of(MAPI), log::add));
        assertTrue(e.getMessage().startsWith(FOLDER.state() + " is not admin-only"), e.getMessage());
        assertFalse(machine.disk.exists(FOLDER.journal()));
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
    }

    @Test
    void aTakenTemporaryNameIsSkipped() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.disk.put(DLL + ".inuse-1.tmp", new byte[] {1});
        machine.lock(DLL);
        run(Journal.empty());
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL + ".inuse-2.tmp").orElseThrow());
        assertArrayEquals(new byte[] {1}, machine.disk.bytes(DLL + ".inuse-1.tmp").orElseThrow(), "someone else's file is untouched");
    }

    /** The journal on the fake disk at each call of {@code call}, in order. */
    List<String> journalAt(String call) {
        List<String> seen = new ArrayList<>();
        machine.beforeCall = c -> {
            if (c.equals(call)) {
                seen.add(machine.disk.bytes(FOLDER.journal()).map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8)).orElse(""));
            }
        };
        return seen;
    }

    @Test
    void aDllLoadedAfterTheDetectionGivesAccessDeniedAndTakesTheRebootPath() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.beforeCall = c -> {
            if (c.equals("moveFile")) {
                machine.lock(DLL); // a process loads it between the detection and the move: MoveFileEx answers 5
            }
        };
        Replacer.Outcome out = run(Journal.empty());
        assertEquals(0, out.replacedNow());
        assertEquals(1, out.queued());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the loaded file stays until the reboot");
        PendingRenames value = PendingRenames.decode("PendingFileRenameOperations", pending().orElseThrow());
        assertTrue(value.entries().get(0).sourceIs(DLL + ".inuse-1.tmp") && value.entries().get(0).destinationIs(DLL), value.toString());
        JournalEntry queued = out.journal().entries().get(2);
        assertEquals(JournalEntry.Op.QUEUED, queued.op());
        assertEquals(value.entries().get(0).sourceText(), queued.field("source"), "the journal has the exact strings");
        assertEquals(value.entries().get(0).destinationText(), queued.field("destination"));
        assertTrue(log.stream().anyMatch(l -> l.contains("is held now (it was free when detected; MoveFileExW error 5)")), log.toString());
    }

    @Test
    void theTemporaryCopyAndTheReplacementAreJournalledBeforeTheyAreMade() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        List<String> atCopy = journalAt("copyFile");
        run(Journal.empty());
        assertEquals(2, atCopy.size(), "the backup's copy, then the staged file's");
        assertTrue(atCopy.get(1).contains("QUEUED\t" + CODE + "\t" + DLL + "\t" + DLL + ".inuse-1.tmp\t"), atCopy.get(1));
        assertFalse(atCopy.get(1).contains("REPLACED"));
        machine.beforeCall = c -> { };
    }

    @Test
    void replacedIsJournalledBeforeTheMove() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        List<String> atMove = journalAt("moveFile");
        run(Journal.empty());
        assertEquals(2, atMove.size(), "the backup's rename, then the move in place");
        assertFalse(atMove.get(0).contains("REPLACED"));
        assertTrue(atMove.get(1).contains("REPLACED\t" + CODE + "\t" + DLL + "\t1.0.0.0\t1.2.0.0\t"), atMove.get(1));
    }

    @Test
    void theBackupIsCopiedUnderATemporaryNameThenRenamedWithoutReplacing() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        String partial = FOLDER.backup(MAPI) + ".tmp";
        List<Boolean> atRename = new ArrayList<>();
        machine.beforeCall = c -> {
            if (c.equals("moveFile") && atRename.isEmpty()) {
                atRename.add(machine.disk.exists(FOLDER.backup(MAPI)));
                atRename.add(machine.disk.exists(partial));
            }
        };
        machine.disk.folder(FOLDER.backupFolder(MAPI));
        machine.disk.security(FOLDER.backupFolder(MAPI), "O:BAD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)", true);
        machine.disk.security(FOLDER.backups(), "O:BAD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)", true);
        machine.disk.put(partial, new byte[] {1, 2}); // a copy cut short by an earlier run
        run(Journal.empty());
        assertEquals(List.of(false, true), atRename, "the copy is whole under the temporary name before the backup's name exists");
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(FOLDER.backup(MAPI)).orElseThrow());
        assertFalse(machine.disk.exists(partial));
    }

    @Test
    void aBackupThatAppearsMeanwhileIsNotOverwritten() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.beforeCall = c -> {
            if (c.equals("moveFile") && !machine.disk.exists(FOLDER.backup(MAPI))) {
                machine.disk.put(FOLDER.backup(MAPI), image(0, 9, 0, 0));
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(Journal.empty()));
        assertTrue(e.getMessage().startsWith("a backup appeared at " + FOLDER.backup(MAPI)), e.getMessage());
        assertArrayEquals(image(0, 9, 0, 0), machine.disk.bytes(FOLDER.backup(MAPI)).orElseThrow());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "nothing replaced");
    }

    @Test
    void aFileThatAppearsBeforeAnInstallIsMovedIsLeftAlone() throws Exception {
        machine.disk.folder("C:\\Windows\\system32");
        machine.beforeCall = c -> {
            if (c.equals("copyFile") && !machine.disk.exists(DLL)) {
                machine.put(DLL, image(3, 0, 0, 0)); // someone else's file, after the read found nothing
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(Journal.empty()));
        assertTrue(e.getMessage().startsWith(DLL + ": a file appeared there since it was read as absent (MoveFileExW error 183)"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("Run the install again"), e.getMessage());
        assertArrayEquals(image(3, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "theirs is untouched");
        assertFalse(machine.disk.exists(Replacer.installTemp(DLL)), "our copy is gone");
    }

    @Test
    void aTargetWhoseFolderIsMissingIsRefusedInOneLine() throws Exception {
        machine.removeFolder("C:\\Windows\\system32");   // the folder of the target is missing
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(Journal.empty()));
        assertEquals(DLL + ": its folder does not exist (CopyFileW error 3), so nothing was put in place. Install the program this DLL"
                + " belongs to first (it makes the folder, with the permissions it needs), then run the install again", e.getMessage());
        assertFalse(machine.disk.exists(DLL));
    }

    @Test
    void aFileChangedSinceItWasReadIsNotReplaced() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        int[] copies = {0};
        machine.beforeCall = c -> {
            if (c.equals("copyFile") && ++copies[0] == 2) {
                machine.disk.put(DLL, image(1, 1, 0, 0)); // replaced by someone else after the facts were read
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(Journal.empty()));
        assertTrue(e.getMessage().startsWith(DLL + " changed since it was read (SHA-256 "), e.getMessage());
        assertTrue(e.getMessage().endsWith("Run the install again"), e.getMessage());
        assertArrayEquals(image(1, 1, 0, 0), machine.disk.bytes(DLL).orElseThrow());
    }

    @Test
    void aFileChangedBeforeItIsBackedUpIsNotKeptAsTheOriginal() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.beforeCall = c -> {
            if (c.equals("copyFile") && !machine.disk.exists(FOLDER.backup(MAPI) + ".tmp")) {
                machine.disk.put(DLL, image(1, 0, 5, 0)); // changed by someone else between the read and the backup
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(Journal.empty()));
        assertTrue(e.getMessage().startsWith(DLL + " changed since it was read (SHA-256 ") && e.getMessage().contains("in its copy): it was"
                + " not kept, and nothing was replaced"), e.getMessage());
        assertFalse(machine.disk.exists(FOLDER.backup(MAPI)), "no backup of the changed file");
        assertFalse(machine.disk.exists(FOLDER.backup(MAPI) + ".tmp"));
        assertArrayEquals(image(1, 0, 5, 0), machine.disk.bytes(DLL).orElseThrow());
    }

    @Test
    void aStagedFileOrBackupFolderUsersMayChangeStopsTheActionBeforeItIsRead() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.disk.fileSecurity(FOLDER.staged(MAPI), FakeDisk.USERS_SDDL);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FolderChecks.check(machine, FOLDER, List.of(MAPI), log::add));
        assertTrue(e.getMessage().startsWith(FOLDER.staged(MAPI) + " may be changed by others than Administrators"), e.getMessage());
        machine.disk.fileSecurity(FOLDER.staged(MAPI), null);

        machine.disk.folder(FOLDER.backupFolder(MAPI));   // there already, made by someone else: users may change it
        e = assertThrows(IllegalStateException.class, () -> FolderChecks.check(machine, FOLDER, List.of(MAPI), log::add));
        assertTrue(e.getMessage().startsWith(FOLDER.backups() + " is not admin-only"), e.getMessage());
    }

    @Test
    void aStagedFileChangedBeforeItIsCopiedIsNotPutInPlace() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.beforeCall = c -> {
            if (c.equals("copyFile") && machine.disk.exists(FOLDER.backup(MAPI))) {
                machine.disk.put(FOLDER.staged(MAPI), image(1, 2, 0, 1)); // changed after the facts read it
            }
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(Journal.empty()));
        assertTrue(e.getMessage().startsWith(FOLDER.staged(MAPI) + " changed since it was read"), e.getMessage());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertEquals(List.of(), machine.disk.paths().stream().filter(p -> p.endsWith(".tmp")).toList());
    }
}
