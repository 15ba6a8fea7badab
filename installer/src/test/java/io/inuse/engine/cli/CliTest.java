package io.inuse.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detector;
import io.inuse.engine.machine.FakeRegistry;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.replace.Journal;
import io.inuse.engine.replace.Plan;
import io.inuse.engine.replace.RebootRecord;
import io.inuse.engine.replace.ReplaceFixture;
import io.inuse.engine.replace.Replacer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The command line's commands on the fake machine: status decided by hashes, pending's marks and stale flags, who's exit codes. */
class CliTest extends ReplaceFixture {
    final List<String> out = new ArrayList<>();
    final List<String> err = new ArrayList<>();
    final Cli.Console console = new Cli.Console() {
        @Override
        public void out(String text) {
            out.add(text);
        }

        @Override
        public void err(String text) {
            err.add(text);
        }
    };

    int cli(String... args) {
        out.clear();
        err.clear();
        return new Cli(machine, console, new Cli.Product(List.of(MAPI), FOLDER), true).run(List.of(args));
    }

    void installHeld() {
        put(DLL, image(1, 0, 0, 0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        Replacer replacer = new Replacer(machine, FOLDER, CODE, RUN, text -> { });
        replacer.act(Plan.decide(replacer.facts(new Detector(machine).detect(List.of(MAPI)), Journal.empty()), false), Journal.empty());
    }

    /** What the boot does with the one queued move: the copy over the target, the value gone. */
    void reboot() {
        String temp = DLL + ".inuse-1.tmp";
        machine.disk.put(DLL, machine.disk.bytes(temp).orElseThrow());
        machine.deleteFile(temp);
        machine.registry.delete(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations");
    }

    @Test
    void statusSaysRebootPendingThenDoneByTheHashAndRemovesTheRecord() {
        installHeld();
        assertEquals(Cli.ATTENTION, cli("status"), err.toString());
        assertTrue(out.contains("  state:    reboot pending: the replacement waits for the next reboot"), out.toString());
        assertTrue(out.contains("  pending:  " + DLL + ".inuse-1.tmp -> " + DLL), out.toString());
        assertTrue(out.contains("reboot needed: yes"), out.toString());
        reboot();
        assertEquals(Cli.OK, cli("status"), err.toString());
        assertTrue(out.contains("  state:    done: the file has the expected SHA-256"), out.toString());
        assertTrue(out.stream().anyMatch(l -> l.endsWith("(done: removed now)")), out.toString());
        assertEquals(Optional.empty(), RebootRecord.read(machine, "MAPI32", MAPI));
        assertEquals(Cli.OK, cli("status", "--json"));
        assertTrue(out.get(0).contains("\"state\":\"done\"") && out.get(0).contains("\"record\":null"), out.get(0));
    }

    @Test
    void aFileSomeoneElsePutThereAfterTheRebootIsDifferentNotDone() {
        installHeld();
        reboot();
        machine.disk.put(DLL, image(1, 1, 0, 0));
        assertEquals(Cli.DIFFERS, cli("status"));
        assertTrue(out.contains("  state:    differs: the file in place is not the one this product put there (left alone, or changed since)"),
                out.toString());
        assertTrue(RebootRecord.read(machine, "MAPI32", MAPI).isPresent(), "a record that is not done stays");
    }

    @Test
    void aNewerFileTheProductLeftIsKeptNewerAndExit0() {
        put(DLL, image(2, 0, 0, 0));
        assertEquals(Cli.OK, cli("status"), out.toString());
        assertTrue(out.contains("  state:    kept newer: the file in place is newer than the product's, which never downgrades it"),
                out.toString());
    }

    @Test
    void aRenamedAsideFileWaitingForItsDeleteIsDoneWithARebootNeeded() {
        put(DLL, image(1, 0, 0, 0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        Replacer replacer = new Replacer(machine, FOLDER, CODE, RUN, text -> { }).strategy(io.inuse.engine.replace.Policy.Strategy.RENAME_ASIDE);
        replacer.act(Plan.decide(replacer.facts(new Detector(machine).detect(List.of(MAPI)), Journal.empty()), false), Journal.empty());
        assertEquals(Cli.OK, cli("status"), out.toString());
        assertTrue(out.contains("  state:    done: the file has the expected SHA-256"), out.toString());
        assertTrue(out.contains("reboot needed: yes"), out.toString());
        assertTrue(out.stream().anyMatch(l -> l.startsWith("  pending:  delete " + DLL + ".inuse-old-")), out.toString());
    }

    @Test
    void aDoneRecordThatCannotBeRemovedIsStillDone() {
        installHeld();
        reboot();
        machine.failing.put("regDeleteValue", 5L);
        assertEquals(Cli.OK, cli("status"), err.toString());
        assertTrue(out.stream().anyMatch(l -> l.contains("(done, but it could not be removed: ")), out.toString());
    }

    @Test
    void aJournalThatCannotBeReadIsSaid() {
        installHeld();
        machine.file("C:\\Windows\\system32", 1, 42);
        machine.failing.put("readFile", 5L);
        assertEquals(Cli.OK, cli("pending"));
        assertTrue(out.stream().anyMatch(l -> l.startsWith("the product's journal could not be read")), out.toString());
    }

    @Test
    void pendingMarksThisProductsEntryAndFlagsStaleOnes() {
        installHeld();
        // the fake names only what it was told of: the folders that exist
        machine.file("C:\\Windows\\system32", 1, 42);
        machine.file("C:\\Program Files\\Vendor", 1, 43);
        // someone else's entry whose source is gone, and one whose target's folder is gone
        machine.registry.schedule("C:\\Temp\\gone.tmp", "C:\\Program Files\\Vendor\\x.dll", true);
        machine.disk.put("C:\\Temp\\there.tmp", new byte[] {1});
        machine.file("C:\\Temp\\there.tmp", 1, 99);
        machine.registry.schedule("C:\\Temp\\there.tmp", "C:\\NoSuchFolder\\y.dll", false);
        assertEquals(Cli.ATTENTION, cli("pending"), err.toString());
        assertEquals("PendingFileRenameOperations: 3 operation(s)", out.get(0));
        assertEquals("   1  move    " + DLL + ".inuse-1.tmp -> " + DLL + " (replace existing)  [this product]", out.get(1));
        assertTrue(out.get(2).endsWith("[other]  STALE: source missing"), out.get(2));
        assertTrue(out.get(3).endsWith("[other]  STALE: target gone (its folder does not exist)"), out.get(3));
        assertEquals("1 of this product's, 2 stale", out.get(out.size() - 1));
    }

    @Test
    void aDamagedValueIsNamedAnd65() {
        machine.registry.write(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, "PendingFileRenameOperations",
                new RegValue(RegValue.REG_MULTI_SZ, "\\??\\C:\\a".getBytes(StandardCharsets.UTF_16LE)));
        assertEquals(Cli.BAD_DATA, cli("pending"));
        assertTrue(out.get(0).startsWith("PendingFileRenameOperations: DAMAGED: "), out.toString());
        assertEquals(Cli.BAD_DATA, cli("status"));
        assertTrue(err.get(0).startsWith("inuse: the registry value PendingFileRenameOperations is damaged"), err.toString());
    }

    @Test
    void theLaunchersArgumentsComeBackAsTyped() {
        // src/launcher/inuse.c: " --arg-hex=" and the UTF-8 bytes; "C:\Ελένη\x.dll" holds no character of Windows-1252
        String typed = "C:\\\u0395\u03bb\u03ad\u03bd\u03b7\\x \"q\".dll";
        String hex = java.util.HexFormat.of().formatHex(typed.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of("who", typed), CliMain.arguments(new String[] {"cli", "--arg-hex=77686f", "--arg-hex=" + hex}));
        assertEquals(List.of("who"), CliMain.arguments(new String[] {"cli", "--arg-hex=77686f", "--arg=raw", "--arg-hex=abc"}),
                "anything not in the launcher's form is dropped");
    }

    @Test
    void whoSaysHeldFreeOrMissingByItsExitCode() {
        put(DLL, image(1, 0, 0, 0));
        assertEquals(Cli.OK, cli("who", DLL));
        assertEquals(DLL + ": free", out.get(0));
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).lock(DLL);
        assertEquals(Cli.ATTENTION, cli("who", DLL));
        assertEquals("  held by pid 77 C:\\Program Files\\UPS\\upsmon.exe [application]", out.get(1));
        assertEquals(Cli.NO_INPUT, cli("who", "C:\\Windows\\system32\\NOPE.DLL"));
        assertEquals(List.of("inuse: C:\\Windows\\system32\\NOPE.DLL: no such file. Give the full path of an existing file"), err);
    }
}
