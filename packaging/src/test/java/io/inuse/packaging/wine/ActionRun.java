package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.PackageBuilder;
import io.inuse.pe.FileVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One {@code msiexec /i /qn} of an engine scenario and its log, with the assertions that the
 * scenarios of the Java actions share (EngineActionsIT, SystemTrustIT).
 */
record ActionRun(int exit, String log, Path logFile, WinePrefix wine) {
    static final String DLL = "MAPI32.DLL";

    void contains(String text) {
        assertTrue(log.contains(text), "the log " + logFile + " should contain: " + text);
    }

    void lacks(String text) {
        assertFalse(log.contains(text), "the log " + logFile + " should not contain: " + text);
    }

    static ActionRun install(WineTestBed bed, WinePrefix wine, String scenario, PackageBuilder.Result pkg, String... properties)
            throws Exception {
        Path log = bed.logFor(scenario, "install");
        int exit = wine.msiexecLogged("/i", pkg.msi(), log, properties);
        return new ActionRun(exit, WinePrefix.readLog(log), log, wine);
    }

    static String javaHome(Path runtime) {
        return "INUSE_JAVA_HOME=" + WinePrefix.windowsPath(runtime);
    }

    /** No inuse-* extraction folder may survive an action. */
    static void noExtractionLeft(WinePrefix wine) throws Exception {
        Path installer = wine.root().resolve("drive_c/windows/Installer");
        try (Stream<Path> left = Files.list(installer)) {
            List<Path> folders = left.filter(p -> p.getFileName().toString().startsWith("inuse-")).toList();
            assertEquals(List.of(), folders, "extraction folders left behind");
        }
    }

    static void installedV1(WineTestBed bed, WinePrefix wine) throws Exception {
        assertEquals(Optional.of(bed.v1.payload().version()), wine.system32Version(DLL));
        assertTrue(wine.isRegistered(bed.v1.productCode()));
    }

    static void nothingInstalled(WineTestBed bed, WinePrefix wine) throws Exception {
        Optional<FileVersion> now = wine.system32Version(DLL);
        assertTrue(now.isEmpty() || now.get().compareTo(bed.v1.payload().version()) < 0, "MAPI32.DLL is not ours: " + now);
        assertFalse(wine.isRegistered(bed.v1.productCode()));
    }

    /**
     * The replace action queued the replacement of {@code target}: PendingFileRenameOperations holds exactly its
     * entry, {@code \??\<target>.inuse-1.tmp} onto {@code !\??\<target>} (MoveFileExW DELAY_UNTIL_REBOOT |
     * REPLACE_EXISTING), and the temporary copy is there.
     */
    static void ourReplacementPending(WinePrefix wine, String target) throws Exception {
        List<String> pending = wine.pendingFileRenameOperations().orElseThrow(() -> new AssertionError("no PendingFileRenameOperations"));
        assertEquals(List.of("\\??\\" + target + ".inuse-1.tmp", "!\\??\\" + target), pending, "pending: " + pending);
    }

    static void report(String name, long start, String outcome) {
        System.out.printf("ENGINE SCENARIO %s: PASS %s (%.1f s)%n", name, outcome, (System.nanoTime() - start) / 1e9);
    }

    /** Both probes ran on the runtime from {@code source}; the deferred one read CustomActionData and nothing else. */
    void bothActionsRan(WineTestBed bed, String source) {
        contains("inuse broker: InuseProbe: runtime ");
        contains("(Java 17.0.15, " + source + ")");
        contains("inuse broker: engine started: inuse engine " + bed.v1.productVersion() + " on Java ");
        contains("inuse: InuseProbe: engine runtime: Java " + System.getProperty("java.version"));
        contains("Property(S): INUSE_ENGINE_RUNTIME = Java " + System.getProperty("java.version"));
        contains("inuse: InuseProbeDeferred: received CustomActionData {");
        contains("ProductVersion=" + bed.v1.productVersion() + "}");
        contains("inuse broker: InuseProbeDeferred: engine read properties [CustomActionData]; result 0");
    }

    /** The lines of the product's journal (C:\\Program Files\\inuse\\MAPI32\\state\\journal.txt), its header first. */
    static List<String> journalLines(WinePrefix wine) throws Exception {
        return Files.readAllLines(wine.root().resolve("drive_c/Program Files/inuse/MAPI32/state/journal.txt"));
    }

    /** The journal's last run: its lines from the last BEGIN on. */
    static List<String> lastRunLines(WinePrefix wine) throws Exception {
        List<String> lines = journalLines(wine);
        int begin = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("BEGIN\t")) {
                begin = i;
            }
        }
        return lines.subList(begin, lines.size());
    }

    /** The operations of the journal's last run, in order. */
    static List<String> lastRunOps(WinePrefix wine) throws Exception {
        List<String> ops = new java.util.ArrayList<>();
        for (String line : lastRunLines(wine)) {
            ops.add(line.substring(0, line.indexOf('\t')));
        }
        return ops;
    }
}
