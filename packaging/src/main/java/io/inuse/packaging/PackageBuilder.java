package io.inuse.packaging;

import io.inuse.pe.FileVersion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Builds one MSI: the payload (the demo MAPI32.DLL from src/payload, or the user's DLL), checked
 * with the PE reader; wix/product.wxs through wixl and msibuild; then the package's facts.
 * Used by the Maven build and by the Wine tests, which build several versions.
 */
public final class PackageBuilder {
    /** What a build produced. {@code productVersion} is ${revision} as given. */
    public record Result(Path msi, Payload payload, String productVersion) {
        /** The ProductCode of this version, as the Property table has it (with braces). */
        public String productCode() {
            return MsiBuild.productCode(productVersion);
        }
    }

    private final Toolchain tools;
    private final Path repo;

    public PackageBuilder(Toolchain tools, Path repo) {
        this.tools = tools;
        this.repo = repo;
    }

    public Result build(String revision, Optional<Path> userPayload, Path outDir) {
        FileVersion version = parseRevision(revision);
        prepareOutputFolder(outDir);
        Path dll = userPayload.orElseGet(() ->
                DemoPayload.build(tools, repo.resolve("src/payload"), version, outDir.resolve("native-" + revision)));
        Payload payload = Payload.inspect(dll);
        Path msi = outDir.resolve("inuse-mapi32-" + revision + "-x64.msi");
        new MsiBuild(tools).build(repo.resolve("wix/product.wxs"), revision, payload, msi);
        new PackageVerifier(tools).checkFacts(msi, revision, payload);
        return new Result(msi, payload, revision);
    }

    static FileVersion parseRevision(String revision) {
        try {
            return FileVersion.parse(revision);
        } catch (IllegalArgumentException e) {
            throw new BuildException("-Drevision=" + revision + " cannot be a Windows Installer version: " + e.getMessage()
                    + ". Build with -Drevision=MAJOR.MINOR.BUILD, for example -Drevision=1.2.3", e);
        }
    }

    static void prepareOutputFolder(Path outDir) {
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new BuildException("output folder " + outDir + " cannot be used: a file of that name is in the way. Remove it and build again.");
        }
        try {
            Files.createDirectories(outDir);
            Path probe = Files.createTempFile(outDir, ".write-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new BuildException("output folder " + outDir + " is not writable (" + e + "). "
                    + "Make it writable for the build user, or remove what blocks it, and build again.", e);
        }
    }
}
