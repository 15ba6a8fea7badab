package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo package built with a throw-away certificate, as {@code mvn package -Dinuse.sign.certificate=...}
 * builds it: the MSI, the broker in its Binary table and the payload in its cabinet each verify
 * with osslsigncode, the signed package still matches the goldens, and the signed broker still
 * carries its engine pak. No Wine: osslsigncode, msiinfo and msiextract only.
 */
class SignedPackageIT {
    private static final Path REPO = Path.of(System.getProperty("inuse.repo", "..")).toAbsolutePath().normalize();
    private static final Path TARGET = Path.of(System.getProperty("inuse.target", "target")).toAbsolutePath();
    private static final String REVISION = System.getProperty("inuse.revision", "1.1.0");
    private static final Path ENGINE_JAR = Path.of(System.getProperty("inuse.engineJar",
            "../installer/target/inuse-installer-" + REVISION + ".jar")).toAbsolutePath();

    @TempDir
    Path dir;

    @Test
    void everyFileTheBuildMakesIsSignedAndThePackageStillMatchesTheGoldens() throws Exception {
        Path p12 = SigningFixtures.certificate(dir.resolve("signer.p12"), "code");
        Path pem = SigningFixtures.pem(p12, "code", dir.resolve("signer.pem"));
        Signing signing = SigningFixtures.signing(p12, SigningFixtures.passwordFile(dir.resolve("password"), SigningFixtures.PASSWORD), "");
        Path out = TARGET.resolve("signed-package");
        PackageBuilder.Result result = new PackageBuilder(new Toolchain(), REPO, Optional.of(signing))
                .build(PackageBuilder.Spec.of(REVISION, Optional.empty(), ENGINE_JAR, Optional.empty()), out);

        assertVerifies(result.msi(), pem, "the package");
        new PackageVerifier(new Toolchain()).compareWithGoldens(result.msi(), REPO.resolve("packaging/golden"), REVISION,
                result.payload(), false);

        Path broker = Files.write(dir.resolve("inuse-broker.dll"), new PackageVerifier(new Toolchain()).binary(result.msi(), "InuseBroker"));
        assertVerifies(broker, pem, "the broker in Binary.InuseBroker");
        List<String> pak = EnginePak.inBrokerDll(Files.readAllBytes(broker)).stream().map(EnginePak.Entry::name).toList();
        assertEquals(List.of("engine/inuse-engine.jar", "engine/inuse-targets.jar"), pak);

        Path extracted = Files.createDirectories(dir.resolve("extracted"));
        SigningFixtures.Run run = SigningFixtures.run(List.of("msiextract", "-C", extracted.toString(), result.msi().toString()));
        assertEquals(0, run.exit(), run.output());
        try (Stream<Path> files = Files.walk(extracted)) {
            List<Path> dlls = files.filter(p -> p.getFileName().toString().equals(DemoPayload.FILE_NAME)).toList();
            assertEquals(1, dlls.size(), "the payload in the cabinet: " + dlls);
            assertVerifies(dlls.get(0), pem, "the payload in the cabinet");
            // the File table describes the signed file (its size grew by the certificate table)
            assertEquals(Files.size(dlls.get(0)), result.payload().size());
            Path[] exe = Files.walk(extracted).filter(p -> p.getFileName().toString().equals(Launcher.EXE)).toArray(Path[]::new);
            assertEquals(1, exe.length, "the command line in the cabinet");
            assertVerifies(exe[0], pem, "the command line inuse.exe in the cabinet");
        }
    }

    private static void assertVerifies(Path file, Path pem, String what) throws Exception {
        SigningFixtures.Run verdict = SigningFixtures.verify(file, pem);
        assertEquals(0, verdict.exit(), what + " does not verify:\n" + verdict.output());
        assertTrue(verdict.output().contains("Text description: inuse MAPI32 replacement"), verdict.output());
    }
}
