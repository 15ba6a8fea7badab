package io.inuse.packaging.wine;

import io.inuse.packaging.PackageBuilder;
import io.inuse.packaging.Toolchain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * A test-only copy of a shipped package whose install fails right after the replace action: one
 * more deferred action, {@code InuseTestFail} (4003, after InuseReplace at 4002), fails when the
 * script reaches it, so Windows Installer rolls the install back and runs InuseReplaceRollback.
 * 1043 = 19 (show an error and fail) + 1024 (deferred): Wine runs it in the script, which is all
 * this test needs (Windows documents type 19 as immediate only; there a deferred DLL action
 * returning 1603 does the same). Measured: Wine's deferred type 34 ({@code cmd /c exit 1}) ended
 * with "Return value 1", its exit code unread, so it could not serve.
 */
final class FailingPackage {
    private FailingPackage() {
    }

    static PackageBuilder.Result of(Toolchain tools, PackageBuilder.Result shipped, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        Path msi = outDir.resolve(shipped.msi().getFileName().toString().replace(".msi", "-fails-after-replace.msi"));
        Files.copy(shipped.msi(), msi, StandardCopyOption.REPLACE_EXISTING);
        tools.run(outDir, Toolchain.MSIBUILD, List.of(msi.toString(), "-q",
                "INSERT INTO `CustomAction` (`Action`, `Type`, `Source`, `Target`) VALUES ('InuseTestFail', 1043, '',"
                        + " 'inuse test: this install fails on purpose after the replace action')",
                "INSERT INTO `InstallExecuteSequence` (`Action`, `Condition`, `Sequence`) VALUES ('InuseTestFail', 'NOT REMOVE~=\"ALL\"', 4003)"));
        return new PackageBuilder.Result(msi, shipped.payload(), shipped.productVersion());
    }
}
