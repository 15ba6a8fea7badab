package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The policy (issue 16, docs/policy.md) with the real broker and engine inside Wine's msiexec: a
 * value under HKLM\SOFTWARE\Policies\inuse\MAPI32 wins over the install's property, and a value not
 * understood stops the install before anything changes.
 */
class PolicyIT {
    private static final String DLL = "MAPI32.DLL";
    private static final String TARGET = "C:\\windows\\system32\\" + DLL;
    private static final String POLICY_KEY = "HKLM\\SOFTWARE\\Policies\\inuse\\MAPI32";
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
    }

    private static ActionRun install(WinePrefix wine, String scenario, String step, Path msi, String... properties) throws Exception {
        Path log = bed.logFor(scenario, step);
        String[] all = new String[properties.length + 1];
        all[0] = bed.javaHome;
        System.arraycopy(properties, 0, all, 1, properties.length);
        int exit = wine.msiexecLogged("/i", msi, log, all);
        return new ActionRun(exit, WinePrefix.readLog(log), log, wine);
    }

    @Test
    void thePolicyKeyWinsOverThePropertyAndFailStopsAHeldUpgradeBeforeAnythingChanges() throws Exception {
        long start = System.nanoTime();
        String scenario = "policy-key-over-property";
        bed.scenario(scenario, wine -> {
            bed.registerRuntime(wine);
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1.msi()).exit());
            wine.wine("reg", "add", POLICY_KEY, "/v", "INUSE_WHEN_LOCKED", "/t", "REG_SZ", "/d", "fail", "/f");
            ActionRun run;
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                run = install(wine, scenario, "install-v2", bed.v2.msi(), "INUSE_WHEN_LOCKED=defer");
            }
            assertEquals(1603, run.exit(), run.logFile().toString());
            run.contains("inuse: InuseDetect: policy: INUSE_WHEN_LOCKED=fail (policy), INUSE_STRATEGY=reboot (default), INUSE_FORCE_EQUAL=0 (default)");
            run.contains("inuse: InuseDetect: 1 target(s) held, and INUSE_WHEN_LOCKED is fail (");
            assertFalse(run.log().matches("(?s).*Action start [0-9:]+: RemoveExistingProducts\\..*"), "stopped before RemoveExistingProducts");
            assertEquals(Optional.of(bed.v1.payload().version()), wine.system32Version(DLL), "v1 stays");
            assertTrue(wine.isRegistered(bed.v1.productCode()), "v1 is still installed");
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());

            // without the policy value, the same property defers: 3010 and the replacement queued
            wine.wine("reg", "delete", POLICY_KEY, "/v", "INUSE_WHEN_LOCKED", "/f");
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker2").getParent())) {
                ActionRun deferred = install(wine, scenario, "install-v2-defer", bed.v2.msi(), "INUSE_WHEN_LOCKED=defer");
                assertEquals(3010, deferred.exit(), deferred.logFile().toString());
                deferred.contains("inuse: InuseDetect: policy: INUSE_WHEN_LOCKED=defer (property), INUSE_STRATEGY=reboot (default), INUSE_FORCE_EQUAL=0 (default)");
            }
            assertEquals(List.of("\\??\\" + TARGET + ".inuse-1.tmp", "!\\??\\" + TARGET), wine.pendingFileRenameOperations().orElseThrow());
            ActionRun.report("policy: the key over the property", start, "policy fail + property defer, held: exit=1603 before"
                    + " RemoveExistingProducts, v1 stays installed; property defer alone: exit=3010, queued");
        });
    }

    @Test
    void aValueNotUnderstoodStopsTheInstallNamingIt() throws Exception {
        long start = System.nanoTime();
        String scenario = "policy-bad-value";
        bed.scenario(scenario, wine -> {
            Optional<io.inuse.pe.FileVersion> original = wine.system32Version(DLL);
            ActionRun run = install(wine, scenario, "install-v1", bed.v1.msi(), "INUSE_WHEN_LOCKED=kill");
            assertEquals(1603, run.exit(), run.logFile().toString());
            run.contains("the property INUSE_WHEN_LOCKED is 'kill', which is not understood: use defer (replace a held file at the next"
                    + " reboot, the default), fail (stop the install instead) or stopservices (stop the services that hold it, replace it, start"
                + " them again); nothing was changed");
            assertEquals(original, wine.system32Version(DLL), "nothing changed");
            assertFalse(wine.isRegistered(bed.v1.productCode()));
            ActionRun.report("policy: a value not understood", start, "exit=1603, the line names the property and the allowed values");
        });
    }

    @Test
    void renameAsidePutsTheNewFileInPlaceAtOnceAndDeletesTheOldOneAtTheReboot() throws Exception {
        long start = System.nanoTime();
        String scenario = "policy-renameaside";
        bed.scenario(scenario, wine -> {
            bed.registerRuntime(wine);
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1.msi()).exit());
            String aside = TARGET + ".inuse-old-1.tmp";
            ActionRun run;
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                run = install(wine, scenario, "install-v2", bed.v2.msi(), "INUSE_STRATEGY=renameaside");
                assertEquals(3010, run.exit(), run.logFile().toString());
                run.contains("inuse: InuseDetect: policy: INUSE_WHEN_LOCKED=defer (default), INUSE_STRATEGY=renameaside (property)");
                run.contains("inuse: InuseReplace: renamed the held " + TARGET + " (" + bed.v1.payload().version() + ") to " + aside);
                run.contains("inuse: InuseReplace: 1 replaced now (1 by renaming the held file aside, deleted at the next reboot), 0 queued");
                run.contains("inuse: InuseRebootCheck: 1 replacement(s) of this product pending");
                // new processes get v2 at once; the locker keeps v1 loaded, under its new name
                assertEquals(Optional.of(bed.v2.payload().version()), wine.system32Version(DLL), "v2 in place at once");
                assertEquals(Optional.of(bed.v1.payload().version()), wine.system32Version(DLL + ".inuse-old-1.tmp"), "v1 aside");
                assertEquals(List.of("\\??\\" + aside, ""), wine.pendingFileRenameOperations().orElseThrow(), "only the delete of v1");
                assertTrue(locker.running(), "nothing ended the locker");
                // the journal: the replacement (v1 -> v2) and the renamed file's delete, with its exact strings
                List<String> run2 = ActionRun.lastRunLines(wine);
                String code = bed.v2.productCode();
                assertTrue(run2.stream().anyMatch(l -> l.startsWith("REPLACED\t" + code + "\t" + TARGET + "\t" + bed.v1.payload().version()
                        + "\t" + bed.v2.payload().version() + "\t")), run2.toString());
                assertTrue(run2.stream().anyMatch(l -> l.startsWith("QUEUED\t" + code + "\t" + TARGET + "\t" + aside + "\t\\??\\" + aside
                        + "\t\t" + bed.v1.payload().version() + "\tnone\t")), run2.toString());
                assertEquals("COMPLETED", ActionRun.lastRunOps(wine).get(ActionRun.lastRunOps(wine).size() - 1));
            }
            wine.reboot();
            assertEquals(Optional.of(bed.v2.payload().version()), wine.system32Version(DLL));
            assertEquals(Optional.empty(), wine.system32Version(DLL + ".inuse-old-1.tmp"), "the old file is gone after the reboot");
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            ActionRun.report("policy: renameaside", start, "held v1: exit=3010, v2 in place at once, v1 renamed aside and its delete"
                    + " queued (the only entry); after the reboot v2, aside gone, pending=none");
        });
    }

    @Test
    void stopServicesStopsTheServiceReplacesTheFileAndStartsItAgain() throws Exception {
        long start = System.nanoTime();
        String scenario = "policy-stopservices";
        bed.scenario(scenario, wine -> {
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1.msi()).exit());
            bed.removalRestoresNothing(wine);
            try (ServiceLocker service = ServiceLocker.start(wine, bed.servicelocker, "inusemail", "Inuse Mail Relay, Test", TARGET,
                    bed.logFor(scenario, "service").getParent())) {
                assertEquals("open failed error=32", wine.wintest("open-exclusive", TARGET).strip(), "the service holds v1");
                ActionRun run = install(wine, scenario, "install-v2", bed.v2.msi(), "INUSE_WHEN_LOCKED=stopservices");
                assertEquals(0, run.exit(), run.logFile().toString());
                run.contains("inuse: InuseDetect: policy: INUSE_WHEN_LOCKED=stopservices (property)");
                run.contains("inuse: InuseReplace: stopped the service inusemail");
                run.contains("inuse: InuseReplace: started the service inusemail again");
                run.contains("inuse: InuseReplace: 1 replaced now (with 1 service(s) stopped), 0 queued for the next reboot");
                run.contains("inuse: InuseRebootCheck: nothing of this product is pending: no reboot asked for");
                assertEquals(Optional.of(bed.v2.payload().version()), wine.system32Version(DLL), "v2 in place, no reboot");
                assertEquals(Optional.empty(), wine.pendingFileRenameOperations(), "nothing pending");
                assertEquals(4, service.stateNow(), "the service runs again");
                String report = service.reportNow();
                assertTrue(report.startsWith("loaded pid=") && !report.equals(service.loadedLine), "it loaded the DLL again, in a new"
                        + " process: " + report + " (before: " + service.loadedLine + ")");
                assertEquals("open failed error=32", wine.wintest("open-exclusive", TARGET).strip(), "and holds v2 now");
                // the journal: replaced now (v1 kept for the run's rollback), after the services stopped
                assertEquals(List.of("BEGIN", "SAVED", "QUEUED", "REPLACED", "COMPLETED"), ActionRun.lastRunOps(wine),
                        ActionRun.journalLines(wine).toString());
            }
            ActionRun.report("policy: stopservices", start, "a service holding v1: stopped, v2 put in place, started again; exit=0,"
                    + " pending=none");
        });
    }
}
