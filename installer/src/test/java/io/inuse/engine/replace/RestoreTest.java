package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detector;
import io.inuse.engine.machine.FakeRegistry;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The uninstall (issue 16) on the fake machine: the hash rule, now or at the reboot, its undo, and the clean-up. */
class RestoreTest extends ReplaceFixture {
    static final String UNINSTALL_RUN = "00000000000000000000000000000001";
    static final String REINSTALL_RUN = "00000000000000000000000000000002";
    static final String SECOND_UNINSTALL_RUN = "00000000000000000000000000000003";
    static final String RESTORE_TEMP = DLL + ".inuse-restore-1.tmp";
    final List<String> log = new ArrayList<>();

    Journal install(Journal before, String run) {
        Replacer replacer = new Replacer(machine, FOLDER, CODE, run, log::add);
        Plan plan = Plan.decide(replacer.facts(new Detector(machine).detect(List.of(MAPI)), before), false);
        return replacer.act(plan, before).journal();
    }

    Restore.Outcome uninstall(Journal journal) {
        return new Restore(machine, FOLDER, CODE, UNINSTALL_RUN, log::add).act(List.of(MAPI), journal);
    }

    Journal onDisk() throws Exception {
        return Journal.parse("journal.txt", machine.disk.bytes(FOLDER.journal()).orElseThrow());
    }

    List<PendingRename> pending() throws Exception {
        Optional<RegValue> value = machine.registry.read(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PendingRenames.VALUE);
        return value.isEmpty() ? List.of() : PendingRenames.decode(PendingRenames.VALUE, value.get().data()).entries();
    }

    List<JournalEntry.Op> ops(Journal journal, int from) {
        List<JournalEntry.Op> ops = new ArrayList<>();
        for (JournalEntry entry : journal.entries().subList(from, journal.entries().size())) {
            ops.add(entry.op());
        }
        return ops;
    }

    @Test
    void theOriginalIsPutBackAtOnceWhenTheFileInPlaceIsThePackages() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        Restore.Outcome outcome = uninstall(installed);
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the original is back");
        assertEquals(List.of(JournalEntry.Op.BEGIN, JournalEntry.Op.SAVED, JournalEntry.Op.RESTORED, JournalEntry.Op.COMPLETED),
                ops(outcome.journal(), installed.entries().size()));
        assertEquals(1, outcome.now());
        assertEquals(outcome.journal().entries(), onDisk().entries());
        assertEquals(List.of(), pending());
        assertFalse(machine.disk.exists(RESTORE_TEMP), "no temporary copy left");
    }

    @Test
    void aHeldFileIsRestoredAtTheRebootWithItsExactStrings() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        machine.lock(DLL);
        Restore.Outcome outcome = uninstall(installed);
        assertEquals(1, outcome.queued());
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "ours until the reboot");
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(RESTORE_TEMP).orElseThrow(), "the original, staged beside it");
        List<PendingRename> pending = pending();
        assertEquals(1, pending.size());
        assertEquals("\\??\\" + RESTORE_TEMP, pending.get(0).source());
        assertTrue(pending.get(0).destinationIs(DLL), pending.toString());
        JournalEntry queued = outcome.journal().entries().get(outcome.journal().entries().size() - 2);
        assertEquals(JournalEntry.Op.QUEUED, queued.op());
        assertEquals("1.2.0.0", queued.field("from"));
        assertEquals("1.0.0.0", queued.field("to"));
    }

    @Test
    void aFileSomeoneElsePutThereIsLeftAndSaidSo() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        machine.disk.put(DLL, image(1, 2, 0, 1));   // Windows Update's, say: other bytes than the package's
        Restore.Outcome outcome = uninstall(installed);
        assertEquals(1, outcome.left());
        assertArrayEquals(image(1, 2, 0, 1), machine.disk.bytes(DLL).orElseThrow(), "left byte for byte");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("uninstall: " + DLL + " is ") && l.contains("not the file this product put there")
                && l.contains("Windows Update or another product replaced it since")), log.toString());
        assertEquals(List.of(JournalEntry.Op.BEGIN, JournalEntry.Op.COMPLETED), ops(outcome.journal(), installed.entries().size()));
    }

    @Test
    void anInstallStillQueuedIsSupersededAndTheOriginalStays() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal installed = install(Journal.empty(), RUN);
        assertEquals(1, pending().size(), "the install is queued");
        Restore.Outcome outcome = uninstall(installed);
        assertEquals(List.of(), pending(), "the install's entry would put the product's file back after it is gone");
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertTrue(ops(outcome.journal(), installed.entries().size()).contains(JournalEntry.Op.SUPERSEDED));
        assertTrue(log.contains("uninstall: " + DLL + " holds the original (1.0.0.0) already: nothing to restore"), log.toString());
    }

    @Test
    void aFileInstalledWhereNothingWasIsRemoved() throws Exception {
        Journal installed = install(Journal.empty(), RUN);
        assertTrue(machine.disk.exists(DLL));
        Restore.Outcome outcome = uninstall(installed);
        assertFalse(machine.disk.exists(DLL));
        assertTrue(ops(outcome.journal(), installed.entries().size()).contains(JournalEntry.Op.REMOVED));
    }

    @Test
    void theUndoPutsThePackagesFileBack() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        Journal restored = uninstall(installed).journal();
        Journal undone = new Undo(machine, FOLDER, CODE, UNINSTALL_RUN, log::add).rollBack(restored);
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the package's file is back");
        List<JournalEntry.Op> tail = ops(undone, restored.entries().size());
        assertEquals(List.of(JournalEntry.Op.REPLACED, JournalEntry.Op.ROLLED_BACK), tail);
        // and a held restore's undo takes its entry out
        machine.lock(DLL);
        Journal again = uninstall(undone).journal();
        assertEquals(1, pending().size());
        new Undo(machine, FOLDER, CODE, UNINSTALL_RUN, log::add).rollBack(again);
        assertEquals(List.of(), pending());
        assertFalse(machine.disk.exists(RESTORE_TEMP));
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow());
    }

    @Test
    void aHeldTargetWhoseRestoreCannotBeQueuedStopsTheUninstall() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        machine.lock(DLL);
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PendingRenames.VALUE, new RegValue(RegValue.REG_SZ, new byte[] {65, 0, 0, 0}));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> uninstall(installed));
        assertTrue(e.getMessage().contains(DLL + " is held, and its restore at the next reboot cannot be queued"), e.getMessage());
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "nothing changed in place");
    }

    @Test
    void theCleanUpRemovesEverythingWhenNothingIsPending() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal restored = uninstall(install(Journal.empty(), RUN)).journal();
        machine.deleteFile(FOLDER.staged(MAPI));   // as RemoveFiles does before the commit
        new Cleanup(machine, FOLDER, log::add).run(List.of(MAPI), restored, UNINSTALL_RUN);
        assertFalse(machine.disk.exists(FOLDER.backup(MAPI)));
        assertFalse(machine.disk.exists(FOLDER.journal()));
        assertFalse(machine.disk.exists(ROOT), "the product's folder is gone: " + log);
        assertFalse(machine.disk.exists("C:\\Program Files\\inuse"));
        assertEquals(List.of(), pending());
    }

    @Test
    void afterAQueuedRestoreTheCleanUpQueuesItsDeletesAndAReinstallSupersedesThem() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        machine.lock(DLL);
        Journal restored = uninstall(installed).journal();
        new Cleanup(machine, FOLDER, log::add).run(List.of(MAPI), restored, UNINSTALL_RUN);
        List<PendingRename> pending = pending();
        assertTrue(pending.get(0).destinationIs(DLL), "the restore first: " + pending);
        assertTrue(pending.stream().anyMatch(p -> p.source().equals("\\??\\" + FOLDER.backup(MAPI)) && p.isDelete()), pending.toString());
        assertTrue(pending.stream().anyMatch(p -> p.source().equals("\\??\\" + FOLDER.journal()) && p.isDelete()), pending.toString());
        assertTrue(machine.disk.exists(FOLDER.backup(MAPI)), "the backup stays until the reboot");
        // a reinstall before the reboot: every entry of the uninstall would undo it; all are superseded
        Journal reinstalled = install(onDisk(), REINSTALL_RUN);
        assertEquals(List.of(), pending(), "nothing of the uninstall is left pending");
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertTrue(machine.disk.exists(FOLDER.backup(MAPI)), "the original is still kept for the next uninstall");
        assertEquals(reinstalled.entries(), onDisk().entries());
    }

    @Test
    void theCleanUpLeavesAJournalWhoseLastRunIsAnothers() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        new Cleanup(machine, FOLDER, log::add).run(List.of(MAPI), installed, UNINSTALL_RUN);
        assertTrue(machine.disk.exists(FOLDER.journal()));
        assertTrue(machine.disk.exists(FOLDER.backup(MAPI)));
        assertTrue(log.stream().anyMatch(l -> l.contains("is not this uninstall's, completed")), log.toString());
    }

    @Test
    void aSecondHeldUninstallBeforeTheRebootKeepsTheSourceOfItsRestore() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        machine.lock(DLL);
        Journal first = uninstall(installed).journal();
        new Cleanup(machine, FOLDER, log::add).run(List.of(MAPI), first, UNINSTALL_RUN);
        install(onDisk(), REINSTALL_RUN);
        Journal second = new Restore(machine, FOLDER, CODE, SECOND_UNINSTALL_RUN, log::add).act(List.of(MAPI), onDisk()).journal();
        new Cleanup(machine, FOLDER, log::add).run(List.of(MAPI), second, SECOND_UNINSTALL_RUN);
        List<PendingRename> pending = pending();
        PendingRename restore = pending.get(0);
        assertTrue(restore.destinationIs(DLL), pending.toString());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(restore.sourcePath()).orElseThrow(),
                "the copy the boot moves in place is there, and it is the original");
    }

    @Test
    void anEarlierVersionLeftInPlaceByASupersededUpgradeIsThisProductsAndTheOriginalGoesBack() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal v1 = install(Journal.empty(), RUN);                     // 1.2.0.0 replaced now
        put(FOLDER.staged(MAPI), image(1, 3, 0, 0));
        machine.lock(DLL);
        Journal v2 = install(v1, REINSTALL_RUN);                         // 1.3.0.0 queued: held
        machine.unlock(DLL);
        Restore.Outcome outcome = uninstall(v2);                         // v2's uninstall before the reboot
        assertEquals(1, outcome.now(), log.toString());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the original is back");
        assertTrue(log.stream().anyMatch(l -> l.contains("holds 1.2.0.0, an earlier version of this product")), log.toString());
        assertEquals(List.of(), pending(), "v2's queued move is superseded");
    }

    @Test
    void aPackageCopyThatIsGoneStopsTheUninstallBeforeAnythingChanges() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        machine.deleteFile(FOLDER.staged(MAPI));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> uninstall(installed));
        assertTrue(e.getMessage().contains("Repair the product"), e.getMessage());
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertTrue(machine.disk.exists(FOLDER.backup(MAPI)));
    }

    @Test
    void whenSomeoneElsesFileIsInPlaceTheCleanUpKeepsTheOriginal() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        machine.disk.put(DLL, image(1, 5, 0, 0));
        Journal restored = uninstall(installed).journal();
        new Cleanup(machine, FOLDER, log::add).run(List.of(MAPI), restored, UNINSTALL_RUN);
        assertTrue(machine.disk.exists(FOLDER.backup(MAPI)), "the original is not lost");
        assertTrue(log.stream().anyMatch(l -> l.contains("the original's backup stays in")), log.toString());
    }

    @Test
    void aMissingTargetGetsTheOriginalBack() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal installed = install(Journal.empty(), RUN);
        machine.deleteFile(DLL);
        assertEquals(1, uninstall(installed).now());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
    }
}
