package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.PeInfo;
import io.inuse.pe.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Build runs: {@link BuildPackage#build} with the signing configured first, as the plugin's goal runs them, given each
 * input it refuses, written as the -D options of this repository's own build (the goal's MsiMojoTerms puts them in its
 * parameter names). Every refusal comes before any tool runs, as one line.
 */
class BuildPackageTest {
    @TempDir
    Path dir;
    private Path engineJar;

    @BeforeEach
    void engineJar() throws Exception {
        engineJar = Files.write(dir.resolve("inuse-installer.jar"), new byte[] {'P', 'K', 3, 4});
    }

    /** A build's arguments (as the demo's: no payload, no runtime, goldens), with these replaced or added. */
    private String refusal(String... overrides) {
        List<String> args = new ArrayList<>(List.of("--repo=" + dir, "--out=" + dir.resolve("target"), "--revision=1.1.0",
                "--payload=", "--engine-jar=" + engineJar, "--runtime-image=", "--golden=" + dir.resolve("golden"),
                "--update-golden=false"));
        for (String override : overrides) {
            String name = override.substring(0, override.indexOf('=') + 1);
            args.removeIf(a -> a.startsWith(name));
            args.add(override);
        }
        String message = assertThrows(BuildException.class, () -> build(args)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        // no tool ran: nothing at all was written under the output folder (a compiled payload, a broker, an MSI)
        if (Files.exists(dir.resolve("target"))) {
            try (java.util.stream.Stream<Path> written = Files.walk(dir.resolve("target"))) {
                assertEquals(List.of(), written.filter(Files::isRegularFile).toList(), "no tool ran");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return message;
    }

    /** What the goal does with its parameters, from {@code --name=value} arguments: signing configured, then the build. */
    private static void build(List<String> args) {
        java.util.Map<String, String> o = new java.util.HashMap<>();
        for (String arg : args) {
            o.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
        }
        Toolchain tools = new Toolchain();
        java.util.Optional<Signing> signing = Signing.configure(tools, new Signing.Options(path(o, "sign-certificate"),
                path(o, "sign-password-file"), o.getOrDefault("sign-timestamp-url", ""), o.getOrDefault("sign-payload", "")), null);
        String revision = o.get("revision");
        Revision.parse(revision);
        BuildPackage.build(tools, new BuildPackage.Options(Path.of(o.get("repo")), Path.of(o.get("out")), revision, path(o, "payload"),
                Path.of(o.get("engine-jar")), path(o, "runtime-image"), path(o, "golden"), false, signing, java.util.Optional.empty(),
                PackageBuilder.Place.SYSTEM, List.of(), PackageBuilder.Product.DERIVED), line -> { });
    }

    private static java.util.Optional<Path> path(java.util.Map<String, String> o, String name) {
        String value = o.getOrDefault(name, "");
        return value.isBlank() ? java.util.Optional.empty() : java.util.Optional.of(Path.of(value).toAbsolutePath());
    }

    @Test
    void anEmptyRevisionIsRefused() {
        assertEquals("-Drevision is empty: the product version must be given. Build with -Drevision=MAJOR.MINOR.BUILD,"
                + " for example -Drevision=1.2.3", refusal("--revision="));
        assertTrue(refusal("--revision= ").startsWith("-Drevision is empty"));
    }

    @Test
    void aRevisionWindowsInstallerRefusesIsRefused() {
        assertTrue(refusal("--revision=01.2.3").startsWith("-Drevision=01.2.3 cannot be a Windows Installer version: the major"
                + " version '01' has a leading zero"));
        assertTrue(refusal("--revision=256.0.0").startsWith("-Drevision=256.0.0 cannot be a Windows Installer version: the major"
                + " version 256 is above 255"));
        assertTrue(refusal("--revision=1.300.0").startsWith("-Drevision=1.300.0 cannot be a Windows Installer version: the minor"
                + " version 300 is above 255"));
        assertTrue(refusal("--revision=1.2-SNAPSHOT").startsWith("-Drevision=1.2-SNAPSHOT cannot be a Windows Installer version"));
    }

    @Test
    void aPayloadWithANonAsciiFileNameIsRefused() throws Exception {
        Path payload = Files.write(Files.createDirectories(dir.resolve("pâyload")).resolve("MAPİ32.DLL"), new TestImages().build());
        assertTrue(refusal("--payload=" + payload).startsWith("payload " + payload + " has the non-ASCII character 'İ' (U+0130)"
                + " in its file name: wixl 0.101 writes a code-page-neutral package"));
    }

    @Test
    void aRuntimeImageTheBrokerWouldRefuseIsRefused() throws Exception {
        Path image = Files.createDirectories(dir.resolve("jre11/bin")).getParent();
        TestImages exe = new TestImages();
        exe.dll = false;
        Files.write(image.resolve("bin/java.exe"), exe.build());
        Files.writeString(image.resolve("release"), "JAVA_VERSION=\"11.0.2\"\n");
        assertTrue(refusal("--runtime-image=" + image).startsWith("runtime image " + image
                + " is Java 11.0.2 (its release file); the engine needs Java 17 or later: give -Dinuse.runtimeImage"));

        exe.machine = PeInfo.MACHINE_I386;
        Files.write(image.resolve("bin/java.exe"), exe.build());
        Files.writeString(image.resolve("release"), "JAVA_VERSION=\"17.0.9\"\n");
        assertTrue(refusal("--runtime-image=" + image).startsWith("runtime image " + image
                + ": bin/java.exe is built for x86, not x64"));

        Files.delete(image.resolve("bin/java.exe"));
        assertTrue(refusal("--runtime-image=" + image).startsWith("runtime image " + image + " has no bin/java.exe"));
    }

    @Test
    void signingOptionsTheBuildCannotUseAreRefusedBeforeAnythingIsBuilt() throws Exception {
        Path absent = dir.resolve("absent.pfx");
        assertTrue(refusal("--sign-certificate=" + absent).startsWith("-Dinuse.sign.certificate=" + absent + ": no such file."));
        Path p12 = SigningFixtures.certificate(dir.resolve("signer.p12"), "code", "-keyalg", "EC", "-groupname", "secp256r1");
        Path wrong = SigningFixtures.passwordFile(dir.resolve("wrong.txt"), "not-the-password");
        assertEquals("the password for -Dinuse.sign.certificate=" + p12 + " is wrong (it came from -Dinuse.sign.passwordFile="
                + wrong + "): give the password that file was exported with",
                refusal("--sign-certificate=" + p12, "--sign-password-file=" + wrong));
        Path right = SigningFixtures.passwordFile(dir.resolve("right.txt"), SigningFixtures.PASSWORD);
        assertTrue(refusal("--sign-certificate=" + p12, "--sign-password-file=" + right, "--sign-timestamp-url=ldap://tsa")
                .startsWith("-Dinuse.sign.timestampUrl=ldap://tsa is not an http or https URL"));
        assertTrue(refusal("--sign-payload=true").startsWith("-Dinuse.sign.payload=true is given but -Dinuse.sign.certificate is not"));
    }
}
