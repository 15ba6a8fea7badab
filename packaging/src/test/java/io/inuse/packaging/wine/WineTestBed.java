package io.inuse.packaging.wine;

import io.inuse.packaging.PackageBuilder;
import io.inuse.packaging.Payload;
import io.inuse.packaging.Toolchain;
import io.inuse.pe.FileVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What every Wine scenario of one test run shares, made once: the clean prefix, the wintest and
 * servicelocker helpers, and the packages. "v1" is the MSI that {@code mvn package} built from
 * ${revision}; "v2" is the same sources built by the harness one minor version higher; "probes" is
 * v1 with the broker's probe actions, for the scenarios of the broker and the engine's protocol.
 */
final class WineTestBed {
    final Path repo = Path.of(System.getProperty("inuse.repo", "..")).toAbsolutePath().normalize();
    final Path target = Path.of(System.getProperty("inuse.target", "target")).toAbsolutePath();
    final Path work = target.resolve("wine");
    final Path cleanPrefix = work.resolve("clean-prefix");
    final Path wintest = work.resolve("tools/wintest.exe");
    /** A Windows service that holds a DLL loaded (src/testtools/servicelocker.c, {@link ServiceLocker}). */
    final Path servicelocker = work.resolve("tools/servicelocker.exe");
    final Path engineJar = Path.of(System.getProperty("inuse.engineJar", "../installer/target/inuse-installer.jar")).toAbsolutePath();
    final PackageBuilder.Result v1;
    final PackageBuilder.Result v2;
    /** v1 with the broker's probe actions added: the test-only package of the broker scenarios ({@link ProbePackage}). */
    final PackageBuilder.Result probes;
    final Toolchain tools = new Toolchain();
    final TestRuntimes runtimes;
    /** INUSE_JAVA_HOME=<the stand-in runtime>, for installs that are not about the runtime. */
    final String javaHome;

    private static WineTestBed instance;

    static synchronized WineTestBed get() throws IOException, InterruptedException {
        if (instance == null) {
            instance = new WineTestBed();
        }
        return instance;
    }

    private WineTestBed() throws IOException, InterruptedException {
        long start = System.nanoTime();
        Files.createDirectories(wintest.getParent());
        tools.run(work, Toolchain.GCC, List.of("-municode", "-O2", "-Wall", "-Werror", "-o", wintest.toString(),
                repo.resolve("src/testtools/wintest.c").toString(), repo.resolve("src/broker/fsutil.c").toString(), "-lmsi"));
        tools.run(work, Toolchain.GCC, List.of("-municode", "-O2", "-Wall", "-Werror", "-o", servicelocker.toString(),
                repo.resolve("src/testtools/servicelocker.c").toString()));

        String revision = System.getProperty("inuse.revision", "1.1.0");
        Path built = target.resolve("inuse-mapi32-" + revision + "-x64.msi");
        if (!Files.exists(built)) {
            throw new IOException(built + " is missing: the Wine scenarios test the package that 'mvn package' builds; run 'mvn verify'");
        }
        FileVersion version = FileVersion.parse(revision);
        Path v1Dll = target.resolve("native-" + revision).resolve("MAPI32.DLL");
        v1 = new PackageBuilder.Result(built, Payload.inspect(v1Dll), revision);
        String next = version.major() + "." + (version.minor() + 1) + "." + version.build();
        v2 = new PackageBuilder(tools, repo).build(PackageBuilder.Spec.of(next, Optional.empty(), engineJar, Optional.empty()),
                work.resolve("packages"));
        probes = ProbePackage.of(tools, v1, work.resolve("packages"));

        runtimes = new TestRuntimes(work.resolve("runtimes"), repo, target.resolve("test-classes"));
        javaHome = "INUSE_JAVA_HOME=" + WinePrefix.windowsPath(runtimes.good());
        WinePrefix.createClean(cleanPrefix);
        // every scenario copies it; nothing needs it once the test JVM ends, passed or failed
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                WinePrefix.deleteTree(cleanPrefix);
            } catch (IOException | InterruptedException e) {
                System.err.println("wine test bed: cannot remove the clean prefix " + cleanPrefix + ": " + e);
            }
        }));
        System.out.printf("wine test bed: clean prefix, wintest.exe, servicelocker.exe, packages %s and %s ready in %.1f s%n",
                v1.productVersion(), v2.productVersion(), (System.nanoTime() - start) / 1e9);
    }

    /** The body of a scenario: what it does to, and asserts of, its own machine. */
    interface Body {
        void run(WinePrefix wine) throws Exception;
    }

    /**
     * Runs one scenario in a fresh copy of the clean prefix (695 MB). When it passes, its prefix is
     * removed; when it fails, the prefix is kept for inspection (its wineserver stopped) and the
     * failure names it and the scenario's logs.
     */
    void scenario(String name, Body body) throws Exception {
        Path dir = work.resolve("scenarios").resolve(name);
        WinePrefix wine = WinePrefix.copyOf(cleanPrefix, dir, wintest);
        try {
            body.run(wine);
        } catch (Throwable failure) {
            try {
                wine.close();
            } catch (Exception stopping) {
                failure.addSuppressed(stopping);
            }
            throw new AssertionError("scenario " + name + " failed: " + failure.getMessage() + "\n  its Wine prefix is kept: " + dir
                    + "\n  its logs: " + work.resolve("logs").resolve(name), failure);
        }
        wine.close();
        WinePrefix.deleteTree(dir);
    }

    /**
     * Registers the stand-in runtime as a JDK installer would (HKLM\\SOFTWARE\\JavaSoft\\JDK): needed where Wine runs
     * an old version's removal during a major upgrade. Wine's RemoveExistingProducts starts it as a separate
     * {@code msiexec /qn /i {product} REMOVE=ALL}, without UPGRADINGPRODUCTCODE and without the outer command
     * line's INUSE_JAVA_HOME, so under Wine that removal is a plain uninstall that needs a runtime of its own
     * (Windows runs it in the same install with UPGRADINGPRODUCTCODE set, and the package runs no Java action then).
     */
    void registerRuntime(WinePrefix wine) throws IOException, InterruptedException {
        wine.wine("reg", "add", "HKLM\\SOFTWARE\\JavaSoft\\JDK\\17.0.15", "/v", "JavaHome", "/d",
                WinePrefix.windowsPath(runtimes.good()), "/f");
    }

    /**
     * Makes Wine's removal of an installed earlier version inside a major upgrade change nothing of the product's
     * state, as Windows' does: Windows runs that removal with UPGRADINGPRODUCTCODE set, and the package runs no inuse
     * action then; Wine runs it as a plain uninstall ({@link #registerRuntime}), which would put the original back.
     * Without the runtime the earlier install kept (HKLM\\SOFTWARE\\inuse\\MAPI32, JavaHome) and without a registered one,
     * Wine's removal stops at its first inuse action, before anything changes: the DLL, its backup and the journal stay
     * for the new version, as on Windows. (Wine then leaves the earlier version registered, where Windows removes it.)
     */
    void removalRestoresNothing(WinePrefix wine) throws IOException, InterruptedException {
        wine.wine("reg", "delete", "HKLM\\SOFTWARE\\inuse\\MAPI32", "/v", "JavaHome", "/f");
    }

    Path logFor(String scenario, String step) throws IOException {
        Path dir = work.resolve("logs").resolve(scenario);
        Files.createDirectories(dir);
        return dir.resolve(step + ".log");
    }
}
