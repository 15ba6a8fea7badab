package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detector;
import io.inuse.engine.machine.FakeRegistry;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** INUSE_STRATEGY=renameaside on the fake machine (issue 16): the held file renamed aside, the new one in place at once. */
class RenameAsideTest extends ReplaceFixture {
    final List<String> log = new ArrayList<>();

    Replacer.Outcome install(Journal before, String run) {
        Replacer replacer = new Replacer(machine, FOLDER, CODE, run, log::add).strategy(Policy.Strategy.RENAME_ASIDE);
        Plan plan = Plan.decide(replacer.facts(new Detector(machine).detect(List.of(MAPI)), before), false);
        return replacer.act(plan, before);
    }

    List<PendingRename> pending() throws Exception {
        Optional<RegValue> value = machine.registry.read(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PendingRenames.VALUE);
        return value.isEmpty() ? List.of() : PendingRenames.decode(PendingRenames.VALUE, value.get().data()).entries();
    }

    @Test
    void aHeldFileIsRenamedAsideTheNewOnePutInPlaceAndTheOldOneDeletedAtTheReboot() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Replacer.Outcome outcome = install(Journal.empty(), RUN);
        assertEquals(1, outcome.replacedNow());
        assertEquals(1, outcome.renamedAside());
        assertEquals(0, outcome.queued());
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the new file is in place at once");
        String aside = DLL + ".inuse-old-1.tmp";
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(aside).orElseThrow(), "the old one, renamed aside");
        List<PendingRename> pending = pending();
        assertEquals(1, pending.size(), pending.toString());
        assertEquals("\\??\\" + aside, pending.get(0).source());
        assertTrue(pending.get(0).isDelete());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(FOLDER.backup(MAPI)).orElseThrow(), "the original is kept");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("renamed the held " + DLL + " (1.0.0.0) to " + aside)), log.toString());
        // the next run sees the file in place as this product's own
        assertTrue(outcome.journal().lastPut(DLL, "1.2.0.0"));
    }

    @Test
    void theRollbackPutsTheOriginalBackAndLeavesTheDeleteOfTheRenamedFileQueued() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal journal = install(Journal.empty(), RUN).journal();
        new Undo(machine, FOLDER, CODE, RUN, log::add).rollBack(journal);
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the original's copy is back in place");
        List<PendingRename> pending = pending();
        assertEquals(1, pending.size(), "the renamed file is still deleted at the boot: " + pending);
        assertTrue(pending.get(0).isDelete());
    }

    @Test
    void anUpgradeOverItsOwnHeldVersionKeepsARollbackCopy() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        Journal first = install(Journal.empty(), RUN).journal();
        put(FOLDER.staged(MAPI), image(1, 3, 0, 0));
        machine.lock(DLL);
        Journal second = install(first, UPGRADE_RUN).journal();
        assertArrayEquals(image(1, 3, 0, 0), machine.disk.bytes(DLL).orElseThrow());
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(FOLDER.rollbackCopy(MAPI)).orElseThrow(), "v1.2 kept for the rollback");
        new Undo(machine, FOLDER, CODE, UPGRADE_RUN, log::add).rollBack(second);
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the rollback puts 1.2 back");
    }

    @Test
    void aRunCutShortBetweenTheRenameAndTheMoveInGetsTheOriginalBackOnRollback() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal journal = install(Journal.empty(), RUN).journal();
        machine.deleteFile(DLL);   // as if the new file never arrived: the target is gone
        new Undo(machine, FOLDER, CODE, RUN, log::add).rollBack(journal);
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the kept original is back in place");
    }

    @Test
    void aRenamedFileWhoseDeleteWasNeverQueuedGetsItQueuedByTheRollback() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.lock(DLL);
        Journal journal = install(Journal.empty(), RUN).journal();
        machine.registry.delete(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, PendingRenames.VALUE);   // as if the queueing never happened
        assertEquals(List.of(), pending());
        new Undo(machine, FOLDER, CODE, RUN, log::add).rollBack(journal);
        List<PendingRename> pending = pending();
        assertEquals(1, pending.size(), pending.toString());
        assertEquals("\\??\\" + DLL + ".inuse-old-1.tmp", pending.get(0).source());
        assertTrue(pending.get(0).isDelete());
    }
}
