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
class ReplacerTest {
    static final String DLL = "C:\\Windows\\system32\\MAPI32.DLL";
    static final String ROOT = "C:\\Program Files\\inuse\\MAPI32";
    static final String CODE = "{0AF3F963-E7BC-3942-B096-5D906CF7D4DB}";
    static final Target MAPI = new Target(KnownFolder.System, "", "MAPI32.DLL");
    static final ProductFolder FOLDER = new ProductFolder(ROOT);

    final FakeMachine machine = FakeMachine.standard();
    final List<String> log = new ArrayList<>();
    final Replacer replacer = new Replacer(machine, FOLDER, CODE, log::add);

    static byte[] image(int... version) {
        TestImages images = new TestImages();
        images.fileVersion = version;
        return images.build();
    }

    void put(String path, byte[] bytes) {
        machine.disk.put(path, bytes);
        machine.file(path, 1, path.hashCode() & 0xFFFFFFL);
    }

    ReplacerTest() {
        machine.disk.folder(ROOT);
        machine.disk.security(ROOT, "O:BAD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)", true);
        put(FOLDER.staged(MAPI), image(1, 2, 0, 0));
    }

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
        assertEquals(List.of("BEGIN", "BACKUP", "REPLACED", "COMPLETED"), written.entries().stream().map(e -> e.op().name()).toList());
        assertEquals("1.0.0.0", written.entries().get(1).field("version"));
        assertEquals("1.2.0.0", written.entries().get(2).field("to"));
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
    void aProductFolderAUserCanWriteStopsBeforeAnythingIsWritten() throws Exception {
        put(DLL, image(1, 0, 0, 0));
        machine.disk.security(ROOT, FakeDisk.USERS_SDDL, false);
        List<Detection> detections = new Detector(machine).detect(List.of(MAPI));
        Plan plan = Plan.decide(replacer.facts(detections, Journal.empty()), false);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> replacer.act(plan, Journal.empty()));
        assertTrue(e.getMessage().startsWith(ROOT + " is not admin-only"), e.getMessage());
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
}
