package io.inuse.engine.replace;

import static io.inuse.engine.replace.JournalTest.PC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Damaged journals: each is refused with the file, the line and what is wrong, and nothing is read from it. */
class JournalCorruptTest {
    private static final String FILE = "C:\\Program Files\\inuse\\" + PC + "\\journal.txt";
    private static final String LEFT = "; the journal is left as it is and nothing is undone from it (docs/journal.md, \"A damaged journal\")";
    private static final String BEGIN = "BEGIN\t" + PC + "\tinstall\t" + ReplaceFixture.RUN + "\tinstall\n";

    private static void assertCorrupt(String problem, int line, byte[] bytes) {
        JournalException e = assertThrows(JournalException.class, () -> Journal.parse(FILE, bytes));
        assertEquals(FILE + (line > 0 ? ": line " + line : "") + ": " + problem + LEFT, e.getMessage());
        assertEquals(line, e.line());
    }

    private static void assertCorrupt(String problem, int line, String text) {
        assertCorrupt(problem, line, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theHeaderMustBeThere() {
        assertCorrupt("is empty: a journal starts with the line 'inuse-journal 1'", 0, "");
        assertCorrupt("is 'inuse-journal 2': this inuse reads journal format 1 only (did a newer inuse write it?)", 1,
                "inuse-journal 2\n");
        assertCorrupt("is 'BEGIN%09" + PC + "%09install%09x', not the header 'inuse-journal 1': this is not an inuse journal", 1,
                "BEGIN\t" + PC + "\tinstall\tx\n");
        assertCorrupt("starts with a byte order mark; a journal is UTF-8 without one (was it saved by an editor?)", 1,
                "\uFEFFinuse-journal 1\n");
        assertCorrupt("ends with a CR; a journal's lines end with LF alone (was it saved by an editor that changes line ends?)", 1,
                "inuse-journal 1\r\n");
        assertCorrupt("is 'inuse-journal 1.0', not the header 'inuse-journal 1': this is not an inuse journal", 1,
                "inuse-journal 1.0\n");
    }

    @Test
    void aCutLineIsNotTakenForAShorterOne() {
        assertCorrupt("does not end with a line feed: the journal was cut short while it was written (a power loss or a full"
                + " disk?)", 1, "inuse-journal 1");
        assertCorrupt("does not end with a line feed: the journal was cut short while it was written (a power loss or a full"
                + " disk?)", 3, "inuse-journal 1\n" + BEGIN + "COMPLETED\t" + PC + "\tdo");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedWithTheirOffset() {
        byte[] text = ("inuse-journal 1\n" + BEGIN + "COMPLETED\t" + PC + "\tdone\n").getBytes(StandardCharsets.UTF_8);
        int at = text.length - 3;
        text[at] = (byte) 0xC3; // a lead byte followed by 'e', not a continuation byte
        assertCorrupt("is not valid UTF-8 (at byte offset " + at + " of the file)", 3, text);
        byte[] surrogate = ("inuse-journal 1\n" + BEGIN).getBytes(StandardCharsets.UTF_8);
        byte[] cesu = new byte[surrogate.length + 4];
        System.arraycopy(surrogate, 0, cesu, 0, surrogate.length);
        cesu[surrogate.length] = (byte) 0xED; // U+D800 encoded as if it were a character
        cesu[surrogate.length + 1] = (byte) 0xA0;
        cesu[surrogate.length + 2] = (byte) 0x80;
        cesu[surrogate.length + 3] = '\n';
        assertCorrupt("is not valid UTF-8 (at byte offset " + surrogate.length + " of the file)", 3, cesu);
    }

    @Test
    void linesMustBeOperationsWithTheirFields() {
        String head = "inuse-journal 1\n" + BEGIN;
        assertCorrupt("is empty; every line after the header is one operation", 3, head + "\n");
        assertCorrupt("'MOVED' is not an operation of journal format 1 (BEGIN, BACKUP, SAVED, REPLACED, QUEUED, REQUEUED, CANCELLED, SUPERSEDED, RESTORED,"
                + " REMOVED, COMPLETED, ROLLED_BACK)", 3, head + "MOVED\t" + PC + "\tx\n");
        assertCorrupt("'completed' is not an operation of journal format 1 (BEGIN, BACKUP, SAVED, REPLACED, QUEUED, REQUEUED, CANCELLED, SUPERSEDED, RESTORED,"
                + " REMOVED, COMPLETED, ROLLED_BACK)", 3, head + "completed\t" + PC + "\tx\n");
        assertCorrupt("REPLACED has 5 fields, not 6 (operation, product code, target, from, to, reason)", 3,
                head + "REPLACED\t" + PC + "\tC:\\x.dll\t1.0.0.0\tfree\n");
        assertCorrupt("COMPLETED has 4 fields, not 3 (operation, product code, reason)", 3, head + "COMPLETED\t" + PC + "\tdone\t\n");
        assertCorrupt("holds a raw control character U+000D at column 54 (a CR: was the file saved by an editor that changes"
                + " line ends?); the journal writes control characters as %XX", 3, head + "COMPLETED\t" + PC + "\tdone\r\n");
        assertCorrupt("holds a raw control character U+0000 at column 51; the journal writes control characters as %XX", 3,
                head + "COMPLETED\t" + PC + "\td\u0000ne\n");
        assertCorrupt("BACKUP: field 'version' ('1.0') is not a version: four numbers from 0 to 65535 without leading zeros"
                + " (1.2.0.0), or 'unversioned'", 3, head + "BACKUP\t" + PC + "\tC:\\x.dll\tC:\\b\\x.dll\t1.0\tkept\n");
        assertCorrupt("BEGIN: the product code '{0E4BCAD8-6F21-4C51-9F2C-6DB6A6A8D2B1' is not a GUID in braces with upper-case hex"
                + " digits, such as {0E4BCAD8-6F21-4C51-9F2C-6DB6A6A8D2B1}", 2,
                "inuse-journal 1\nBEGIN\t{0E4BCAD8-6F21-4C51-9F2C-6DB6A6A8D2B1\tinstall\t" + ReplaceFixture.RUN + "\tx\n");
    }

    @Test
    void onlyTheEscapesTheFormatWritesAreRead() {
        String head = "inuse-journal 1\n" + BEGIN + "REMOVED\t" + PC + "\t";
        String tail = "\t1.0.0.0\tgone\n";
        String writes = ", not an escape this format writes (%25 for '%', %00 to %1F for control characters, upper-case hex)";
        assertCorrupt("REMOVED: field 'target' ('C:%41.dll') has '%41' at character 3 of the field" + writes, 3, head + "C:%41.dll" + tail);
        assertCorrupt("REMOVED: field 'target' ('C:%0a.dll') has '%0a' at character 3 of the field" + writes, 3, head + "C:%0a.dll" + tail);
        assertCorrupt("REMOVED: field 'target' ('C:%zz.dll') has '%zz' at character 3 of the field" + writes, 3, head + "C:%zz.dll" + tail);
        assertCorrupt("REMOVED: field 'target' ('C:%2') has '%2' at character 3 of the field" + writes, 3, head + "C:%2" + tail);
        assertCorrupt("REMOVED: field 'target' ('C:%') has '%' at character 3 of the field" + writes, 3, head + "C:%" + tail);
        assertCorrupt("REMOVED: field 'target' ('C:%20') has '%20' at character 3 of the field" + writes, 3, head + "C:%20" + tail);
    }

    @Test
    void theRulesBetweenLinesAreChecked() {
        String op = "RESTORED\t" + PC + "\tC:\\x.dll\tC:\\b\\x.dll\t1.0.0.0\tput back\n";
        assertCorrupt("RESTORED before any BEGIN: every operation belongs to a run that a BEGIN line opens", 2,
                "inuse-journal 1\n" + op);
        assertCorrupt("RESTORED after the run of line 2 was rolled back at line 3: only a BEGIN may follow ROLLED_BACK", 4,
                "inuse-journal 1\n" + BEGIN + "ROLLED_BACK\t" + PC + "\tundone\n" + op);
        assertCorrupt("a second COMPLETED in the run of line 2 (the first is at line 3)", 4,
                "inuse-journal 1\n" + BEGIN + "COMPLETED\t" + PC + "\tdone\nCOMPLETED\t" + PC + "\tdone\n");
        assertCorrupt("REPLACED after the run of line 2 was completed at line 3: a completed run takes only undo steps (CANCELLED,"
                + " RESTORED, REMOVED, QUEUED, REQUEUED; an uninstall's REPLACED) and ROLLED_BACK", 4, "inuse-journal 1\n" + BEGIN + "COMPLETED\t" + PC + "\tdone\n"
                + "REPLACED\t" + PC + "\tC:\\x.dll\tnone\t1.1.0.0\tnothing there\n");
        assertCorrupt("the product code {11111111-2222-3333-4444-555555555555} differs from " + PC + " of line 2: a run holds"
                + " one product version's operations", 3,
                "inuse-journal 1\n" + BEGIN + "COMPLETED\t{11111111-2222-3333-4444-555555555555}\tdone\n");
    }
}
