package io.inuse.packaging.wine;

import io.inuse.packaging.PackageBuilder;
import io.inuse.packaging.Toolchain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The test-only package of the broker scenarios: the shipped package (the same product, version and
 * broker) with the two probe actions added, as the package carried them before the detect action
 * replaced them. {@code InuseProbe} (immediate, 1399) logs the runtime and hands
 * {@code InuseProbeDeferred} (deferred, no impersonation, 4001) its CustomActionData; the broker
 * exports both entries, and a test engine answers either. The shipped package never has them
 * (its golden CustomAction and InstallExecuteSequence dumps say so).
 */
final class ProbePackage {
    private ProbePackage() {
    }

    static PackageBuilder.Result of(Toolchain tools, PackageBuilder.Result shipped, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Path msi = outDir.resolve(shipped.msi().getFileName().toString().replace(".msi", "-probes.msi"));
        Files.copy(shipped.msi(), msi, StandardCopyOption.REPLACE_EXISTING);
        String condition = "'NOT REMOVE~=\"ALL\"'";
        tools.run(outDir, Toolchain.MSIBUILD, List.of(msi.toString(), "-q",
                // 1: a DLL in the Binary table, immediate; 3073 = 1 + 1024 (deferred) + 2048 (no impersonation)
                "INSERT INTO `CustomAction` (`Action`, `Type`, `Source`, `Target`) VALUES ('InuseProbe', 1, 'InuseBroker', 'InuseProbe')",
                "INSERT INTO `CustomAction` (`Action`, `Type`, `Source`, `Target`) VALUES ('InuseProbeDeferred', 3073, 'InuseBroker', 'InuseProbeDeferred')",
                "INSERT INTO `InstallExecuteSequence` (`Action`, `Condition`, `Sequence`) VALUES ('InuseProbe', " + condition + ", 1399)",
                "INSERT INTO `InstallExecuteSequence` (`Action`, `Condition`, `Sequence`) VALUES ('InuseProbeDeferred', " + condition + ", 4001)"));
        return new PackageBuilder.Result(msi, shipped.payload(), shipped.productVersion());
    }
}
