package io.inuse.packaging.wine;

import static io.inuse.packaging.wine.ActionRun.install;
import static io.inuse.packaging.wine.ActionRun.javaHome;
import static io.inuse.packaging.wine.ActionRun.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.wine.engines.DeferredOverreach;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a standard user controls must not steer an action that runs elevated or as SYSTEM: the
 * debugging switch is ignored there, a reboot switch no longer exists, a deferred action gets only
 * what Windows gives it (the broker refuses the rest, which Wine alone would allow), and an
 * over-long runtime path is refused with a clean line. Under Wine every install runs elevated (the
 * engine is extracted under C:\windows\Installer, the elevated location), as under Group Policy.
 */
class SystemTrustIT {
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
    }

    @Test
    void switchesAUserCanSetDoNotSteerAnElevatedAction() throws Exception {
        long start = System.nanoTime();
        bed.scenario("trust-switches", wine -> {
            wine.setEnvironment("INUSE_ENGINE_DEBUG", "5005");
            ActionRun run = install(bed, wine, "trust-switches", bed.probes, bed.javaHome, "INUSE_REQUEST_REBOOT=1");
            assertEquals(0, run.exit(), "no debugger wait, no reboot");
            run.bothActionsRan(bed, "INUSE_JAVA_HOME");
            run.contains("inuse broker: INUSE_ENGINE_DEBUG=5005 is ignored: this action runs elevated or as SYSTEM, where a debugger port "
                    + "would let any local user run code with its rights.");
            run.lacks("waits for a debugger");
            run.lacks("INUSE_REQUEST_REBOOT=1:1");   // not handed to the deferred action
            run.lacks("asked Windows Installer for a reboot");
            run.contains("; handed InuseProbeDeferred 2 CustomActionData entries: [INUSE_JAVA_HOME, ProductVersion]");
            ActionRun.installedV1(bed, wine);
        });
        report("trust: user switches", start, "INUSE_ENGINE_DEBUG ignored with a line, INUSE_REQUEST_REBOOT=1 changes nothing: exit=0");
    }

    @Test
    void aDeferredActionGetsOnlyWhatWindowsGivesIt() throws Exception {
        long start = System.nanoTime();
        Path overreach = bed.runtimes.runningTestEngine("deferred-overreach", DeferredOverreach.class);
        bed.scenario("trust-deferred", wine -> {
            ActionRun run = install(bed, wine, "trust-deferred", bed.probes, javaHome(overreach));
            assertEquals(0, run.exit());
            // the immediate action may query its database
            run.contains("inuse: InuseProbe: immediate query SELECT `FileName`, `Version`, `Attributes` FROM `File` WHERE `File` = 'TargetDll': "
                    + "[[MAPI32.DLL, " + bed.v1.payload().version() + ", 512]]");
            // the deferred one gets CustomActionData, ProductCode and UserSID, and nothing else
            run.contains("inuse broker: the deferred action InuseProbeDeferred asked for the property ProductVersion, which Windows "
                    + "does not give a deferred action (a deferred action sees only CustomActionData, ProductCode and UserSID): refused");
            run.contains("inuse: InuseProbeDeferred: deferred property ProductVersion: refused: 5 MsiGetPropertyW");
            run.contains("inuse broker: the deferred action InuseProbeDeferred asked for a database query, which Windows does not give "
                    + "a deferred action (a deferred action has no database): refused");
            run.contains("inuse: InuseProbeDeferred: deferred database query: refused: 5 MsiGetActiveDatabase");
            run.contains("inuse: InuseProbeDeferred: deferred reboot mode: refused: 5 MsiSetMode");
            run.contains("inuse: InuseProbeDeferred: deferred property ProductCode: answered " + bed.v1.productCode());
            // MsiGetMode answers a deferred action only for SCHEDULED, ROLLBACK and COMMIT: FALSE for the rest
            run.contains("inuse broker: the deferred action InuseProbeDeferred asked MsiGetMode for run mode 6: answered FALSE");
            run.contains("inuse: InuseProbeDeferred: deferred run mode REBOOTATEND: answered false");
            run.contains("inuse: InuseProbeDeferred: deferred run mode SCHEDULED: answered true");
            run.contains("inuse broker: InuseProbeDeferred: engine read properties [ProductVersion,ProductCode,CustomActionData]; result 0");
            ActionRun.installedV1(bed, wine);
        });
        report("trust: deferred mode", start, "another property, a database query and MsiSetMode refused in the deferred action; exit=0");
    }

    @Test
    void anOverlongRuntimePathIsRefusedWithACleanLine() throws Exception {
        long start = System.nanoTime();
        String home = "C:\\" + "a".repeat(1500);
        bed.scenario("trust-long-java-home", wine -> {
            ActionRun run = install(bed, wine, "trust-long-java-home", bed.probes, "INUSE_JAVA_HOME=" + home);
            assertEquals(1603, run.exit());
            List<String> lines = run.log().lines().filter(l -> l.contains("inuse broker: INUSE_JAVA_HOME=C:\\aaa")).toList();
            assertEquals(1, lines.size(), "one line about it in " + run.logFile());
            String line = lines.get(0);
            assertTrue(line.contains(" is not usable: "), line);
            // every character is one the line was made of: printable ASCII, no bytes from beyond a buffer
            assertTrue(line.chars().allMatch(c -> c >= 0x20 && c < 0x7f), "a clean line: " + line);
            run.contains("inuse broker: InuseDetect: engine read properties []; result 1603");
            ActionRun.nothingInstalled(bed, wine);
        });
        report("trust: long INUSE_JAVA_HOME", start, "1500-character path: exit=1603 with one clean line");
    }
}
