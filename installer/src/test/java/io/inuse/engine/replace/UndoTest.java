package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detector;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.FakeRegistry;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.pe.TestImages;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rollback of the replace action on the fake machine: it takes back exactly what the journal's last run did. */
class UndoTest extends ReplaceFixture {
    static final String PENDING = "PendingFileRenameOperations";

    final List<String> log = new ArrayList<>();

    Journal install() {
        Replacer replacer = new Replacer(machine, FOLDER, CODE, RUN, log::add);
        Plan plan = Plan.decide(replacer.facts(new Detector(machine).detect(List.of(MAPI)), Journal.empty()), false);
        return replacer.act(plan, Journal.empty()).journal();
    }

    Journal rollBack(Journal journal) {
        return new Undo(machine, FOLDER, CODE, RUN, log::add).rollBack(journal);
    }

    Optional<byte[]> pending() {
        return machine.registry.read(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PENDING).map(RegValue::data);
    }

    /** UTF-16LE strings, each NUL-terminated, then one more NUL: Windows' REG_MULTI_SZ. */
    static byte[] multiSz(String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : strings) {
            out.writeBytes((s + "\0").getBytes(StandardCharsets.UTF_16LE));
        }
        out.writeBytes("\0".getBytes(StandardCharsets.UTF_16LE));
        return out.toByteArray();
    }

    @Test
    void aQueuedReplacementIsTakenOutOfTheValueAndOthersEntriesStayByteForByte() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PENDING,
                new RegValue(RegValue.REG_MULTI_SZ, multiSz("\\??\\C:\\other\\a.tmp", "!\\??\\C:\\other\\a.dll")));
        Journal journal = install();
        byte[] before = pending().orElseThrow();
        assertEquals(2, PendingRenames.decode(PENDING, before).entries().size(), "theirs, then ours");
        Journal after = rollBack(journal);
        assertArrayEquals(multiSz("\\??\\C:\\other\\a.tmp", "!\\??\\C:\\other\\a.dll"), pending().orElseThrow(), "only theirs is left, as it was");
        assertFalse(machine.disk.exists(DLL + ".inuse-1.tmp"), "the temporary file is gone");
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        List<JournalEntry> entries = after.entries();
        assertEquals(JournalEntry.Op.CANCELLED, entries.get(entries.size() - 2).op());
        assertEquals(JournalEntry.Op.ROLLED_BACK, entries.get(entries.size() - 1).op());
        assertEquals(after.entries(), Journal.parse("journal.txt", machine.disk.bytes(FOLDER.journal()).orElseThrow()).entries());
    }

    @Test
    void whenOursWasTheOnlyEntryTheValueIsDeleted() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        rollBack(install());
        assertEquals(Optional.empty(), pending());
    }

    @Test
    void aReplacementMadeNowIsUndoneFromTheBackupWhichStays() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        rollBack(install());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the original is back");
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(FOLDER.backup(MAPI)).orElseThrow(), "the backup stays for uninstall");
        assertEquals(List.of(), machine.disk.paths().stream().filter(p -> p.endsWith(".tmp")).toList());
        assertTrue(log.contains("rollback: restored " + DLL + " from " + FOLDER.backup(MAPI) + " (1.0.0.0)"), log.toString());
    }

    @Test
    void aFileInstalledWhereNothingWasIsDeleted() throws Exception {
        rollBack(install());
        assertFalse(machine.disk.exists(DLL));
    }

    @Test
    void aCorruptValueIsLeftAsItIsAndTheTemporaryFileStillGoes() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal journal = install();
        byte[] corrupt = "\\??\\C:\\x.tmp\0".getBytes(StandardCharsets.UTF_16LE);   // a source with no destination
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PENDING, new RegValue(RegValue.REG_MULTI_SZ, corrupt));
        rollBack(journal);
        assertArrayEquals(corrupt, pending().orElseThrow(), "nothing lost");
        assertFalse(machine.disk.exists(DLL + ".inuse-1.tmp"), "without its source the boot-time move does nothing");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("rollback: PendingFileRenameOperations is corrupt at byte offset")), log.toString());
    }

    @Test
    void aRunRolledBackAlreadyIsNotUndoneTwice() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal once = rollBack(install());
        assertEquals(once, rollBack(once));
        assertTrue(log.contains("rollback: this install's run was rolled back already"), log.toString());
    }

    @Test
    void anotherInstallsRunIsNotUndone() throws Exception {
        // v1 replaced the original; then a repair (same product, its own run id) stops before it begins a run
        put(DLL, image(1, 0, 0, 0));
        Journal journal = install();
        Journal after = new Undo(machine, FOLDER, CODE, UPGRADE_RUN, log::add).rollBack(journal);
        assertEquals(journal, after, "nothing written");
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the completed install's file stays");
        assertTrue(log.contains("rollback: nothing of this install's to undo: the journal's last run (line 2) is an earlier install's, and"
                + " this one began none (its replace action stopped before it changed anything)"), log.toString());
        // the same with a queued replacement of the earlier install: its entry stays pending, its temporary copy too
        log.clear();
        UndoTest other = new UndoTest();
        other.put(DLL, image(1, 0, 0, 0));
        other.machine.lock(DLL);
        Journal queued = other.install();
        byte[] pendingBefore = other.pending().orElseThrow();
        new Undo(other.machine, FOLDER, CODE, UPGRADE_RUN, log::add).rollBack(queued);
        assertArrayEquals(pendingBefore, other.pending().orElseThrow());
        assertTrue(other.machine.disk.exists(DLL + ".inuse-1.tmp"));
    }

    void setPending(String name, byte[] bytes) {
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, name, new RegValue(RegValue.REG_MULTI_SZ, bytes));
    }

    static final String TEMP = DLL + ".inuse-1.tmp";

    @Test
    void anEntryWithAMarkerWindowsAddedIsStillCancelled() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal journal = install();
        setPending(PENDING, multiSz("\\??\\C:\\other\\a.tmp", "", "*1\\??\\" + TEMP, "!\\??\\" + DLL));
        Journal after = rollBack(journal);
        assertArrayEquals(multiSz("\\??\\C:\\other\\a.tmp", ""), pending().orElseThrow(), "ours is gone, theirs kept");
        assertEquals(JournalEntry.Op.CANCELLED, after.entries().get(after.entries().size() - 2).op());
    }

    @Test
    void ourEntryInTheSecondValueIsFoundWhenTheFirstIsCorrupt() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal journal = install();
        byte[] ours = pending().orElseThrow();
        byte[] corrupt = "\\??\\C:\\x.tmp\0".getBytes(StandardCharsets.UTF_16LE);
        setPending(PENDING, corrupt);
        setPending(PENDING + "2", ours);
        rollBack(journal);
        assertArrayEquals(corrupt, pending().orElseThrow(), "the corrupt value is left as it is");
        assertEquals(Optional.empty(), machine.registry.read(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PENDING + "2"),
                "ours was the only entry of the second value");
    }

    @Test
    void aValueChangedWhileItIsEditedIsReadAgainAndTheNewEntryKept() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal journal = install();
        int[] reads = {0};
        machine.beforeCall = c -> {
            if (c.equals("regRead") && ++reads[0] == 2) {
                machine.registry.schedule("C:\\other\\late.tmp", "C:\\other\\late.dll", true); // someone appends meanwhile
            }
        };
        rollBack(journal);
        assertArrayEquals(multiSz("\\??\\C:\\other\\late.tmp", "!\\??\\C:\\other\\late.dll"), pending().orElseThrow());
        assertTrue(log.contains("rollback: PendingFileRenameOperations changed while it was edited; reading it again"), log.toString());
    }

    @Test
    void anUpgradeRolledBackPutsTheEarlierVersionBackFromItsRollbackCopy() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal first = install();
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        // the next version of the product, over our own 1.2.0.0: no backup (the original is kept), a rollback copy
        String upgradeCode = "{11111111-2222-3333-4444-555555555555}";
        put(FOLDER.staged(MAPI), image(1, 3, 0, 0));
        Replacer replacer = new Replacer(machine, FOLDER, upgradeCode, UPGRADE_RUN, log::add);
        Plan plan = Plan.decide(replacer.facts(new Detector(machine).detect(List.of(MAPI)), first), false);
        Journal upgraded = replacer.act(plan, first).journal();
        assertArrayEquals(image(1, 3, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(FOLDER.rollbackCopy(MAPI)).orElseThrow(), "the file replaced, kept for the rollback");
        // a run's entries after its BEGIN
        List<JournalEntry.Op> ops = upgraded.runs().get(1).entries().stream().map(JournalEntry::op).toList();
        assertEquals(List.of(JournalEntry.Op.SAVED, JournalEntry.Op.QUEUED, JournalEntry.Op.REPLACED,
                JournalEntry.Op.COMPLETED), ops);

        Journal after = new Undo(machine, FOLDER, upgradeCode, UPGRADE_RUN, log::add).rollBack(upgraded);
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the earlier version is back");
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(FOLDER.backup(MAPI)).orElseThrow(), "the original's backup is untouched");
        JournalEntry restored = after.entries().get(after.entries().size() - 2);
        assertEquals(JournalEntry.Op.RESTORED, restored.op());
        assertEquals(FOLDER.rollbackCopy(MAPI), restored.field("backup"));
        assertEquals("1.2.0.0", restored.field("version"));
        assertEquals(List.of(), machine.disk.paths().stream().filter(p -> p.endsWith(".tmp")).toList());
    }

    @Test
    void aMissingBackupIsLoggedAndTheRollbackGoesOn() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal journal = install();
        machine.disk.bytes(FOLDER.backup(MAPI)).orElseThrow();
        machine.deleteFile(FOLDER.backup(MAPI));
        Journal after = rollBack(journal);
        assertEquals(JournalEntry.Op.ROLLED_BACK, after.entries().get(after.entries().size() - 1).op());
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "nothing to put back: ours stays");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("rollback: the backup " + FOLDER.backup(MAPI) + " is missing")), log.toString());
    }

    @Test
    void aFileAlreadyGoneIsAlreadyRemoved() throws Exception {
        Journal journal = install();
        machine.deleteFile(DLL);
        Journal after = rollBack(journal);
        assertEquals(JournalEntry.Op.ROLLED_BACK, after.entries().get(after.entries().size() - 1).op());
        assertFalse(machine.disk.exists(DLL));
    }

    @Test
    void aRollbackInterruptedAfterItsFirstStepRunsAgainWithoutHarm() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal journal = install();
        int[] writes = {0};
        machine.beforeCall = c -> {
            if (c.equals("writeFile") && ++writes[0] == 2) {
                throw new io.inuse.engine.session.SessionException("FILE_WRITE", 112, "WriteFile", "disk full"); // before ROLLED_BACK
            }
        };
        org.junit.jupiter.api.Assertions.assertThrows(io.inuse.engine.session.SessionException.class, () -> rollBack(journal));
        machine.beforeCall = c -> { };
        Journal partial = Journal.parse("journal.txt", machine.disk.bytes(FOLDER.journal()).orElseThrow());
        Journal after = rollBack(partial);
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertEquals(1, after.entries().stream().filter(e -> e.op() == JournalEntry.Op.RESTORED).count(), "restored once");
        assertEquals(JournalEntry.Op.ROLLED_BACK, after.entries().get(after.entries().size() - 1).op());
    }

    @Test
    void aTemporaryCopyLeftByAFailedActIsDeletedByTheRollback() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        machine.beforeCall = c -> {
            if (c.equals("moveFile") && machine.disk.exists(TEMP)) {
                throw new io.inuse.engine.session.SessionException("FILE_MOVE", 1450, "MoveFileExW", "no resources");
            }
        };
        org.junit.jupiter.api.Assertions.assertThrows(io.inuse.engine.session.SessionException.class, this::install);
        machine.beforeCall = c -> { };
        assertTrue(machine.disk.exists(TEMP), "the act failed after the copy");
        rollBack(Journal.parse("journal.txt", machine.disk.bytes(FOLDER.journal()).orElseThrow()));
        assertFalse(machine.disk.exists(TEMP));
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
    }

    @Test
    void aReplacementThatFoundTheFileHeldIsRolledBackWithoutARestore() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.beforeCall = c -> {
            if (c.equals("moveFile")) {
                machine.lock(DLL);
            }
        };
        Journal journal = install();
        assertTrue(journal.entries().stream().anyMatch(e -> e.op() == JournalEntry.Op.REPLACED), "REPLACED was written before the move");
        machine.beforeCall = c -> { };
        Journal after = rollBack(journal);
        assertEquals(Optional.empty(), pending(), "our entry is cancelled and no restore is queued");
        assertFalse(machine.disk.exists(TEMP));
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertEquals(0, after.entries().stream().filter(e -> e.op() == JournalEntry.Op.RESTORED).count());
    }

    @Test
    void aHeldRestoreIsJournalledAsQueuedWithItsExactStrings() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal journal = install();
        machine.lock(DLL);
        Journal after = rollBack(journal);
        PendingRenames value = PendingRenames.decode(PENDING, pending().orElseThrow());
        JournalEntry queued = after.entries().get(after.entries().size() - 2);
        assertEquals(JournalEntry.Op.QUEUED, queued.op());
        assertEquals(value.entries().get(0).sourceText(), queued.field("source"));
        assertEquals(value.entries().get(0).destinationText(), queued.field("destination"));
        assertEquals("!\\??\\" + DLL, queued.field("destination"));
        assertEquals("1.0.0.0", queued.field("to"));
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(queued.field("temp")).orElseThrow());
    }

    @Test
    void aHeldFileInstalledWhereNothingWasIsRenamedAsideAndItsDeletionQueued() throws Exception {
        Journal journal = install();
        machine.lock(DLL);
        Journal after = rollBack(journal);
        String aside = DLL + ".inuse-removed-1.tmp";
        assertFalse(machine.disk.exists(DLL), "the target's name is free again: a reinstall before the reboot is not deleted at boot");
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(aside).orElseThrow());
        assertArrayEquals(multiSz("\\??\\" + aside, ""), pending().orElseThrow());
        JournalEntry queued = after.entries().get(after.entries().size() - 2);
        assertEquals(JournalEntry.Op.QUEUED, queued.op());
        assertEquals("\\??\\" + aside, queued.field("source"));
        assertEquals("", queued.field("destination"));
        assertEquals(aside, queued.field("temp"));
    }

    @Test
    void aFileThatIsNoLongerOursIsNotDeleted() throws Exception {
        Journal journal = install();
        machine.disk.put(DLL, image(3, 0, 0, 0));
        rollBack(journal);
        assertArrayEquals(image(3, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
    }

    @Test
    void aFileOfTheSameVersionThatIsNotThePackagesIsNotDeleted() throws Exception {
        Journal journal = install();
        // someone else's file of the same version, other bytes, where the install put ours
        byte[] theirs = image(1, 2, 0, 0);
        theirs[theirs.length - 1] ^= 1;
        machine.disk.put(DLL, theirs);
        rollBack(journal);
        assertArrayEquals(theirs, machine.disk.bytes(DLL).orElseThrow(), "left as it is");
        assertTrue(log.stream().anyMatch(l -> l.contains("but not the package's file (its bytes differ from " + FOLDER.staged(MAPI)
                + "): someone else's, left as it is")), log.toString());
    }
}
