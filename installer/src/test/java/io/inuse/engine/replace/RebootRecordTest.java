package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detection;
import io.inuse.engine.detect.Detector;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The reboot-pending record: written when a move is queued, removed when done, superseded, rolled back or uninstalled. */
class RebootRecordTest extends ReplaceFixture {
    static final String KEY = "SOFTWARE\\inuse\\MAPI32\\RebootPending\\System#MAPI32.DLL";

    final List<String> log = new ArrayList<>();

    Journal install(String run, Journal journal) {
        Replacer replacer = new Replacer(machine, FOLDER, CODE, run, log::add);
        List<Detection> detections = new Detector(machine).detect(List.of(MAPI));
        Plan plan = Plan.decide(replacer.facts(detections, journal), false);
        return replacer.act(plan, journal).journal();
    }

    String value(String name) {
        RegValue v = machine.registry.read(RegRoot.HKLM, KEY, name).orElseThrow(() -> new AssertionError(name + " is missing"));
        return new String(v.data(), StandardCharsets.UTF_16LE);
    }

    @Test
    void aQueuedReplacementLeavesTheRecordAScriptReads() {
        put(DLL, image(1, 0, 0, 0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        install(RUN, Journal.empty());
        assertEquals(DLL + "\0", value("File"));
        assertEquals("1.2.0.0\0", value("NewVersion"));
        assertEquals(Replacer.sha256(image(1, 2, 0, 0)) + "\0", value("Sha256"), "the hash of the file the boot-time move puts there");
        assertEquals("upsmon.exe (pid 77)\0\0", value("Lockers"));
        assertEquals(RegValue.REG_MULTI_SZ, machine.registry.read(RegRoot.HKLM, KEY, "Lockers").orElseThrow().type());
        assertTrue(value("QueuedAt").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\0"), value("QueuedAt"));
        assertEquals(RUN + "\0", value("Run"));
        RebootRecord record = RebootRecord.read(machine, "MAPI32", MAPI).orElseThrow();
        assertFalse(record.done(machine), "the old file is still in place");
        // the move's effect at the boot: the file now has the expected hash
        machine.disk.put(DLL, image(1, 2, 0, 0));
        assertTrue(record.done(machine));
        assertEquals(1, RebootRecord.clearDone(machine, "MAPI32", List.of(MAPI)).size());
        assertEquals(Optional.empty(), RebootRecord.read(machine, "MAPI32", MAPI));
        assertEquals(List.of(), machine.registry.keysUnder(RegRoot.HKLM, "SOFTWARE\\inuse\\MAPI32"), "the record's key is gone");
    }

    @Test
    void aFreeFileReplacedNowWritesNoRecord() {
        put(DLL, image(1, 0, 0, 0));
        install(RUN, Journal.empty());
        assertEquals(Optional.empty(), RebootRecord.read(machine, "MAPI32", MAPI));
    }

    @Test
    void theNextInstallRemovesAnEarlierRecordItsMoveSupersedes() {
        put(DLL, image(1, 0, 0, 0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        Journal first = install(UPGRADE_RUN, Journal.empty());
        assertEquals(UPGRADE_RUN, RebootRecord.read(machine, "MAPI32", MAPI).orElseThrow().run());
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).unlock(DLL);
        install(RUN, first);
        assertEquals(Optional.empty(), RebootRecord.read(machine, "MAPI32", MAPI), "replaced now: no record left, " + log);
        assertTrue(log.stream().anyMatch(l -> l.contains("removed: this install replaces its boot-time move")), log.toString());
    }

    @Test
    void aRollbackRemovesItsRunsRecordAndPutsBackTheOneItRequeues() {
        put(DLL, image(1, 0, 0, 0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        Journal first = install(UPGRADE_RUN, Journal.empty());
        Journal second = install(RUN, first);
        assertEquals(RUN, RebootRecord.read(machine, "MAPI32", MAPI).orElseThrow().run());
        Journal undone = new Undo(machine, FOLDER, CODE, RUN, log::add).rollBack(second);
        RebootRecord.afterRollback(machine, "MAPI32", List.of(MAPI), undone, RUN, log::add);
        RebootRecord back = RebootRecord.read(machine, "MAPI32", MAPI).orElseThrow(() -> new AssertionError(log.toString()));
        assertEquals("1.2.0.0", back.newVersion());
        assertEquals(UPGRADE_RUN, back.run(), "the record names the run that queued the move again");
        assertEquals(Replacer.sha256(image(1, 2, 0, 0)), back.sha256());
        assertTrue(PendingEdit.isPending(machine, "\\??\\" + DLL + ".inuse-1.tmp", "!\\??\\" + DLL), "the first run's move is queued again");
    }

    @Test
    void aRollbackOfTheOnlyRunLeavesNoRecord() {
        put(DLL, image(1, 0, 0, 0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        Journal journal = install(RUN, Journal.empty());
        Journal undone = new Undo(machine, FOLDER, CODE, RUN, log::add).rollBack(journal);
        RebootRecord.afterRollback(machine, "MAPI32", List.of(MAPI), undone, RUN, log::add);
        assertEquals(Optional.empty(), RebootRecord.read(machine, "MAPI32", MAPI));
    }

    @Test
    void aRecordThatCannotBeRemovedIsALineNotAFailedInstall() {
        put(DLL, image(1, 0, 0, 0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        Journal first = install(UPGRADE_RUN, Journal.empty());
        machine.failing.put("regDeleteKey", 5L);
        install(RUN, first);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("the reboot-pending record HKLM\\" + KEY + " could not be removed")), log.toString());
    }

    @Test
    void uninstallRemovesTheRecordsAndTheProductsKeyButNotSomeoneElsesSubkey() {
        put(DLL, image(1, 0, 0, 0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        install(RUN, Journal.empty());
        machine.registry.write(RegRoot.HKLM, "SOFTWARE\\inuse\\MAPI32\\Theirs", "x", io.inuse.engine.machine.RegValue.sz("kept"));
        RebootRecord.removeAll(machine, "MAPI32", List.of(MAPI), log::add);
        assertEquals(Optional.empty(), RebootRecord.read(machine, "MAPI32", MAPI));
        assertEquals(List.of("hklm\\software\\inuse\\mapi32\\theirs"), machine.registry.keysUnder(RegRoot.HKLM, "SOFTWARE\\inuse"),
                "a key someone else added stays");
        assertTrue(log.stream().anyMatch(l -> l.startsWith("registry keys of the product kept")), log.toString());
    }
}
