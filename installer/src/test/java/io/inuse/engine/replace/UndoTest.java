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
class UndoTest {
    static final String DLL = "C:\\Windows\\system32\\MAPI32.DLL";
    static final String ROOT = "C:\\Program Files\\inuse\\MAPI32";
    static final String CODE = "{0AF3F963-E7BC-3942-B096-5D906CF7D4DB}";
    static final Target MAPI = new Target(KnownFolder.System, "", "MAPI32.DLL");
    static final ProductFolder FOLDER = new ProductFolder(ROOT);
    static final String PENDING = "PendingFileRenameOperations";

    final FakeMachine machine = FakeMachine.standard();
    final List<String> log = new ArrayList<>();

    static byte[] image(int... version) {
        TestImages images = new TestImages();
        images.fileVersion = version;
        return images.build();
    }

    void put(String path, byte[] bytes) {
        machine.disk.put(path, bytes);
        machine.file(path, 1, path.hashCode() & 0xFFFFFFL);
    }

    UndoTest() {
        machine.disk.folder(ROOT);
        machine.disk.folder("C:\\Windows\\system32");
        machine.disk.security(ROOT, "O:BAD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)", true);
        put(FOLDER.staged(MAPI), image(1, 2, 0, 0));
    }

    Journal install() {
        Replacer replacer = new Replacer(machine, FOLDER, CODE, log::add);
        Plan plan = Plan.decide(replacer.facts(new Detector(machine).detect(List.of(MAPI)), Journal.empty()), false);
        return replacer.act(plan, Journal.empty()).journal();
    }

    Journal rollBack(Journal journal) {
        return new Undo(machine, FOLDER, CODE, log::add).rollBack(journal);
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
        assertTrue(log.contains("rollback: restored " + DLL + " from " + FOLDER.backup(MAPI)), log.toString());
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
        assertTrue(log.contains("rollback: nothing of this product's to undo"));
    }
}
