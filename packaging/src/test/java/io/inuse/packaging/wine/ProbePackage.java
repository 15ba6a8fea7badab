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
 * replaced them, and without the replacement (issue 15): its DLL goes straight into System32 through
 * Windows Installer, and the replace actions are left out. {@code InuseProbe} (immediate, 1399) logs the runtime and hands
 * {@code InuseProbeDeferred} (deferred, no impersonation, 4003) its CustomActionData; the broker
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
                "INSERT INTO `InstallExecuteSequence` (`Action`, `Condition`, `Sequence`) VALUES ('InuseProbeDeferred', " + condition + ", 4003)",
                // the broker scenarios test the broker and the engine's protocol, not the replacement: Windows
                // Installer itself installs the DLL into System32 again, and the replacement's actions are left out
                "INSERT INTO `Directory` (`Directory`, `Directory_Parent`, `DefaultDir`) VALUES ('System64Folder', 'TARGETDIR', '.')",
                "UPDATE `Component` SET `Directory_`='System64Folder' WHERE `Component`='TargetDll'",
                "DELETE FROM `InstallExecuteSequence` WHERE `Action`='InuseReplaceRollback'",
                "DELETE FROM `InstallExecuteSequence` WHERE `Action`='InuseReplace'",
                "DELETE FROM `InstallExecuteSequence` WHERE `Action`='InuseRebootCheck'",
                "DELETE FROM `CustomAction` WHERE `Action`='InuseReplaceRollback'",
                "DELETE FROM `CustomAction` WHERE `Action`='InuseReplace'",
                "DELETE FROM `CustomAction` WHERE `Action`='InuseRebootCheck'"));
        return new PackageBuilder.Result(msi, shipped.payload(), shipped.productVersion());
    }
}
