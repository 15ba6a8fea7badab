package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detector;
import io.inuse.engine.machine.FakeRegistry;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An install before the reboot that would follow an earlier one: the earlier run's queued entry onto
 * the same target would undo it at boot (put the older file back over the newer), so the later run
 * removes it first (SUPERSEDED), and queues it again when it is rolled back itself.
 */
class ReconcileTest extends ReplaceFixture {
    static final String V2_CODE = "{11111111-2222-3333-4444-555555555555}";
    static final String PENDING = "PendingFileRenameOperations";
    final List<String> log = new ArrayList<>();

    Journal run(String code, String run, Journal before) {
        Replacer replacer = new Replacer(machine, FOLDER, code, run, log::add);
        Plan plan = Plan.decide(replacer.facts(new Detector(machine).detect(List.of(MAPI)), before), false);
        return replacer.act(plan, before).journal();
    }

    Optional<byte[]> pending() {
        return machine.registry.read(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PENDING).map(RegValue::data);
    }

    List<String> pendingStrings() {
        return pending().map(b -> List.of(new String(b, StandardCharsets.UTF_16LE).split("\0", -1))).orElse(List.of());
    }

    @Test
    void aLaterVersionPutInPlaceNowRemovesTheEarlierQueuedOneThatWouldDowngradeItAtBoot() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal first = run(CODE, RUN, Journal.empty());   // 1.2 queued over the held 1.0
        assertTrue(pendingStrings().contains("\\??\\" + DLL + ".inuse-1.tmp"), pendingStrings().toString());
        machine.unlock(DLL);
        put(FOLDER.staged(MAPI), image(1, 3, 0, 0));
        Journal second = run(V2_CODE, UPGRADE_RUN, first);   // free now: 1.3 in place at once
        assertArrayEquals(image(1, 3, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertEquals(Optional.empty(), pending(), "the earlier 1.2 entry is gone: nothing would put it over 1.3 at boot");
        assertTrue(machine.disk.exists(DLL + ".inuse-1.tmp"), "its copy is kept for this run's rollback");
        JournalEntry superseded = second.runs().get(1).entries().get(0);
        assertEquals(JournalEntry.Op.SUPERSEDED, superseded.op());
        assertEquals(List.of(DLL, DLL + ".inuse-1.tmp", "\\??\\" + DLL + ".inuse-1.tmp", "!\\??\\" + DLL),
                superseded.fields().subList(0, 4));
        assertTrue(log.contains("superseded an earlier run's pending \\??\\" + DLL + ".inuse-1.tmp -> !\\??\\" + DLL
                + " (1.0.0.0 -> 1.2.0.0): it would undo this run at the next boot"), log.toString());

        // the later run rolled back: 1.3 out (the file before it, 1.0, back), the earlier entry queued again
        Journal rolledBack = new Undo(machine, FOLDER, V2_CODE, UPGRADE_RUN, log::add).rollBack(second);
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertEquals(List.of("\\??\\" + DLL + ".inuse-1.tmp", "!\\??\\" + DLL, "", ""), pendingStrings());
        List<JournalEntry> entries = rolledBack.entries();
        assertEquals(JournalEntry.Op.REQUEUED, entries.get(entries.size() - 2).op());
        assertEquals(JournalEntry.Op.ROLLED_BACK, entries.get(entries.size() - 1).op());

        // a third run, completed: the copies of superseded entries are of no use any more
        Journal third = run(V2_CODE, "abcdefabcdefabcdefabcdefabcdef12", rolledBack);
        assertEquals(Optional.empty(), pending());
        run(V2_CODE, "abcdefabcdefabcdefabcdefabcdef13", third);
        assertFalse(machine.disk.exists(DLL + ".inuse-1.tmp"), "deleted by the next run");
    }

    @Test
    void theNewestQueuedLineWithTheSameStringsIsTheOneSuperseded() throws Exception {
        // 1.2 replaced the original now (its QUEUED line names .inuse-1.tmp too), then 1.3 queued over the held 1.2
        put(DLL, image(1, 0, 0, 0));
        Journal first = run(CODE, RUN, Journal.empty());
        put(FOLDER.staged(MAPI), image(1, 3, 0, 0));
        machine.lock(DLL);
        Journal second = run(V2_CODE, UPGRADE_RUN, first);
        machine.unlock(DLL);
        run(V2_CODE, "abcdefabcdefabcdefabcdefabcdef12", second);
        assertTrue(log.contains("superseded an earlier run's pending \\??\\" + DLL + ".inuse-1.tmp -> !\\??\\" + DLL
                + " (1.2.0.0 -> 1.3.0.0): it would undo this run at the next boot"), log.toString());
    }

    @Test
    void threeQueuedInstallsInARowLeaveOneEntry() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal journal = run(CODE, RUN, Journal.empty());
        journal = run(CODE, UPGRADE_RUN, journal);
        run(CODE, "abcdefabcdefabcdefabcdefabcdef12", journal);
        List<String> strings = pendingStrings();
        assertEquals(4, strings.size(), "one entry (two strings, then the list's end): " + strings);
        assertTrue(strings.get(0).startsWith("\\??\\" + DLL + ".inuse-"), strings.toString());
    }

    @Test
    void someoneElsesEntryOntoTheSameTargetIsNeverTouched() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        byte[] theirs = ("\\??\\C:\\Windows\\system32\\MAPI32.DLL.other.tmp\0!\\??\\" + DLL + "\0\0").getBytes(StandardCharsets.UTF_16LE);
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PENDING, new RegValue(RegValue.REG_MULTI_SZ, theirs));
        Journal first = run(CODE, RUN, Journal.empty());
        run(CODE, UPGRADE_RUN, first);
        List<String> strings = pendingStrings();
        assertEquals("\\??\\C:\\Windows\\system32\\MAPI32.DLL.other.tmp", strings.get(0));
        assertEquals("!\\??\\" + DLL, strings.get(1));
        assertEquals(6, strings.size(), "theirs, then one of ours: " + strings);
        assertTrue(log.contains("PendingFileRenameOperations already holds another program's move onto " + DLL + " (from"
                + " C:\\Windows\\system32\\MAPI32.DLL.other.tmp): it is left as it is, and this product's is queued after it, so this"
                + " product's file is the one in place after the reboot"), log.toString());
    }

    @Test
    void aRollbackRunAgainAfterItPutTheEarlierEntryBackKeepsIt() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal first = run(CODE, RUN, Journal.empty());
        machine.unlock(DLL);
        put(FOLDER.staged(MAPI), image(1, 3, 0, 0));
        Journal second = run(V2_CODE, UPGRADE_RUN, first);
        Journal rolledBack = new Undo(machine, FOLDER, V2_CODE, UPGRADE_RUN, log::add).rollBack(second);
        byte[] pendingAfter = pending().orElseThrow();
        // the rollback was cut off before its ROLLED_BACK line; Windows Installer runs it again
        byte[] text = rolledBack.encode();
        String all = new String(text, StandardCharsets.UTF_8);
        String cut = all.substring(0, all.lastIndexOf("ROLLED_BACK\t"));
        Journal interrupted = Journal.parse("journal.txt", cut.getBytes(StandardCharsets.UTF_8));
        new Undo(machine, FOLDER, V2_CODE, UPGRADE_RUN, log::add).rollBack(interrupted);
        assertArrayEquals(pendingAfter, pending().orElseThrow(), "the earlier run's entry is still pending");
        assertTrue(machine.disk.exists(DLL + ".inuse-1.tmp"), "and its copy is still there");
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow());
    }

    @Test
    void aQueuedDeleteOfAFileRenamedAsideIsNotSuperseded() throws Exception {
        // an INSTALL rolled back while held: the file renamed aside, its delete queued (target field: the target)
        Journal installed = run(CODE, RUN, Journal.empty());
        machine.lock(DLL);
        Journal rolledBack = new Undo(machine, FOLDER, CODE, RUN, log::add).rollBack(installed);
        byte[] queuedDelete = pending().orElseThrow();
        assertFalse(machine.disk.exists(DLL), "renamed aside");
        run(CODE, UPGRADE_RUN, rolledBack);   // nothing in place now: installed at once
        List<String> strings = pendingStrings();
        assertTrue(new String(queuedDelete, StandardCharsets.UTF_16LE).contains(".inuse-removed-"), pendingStrings().toString());
        assertTrue(strings.stream().anyMatch(x -> x.contains(".inuse-removed-")), "the delete of the renamed file stays: " + strings);
    }
}
