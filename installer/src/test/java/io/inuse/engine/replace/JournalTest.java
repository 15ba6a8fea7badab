package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Locker;
import io.inuse.engine.machine.Service;
import io.inuse.engine.replace.JournalEntry.Op;
import io.inuse.pe.FileVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The journal's format: what it writes, that it reads back exactly that, and the rules between lines. */
class JournalTest {
    static final String PC = "{0E4BCAD8-6F21-4C51-9F2C-6DB6A6A8D2B1}";
    static final String TARGET = "C:\\Windows\\System32\\MAPI32.DLL";
    static final String BACKUP = "C:\\Program Files\\inuse\\MAPI32\\backup\\System\\MAPI32.DLL";
    static final String TEMP = "C:\\Windows\\System32\\MAPI32.DLL.inuse-1.tmp";
    static final List<Locker> LOCKERS = List.of(
            new Locker(77, "C:\\Program Files\\UPS\\upsmon.exe", Locker.Kind.APPLICATION, List.of()),
            new Locker(912, "C:\\Windows\\System32\\svchost.exe", Locker.Kind.SERVICE,
                    List.of(new Service("SNMP", "SNMP Service, v2", 912))));

    /** A first install that queued the replacement, then the uninstall that undid it before the reboot. */
    static Journal installThenUninstall() {
        return Journal.empty()
                .append(JournalEntry.begin(PC, JournalEntry.INSTALL, ReplaceFixture.RUN, "install of inuse MAPI32 replacement 1.1.0"))
                .append(JournalEntry.backup(PC, TARGET, BACKUP, "1.0.0.0", "the original, kept for rollback and uninstall"))
                .append(JournalEntry.queued(PC, TARGET, TEMP, "\\??\\" + TEMP, "!\\??\\" + TARGET, "1.0.0.0", "1.1.0.0", LOCKERS,
                        "locked by upsmon.exe (pid 77)"))
                .append(JournalEntry.completed(PC, "1 queued for the next reboot"))
                .append(JournalEntry.begin(PC, JournalEntry.UNINSTALL, ReplaceFixture.UPGRADE_RUN, "uninstall"))
                .append(JournalEntry.cancelled(PC, "\\??\\" + TEMP, "!\\??\\" + TARGET, "the replacement was still pending"))
                .append(JournalEntry.restored(PC, TARGET, BACKUP, "1.0.0.0", "the original put back"))
                .append(JournalEntry.completed(PC, "the original is in place"));
    }

    @Test
    void theFormatIsPlainTabSeparatedLines() throws Exception {
        String expected = "inuse-journal 1\n"
                + "BEGIN\t" + PC + "\tinstall\t" + ReplaceFixture.RUN + "\tinstall of inuse MAPI32 replacement 1.1.0\n"
                + "BACKUP\t" + PC + "\tC:\\Windows\\System32\\MAPI32.DLL\tC:\\Program Files\\inuse\\MAPI32"
                + "\\backup\\System\\MAPI32.DLL\t1.0.0.0\tthe original, kept for rollback and uninstall\n"
                + "QUEUED\t" + PC + "\tC:\\Windows\\System32\\MAPI32.DLL\tC:\\Windows\\System32\\MAPI32.DLL.inuse-1.tmp"
                + "\t\\??\\C:\\Windows\\System32\\MAPI32.DLL.inuse-1.tmp\t!\\??\\C:\\Windows\\System32\\MAPI32.DLL\t1.0.0.0\t1.1.0.0"
                + "\t77|APPLICATION|C:\\Program Files\\UPS\\upsmon.exe||;912|SERVICE|C:\\Windows\\System32\\svchost.exe|SNMP|SNMP"
                + " Service%252C v2\tlocked by upsmon.exe (pid 77)\n"
                + "COMPLETED\t" + PC + "\t1 queued for the next reboot\n"
                + "BEGIN\t" + PC + "\tuninstall\t" + ReplaceFixture.UPGRADE_RUN + "\tuninstall\n"
                + "CANCELLED\t" + PC + "\t\\??\\C:\\Windows\\System32\\MAPI32.DLL.inuse-1.tmp\t!\\??\\C:\\Windows\\System32\\MAPI32.DLL"
                + "\tthe replacement was still pending\n"
                + "RESTORED\t" + PC + "\tC:\\Windows\\System32\\MAPI32.DLL\tC:\\Program Files\\inuse\\MAPI32"
                + "\\backup\\System\\MAPI32.DLL\t1.0.0.0\tthe original put back\n"
                + "COMPLETED\t" + PC + "\tthe original is in place\n";
        Journal journal = installThenUninstall();
        byte[] bytes = journal.encode();
        assertEquals(expected, new String(bytes, StandardCharsets.UTF_8));
        Journal parsed = Journal.parse("journal.txt", bytes);
        assertEquals(journal.entries(), parsed.entries());
        assertArrayEquals(bytes, parsed.encode());
        assertEquals(PC, parsed.productCode());
    }

    @Test
    void aQueuedEntryKeepsTheLockersAsInuseLockersWritesThem() throws Exception {
        JournalEntry queued = Journal.parse("j", installThenUninstall().encode()).entries().get(2);
        assertEquals(Op.QUEUED, queued.op());
        assertEquals(LOCKERS, queued.lockers());
        assertEquals("\\??\\" + TEMP, queued.field("source"));
        assertEquals("!\\??\\" + TARGET, queued.field("destination"));
        assertEquals(new FileVersion(1, 0, 0, 0), queued.version("from"));
        assertEquals(new FileVersion(1, 1, 0, 0), queued.version("to"));
        assertEquals("locked by upsmon.exe (pid 77)", queued.reason());
        assertEquals("QUEUED: field 'temp' is not a version",
                assertThrows(IllegalArgumentException.class, () -> queued.version("temp")).getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> queued.field("backup"));
        assertEquals("QUEUED has no field 'backup' (it has target, temp, source, destination, from, to, lockers, reason)", none.getMessage());
    }

    @Test
    void awkwardValuesRoundTripAndOnlyPercentAndControlCharactersAreEscaped() throws Exception {
        String path = "D:\\odd\tname\r\n%41 100% ë 東京 \uD83D\uDCE6\u0000\u001F\u007F\\x.dll";
        JournalEntry entry = JournalEntry.replaced(PC, path, JournalEntry.NONE, "65535.0.65535.1", "tab\there");
        assertEquals("REPLACED\t" + PC + "\tD:\\odd%09name%0D%0A%2541 100%25 ë 東京 \uD83D\uDCE6%00%1F\u007F\\x.dll\tnone"
                + "\t65535.0.65535.1\ttab%09here\n", entry.line());
        Journal journal = Journal.empty().append(JournalEntry.begin(PC, JournalEntry.INSTALL, ReplaceFixture.RUN, "x")).append(entry);
        Journal parsed = Journal.parse("j", journal.encode());
        assertEquals(path, parsed.entries().get(1).field("target"));
        assertNull(parsed.entries().get(1).version("from"));
        assertArrayEquals(journal.encode(), parsed.encode());
        assertArrayEquals(entry.line().getBytes(StandardCharsets.UTF_8), Journal.line(entry));
    }

    @Test
    void theEmptyJournalIsTheHeaderAlone() throws Exception {
        assertEquals("inuse-journal 1\n", new String(Journal.empty().encode(), StandardCharsets.UTF_8));
        Journal parsed = Journal.parse("j", "inuse-journal 1\n".getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(), parsed.entries());
        assertEquals("", parsed.productCode());
        assertEquals(List.of(), parsed.runs());
    }

    @Test
    void runsGroupTheLinesFromOneBeginToTheNext() {
        Journal journal = installThenUninstall()
                .append(JournalEntry.begin(PC, JournalEntry.INSTALL, ReplaceFixture.RUN, "reinstall"))
                .append(JournalEntry.replaced(PC, TARGET, "1.0.0.0", "1.1.0.0", "free"));
        List<Journal.Run> runs = journal.runs();
        assertEquals(3, runs.size());
        assertEquals(2, runs.get(0).line());
        assertEquals("install", runs.get(0).kind());
        assertTrue(runs.get(0).completed());
        assertFalse(runs.get(0).rolledBack());
        assertEquals(List.of(Op.BACKUP, Op.QUEUED), ops(runs.get(0).operations()));
        assertEquals(6, runs.get(1).line());
        assertEquals("uninstall", runs.get(1).kind());
        assertEquals(List.of(Op.CANCELLED, Op.RESTORED), ops(runs.get(1).operations()));
        assertEquals(10, runs.get(2).line());
        assertFalse(runs.get(2).completed(), "an interrupted run has neither marker");
        assertEquals(List.of(Op.REPLACED), ops(runs.get(2).operations()));
    }

    @Test
    void aRolledBackRunHasItsUndoStepsAndTheMarker() {
        Journal journal = Journal.empty()
                .append(JournalEntry.begin(PC, JournalEntry.INSTALL, ReplaceFixture.RUN, "install"))
                .append(JournalEntry.replaced(PC, TARGET, JournalEntry.NONE, "1.1.0.0", "nothing was there"))
                .append(JournalEntry.completed(PC, "1 installed"))
                .append(JournalEntry.removed(PC, TARGET, "1.1.0.0", "a later action failed: the file we installed is removed"))
                .append(JournalEntry.rolledBack(PC, "the install was rolled back"));
        Journal.Run run = journal.runs().get(0);
        assertTrue(run.completed());
        assertTrue(run.rolledBack());
        assertEquals(List.of(Op.REPLACED, Op.REMOVED), ops(run.operations()));
        assertEquals(2, journal.append(JournalEntry.begin(PC, JournalEntry.INSTALL, ReplaceFixture.RUN, "again")).runs().size());
    }

    @Test
    void aLaterVersionOpensItsOwnRunWithItsOwnProductCode() throws Exception {
        String next = "{11111111-2222-3333-4444-555555555555}";
        Journal journal = Journal.empty().append(JournalEntry.begin(PC, JournalEntry.INSTALL, ReplaceFixture.RUN, "v1"))
                .append(JournalEntry.completed(PC, "done"))
                .append(JournalEntry.begin(next, JournalEntry.INSTALL, ReplaceFixture.RUN, "the upgrade"))
                .append(JournalEntry.completed(next, "done"));
        assertEquals(2, journal.runs().size());
        assertEquals(next, journal.productCode());
        assertEquals(journal.entries(), Journal.parse("journal.txt", journal.encode()).entries());
    }

    @Test
    void appendRefusesWhatBreaksTheRulesBetweenLines() {
        Journal begun = Journal.empty().append(JournalEntry.begin(PC, JournalEntry.INSTALL, ReplaceFixture.RUN, "install"));
        Journal done = begun.append(JournalEntry.completed(PC, "done"));
        Journal rolledBack = done.append(JournalEntry.rolledBack(PC, "rolled back"));
        assertRule("line 2 of the journal: BACKUP before any BEGIN: every operation belongs to a run that a BEGIN line opens",
                Journal.empty(), JournalEntry.backup(PC, TARGET, BACKUP, "1.0.0.0", "x"));
        assertRule("line 3 of the journal: the product code {11111111-2222-3333-4444-555555555555} differs from " + PC
                + " of line 2: a run holds one product version's operations",
                begun, JournalEntry.completed("{11111111-2222-3333-4444-555555555555}", "x"));
        assertRule("line 4 of the journal: a second COMPLETED in the run of line 2 (the first is at line 3)",
                done, JournalEntry.completed(PC, "again"));
        assertRule("line 4 of the journal: BACKUP after the run of line 2 was completed at line 3: a completed run takes only"
                + " undo steps (CANCELLED, RESTORED, REMOVED, QUEUED, REQUEUED; an uninstall's REPLACED) and ROLLED_BACK",
                done, JournalEntry.backup(PC, TARGET, BACKUP, "1.0.0.0", "x"));
        assertRule("line 5 of the journal: RESTORED after the run of line 2 was rolled back at line 4: only a BEGIN may follow"
                + " ROLLED_BACK", rolledBack, JournalEntry.restored(PC, TARGET, BACKUP, "1.0.0.0", "x"));
        assertRule("line 5 of the journal: ROLLED_BACK after the run of line 2 was rolled back at line 4: only a BEGIN may"
                + " follow ROLLED_BACK", rolledBack, JournalEntry.rolledBack(PC, "x"));
        assertEquals(1, begun.entries().size(), "append leaves the journal it was called on as it was");
        done.append(JournalEntry.cancelled(PC, "\\??\\" + TEMP, "", "undo after completion is fine"));
        done.append(JournalEntry.queued(PC, TARGET, TEMP, "\\??\\" + TEMP, "!\\??\\" + TARGET, "1.1.0.0", "1.0.0.0", LOCKERS,
                "a rollback's restore, held until the reboot"));
        begun.append(JournalEntry.begin(PC, JournalEntry.INSTALL, ReplaceFixture.RUN, "an interrupted run may be followed by a new one"));
    }

    private static void assertRule(String message, Journal journal, JournalEntry next) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> journal.append(next)).getMessage());
    }

    @Test
    void entriesRefuseFieldsTheFormatCannotHold() {
        assertField("BACKUP: the product code '{0e4bcad8-6f21-4c51-9f2c-6db6a6a8d2b1}' is not a GUID in braces with upper-case"
                + " hex digits, such as {0E4BCAD8-6F21-4C51-9F2C-6DB6A6A8D2B1}",
                () -> JournalEntry.backup(PC.toLowerCase(), TARGET, BACKUP, "1.0.0.0", "x"));
        assertField("BACKUP: field 'backup' ('') is empty", () -> JournalEntry.backup(PC, TARGET, "", "1.0.0.0", "x"));
        assertField("BACKUP: field 'reason' ('') is empty: every line says why", () -> JournalEntry.backup(PC, TARGET, BACKUP, "1.0.0.0", ""));
        for (String bad : List.of("1.0.0", "1.0.0.0.0", "01.0.0.0", "1.0.0.65536", "1..0.0", "1.0.0.x", "none", "")) {
            assertField("BACKUP: field 'version' ('" + bad + "') is not a version: four numbers from 0 to 65535 without leading"
                    + " zeros (1.2.0.0), or 'unversioned'", () -> JournalEntry.backup(PC, TARGET, BACKUP, bad, "x"));
        }
        assertField("BEGIN: field 'kind' ('repair') is neither 'install' nor 'uninstall'", () -> JournalEntry.begin(PC, "repair", ReplaceFixture.RUN, "x"));
        assertField("QUEUED: an empty destination (a delete at the next reboot) goes with the version 'none' after it, and only"
                + " then; here destination '' and to '1.1.0.0'",
                () -> JournalEntry.queued(PC, TARGET, TEMP, "\\??\\" + TEMP, "", "1.0.0.0", "1.1.0.0", List.of(), "x"));
        assertField("QUEUED: field 'lockers' ('77|APPLICATION') is not a list of lockers as INUSE_LOCKERS writes it: not a locker"
                + " entry (pid|kind|image|shorts|displays): '77|APPLICATION'",
                () -> new JournalEntry(Op.QUEUED, PC, List.of(TARGET, TEMP, "s", "d", "1.0.0.0", "1.1.0.0", "77|APPLICATION", "x")));
        assertField("REMOVED: field 'target' ('C:\\a\uD800') holds an unpaired UTF-16 surrogate, which UTF-8 cannot carry",
                () -> JournalEntry.removed(PC, "C:\\a\uD800", "1.0.0.0", "x"));
        assertField("COMPLETED has 4 fields, not 3 (operation, product code, reason)",
                () -> new JournalEntry(Op.COMPLETED, PC, List.of("a", "b")));
        // a delete queued for the next reboot: empty destination, nothing after it
        JournalEntry delete = JournalEntry.queued(PC, TARGET, TEMP, "\\??\\" + TEMP, "", "1.1.0.0", JournalEntry.NONE, List.of(), "x");
        assertEquals("", delete.field("lockers"));
        assertEquals("unversioned", JournalEntry.versionText(null));
        assertEquals("1.2.3.4", JournalEntry.versionText(new FileVersion(1, 2, 3, 4)));
    }

    private static void assertField(String message, org.junit.jupiter.api.function.Executable build) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, build).getMessage());
    }

    private static List<Op> ops(List<JournalEntry> entries) {
        return entries.stream().map(JournalEntry::op).toList();
    }
}
