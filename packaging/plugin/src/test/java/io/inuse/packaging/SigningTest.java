package io.inuse.packaging;

import static io.inuse.packaging.SigningFixtures.PASSWORD;
import static io.inuse.packaging.SigningFixtures.SUBJECT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.FileVersion;
import io.inuse.pe.PeReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Authenticode signing with a throw-away certificate: a DLL the way the build makes one and a small
 * MSI are signed with osslsigncode and verified by it; a byte changed after signing fails the
 * verification; timestamps come from a time-stamp authority on loopback.
 */
class SigningTest {
    private static final Path REPO = Path.of(System.getProperty("inuse.repo", "..")).toAbsolutePath().normalize();
    private static final FileVersion VERSION = new FileVersion(1, 2, 3, 0);

    @TempDir
    static Path shared;
    @TempDir
    Path dir;

    private static Path certificate;
    private static Path caPem;
    private static Path passwordFile;
    private static Path dll;
    private static Path msi;

    @BeforeAll
    static void throwAwayCertificateDllAndMsi() throws Exception {
        certificate = SigningFixtures.certificate(shared.resolve("signer.p12"), "code");
        caPem = SigningFixtures.pem(certificate, "code", shared.resolve("signer.pem"));
        passwordFile = SigningFixtures.passwordFile(shared.resolve("password.txt"), PASSWORD);
        dll = DemoPayload.build(new Toolchain(), REPO.resolve("src/payload"), VERSION, shared.resolve("native"));
        Path wxs = Files.writeString(shared.resolve("tiny.wxs"), String.join("\n",
                "<?xml version='1.0' encoding='utf-8'?>",
                "<Wix xmlns='http://schemas.microsoft.com/wix/2006/wi'>",
                "  <Product Id='*' Name='inuse signing test' Language='1033' Version='1.2.3' Manufacturer='inuse'",
                "           UpgradeCode='6c1d1a5e-5a4b-4f7e-9d1c-3e2f1a0b9c8d'>",
                "    <Package InstallerVersion='500' Compressed='yes' InstallScope='perMachine'/>",
                "    <Directory Id='TARGETDIR' Name='SourceDir'/>",
                "    <Feature Id='Main' Level='1'/>",
                "  </Product>",
                "</Wix>", ""));
        msi = shared.resolve("tiny.msi");
        new Toolchain().run(shared, Toolchain.WIXL, List.of("-o", msi.toString(), wxs.toString()));
    }

    private Path copy(Path file) throws Exception {
        return Files.copy(file, dir.resolve(file.getFileName()));
    }

    @Test
    void aSignedDllVerifiesAndKeepsEveryByteButTheChecksumAndTheCertificateTableEntry() throws Exception {
        Path signed = copy(dll);
        byte[] before = Files.readAllBytes(signed);
        assertNotEquals(0, SigningFixtures.verify(signed, caPem).exit(), "an unsigned DLL does not verify");

        String line = SigningFixtures.signing(certificate, passwordFile, "").sign(signed, "inuse signing test");

        assertEquals("inuse: signed " + signed + " (" + SUBJECT + ", SHA-256, not timestamped)", line);
        SigningFixtures.Run verdict = SigningFixtures.verify(signed, caPem);
        assertEquals(0, verdict.exit(), verdict.output());
        assertTrue(verdict.output().contains("Signature verification: ok"), verdict.output());
        assertTrue(verdict.output().contains("Text description: inuse signing test"), verdict.output());
        assertTrue(verdict.output().contains("Timestamp is not available"), verdict.output());
        // the certificate table is appended after the last section: the sections, the resources among them
        // (the broker finds its INUSE_PAK with FindResourceW), are the bytes they were
        byte[] after = Files.readAllBytes(signed);
        int optionalHeader = ByteBuffer.wrap(before).order(ByteOrder.LITTLE_ENDIAN).getInt(0x3C) + 24;
        int checksum = optionalHeader + 64;
        int securityEntry = optionalHeader + 112 + 4 * 8;
        for (int at = 0; at < before.length; at++) {
            boolean header = (at >= checksum && at < checksum + 4) || (at >= securityEntry && at < securityEntry + 8);
            if (!header && before[at] != after[at]) {
                throw new AssertionError("signing changed byte 0x" + Integer.toHexString(at) + " of the DLL");
            }
        }
        assertTrue(Signing.carriesSignature(after));
        assertFalse(Signing.carriesSignature(before));
        assertEquals(VERSION, PeReader.read(signed.toString(), after).fileVersion().orElseThrow());
    }

    @Test
    void aByteChangedInTheCodeOfASignedDllFailsVerification() throws Exception {
        Path signed = copy(dll);
        SigningFixtures.signing(certificate, passwordFile, "").sign(signed, "inuse signing test");
        assertEquals(0, SigningFixtures.verify(signed, caPem).exit());
        byte[] bytes = Files.readAllBytes(signed);
        int at = textSection(bytes) + 16;
        bytes[at] ^= (byte) 0xFF;
        Files.write(signed, bytes);
        SigningFixtures.Run verdict = SigningFixtures.verify(signed, caPem);
        assertNotEquals(0, verdict.exit(), verdict.output());
        assertTrue(verdict.output().contains("MISMATCH"), verdict.output());
    }

    @Test
    void aSignedMsiVerifiesAndFailsOnceATableChanges() throws Exception {
        Path signed = copy(msi);
        String line = SigningFixtures.signing(certificate, passwordFile, "").sign(signed, "inuse signing test");
        assertEquals("inuse: signed " + signed + " (" + SUBJECT + ", SHA-256, not timestamped)", line);
        SigningFixtures.Run verdict = SigningFixtures.verify(signed, caPem);
        assertEquals(0, verdict.exit(), verdict.output());
        String streams = SigningFixtures.run(List.of("msiinfo", "streams", signed.toString())).output();
        assertTrue(streams.lines().anyMatch(s -> s.equals("\u0005DigitalSignature")), streams);

        new Toolchain().run(dir, Toolchain.MSIBUILD, List.of(signed.toString(), "-q",
                "INSERT INTO `Property` (`Property`, `Value`) VALUES ('TAMPERED', '1')"));
        verdict = SigningFixtures.verify(signed, caPem);
        assertNotEquals(0, verdict.exit(), verdict.output());
        assertTrue(verdict.output().contains("MISMATCH"), verdict.output());
    }

    @Test
    void aTimestampComesFromTheConfiguredAuthority() throws Exception {
        try (SigningFixtures.TimestampAuthority tsa = new SigningFixtures.TimestampAuthority(dir.resolve("tsa"))) {
            Path signed = copy(dll);
            String line = SigningFixtures.signing(certificate, passwordFile, tsa.url()).sign(signed, "inuse signing test");
            assertEquals("inuse: signed " + signed + " (" + SUBJECT + ", SHA-256, timestamped by " + tsa.url() + ")", line);
            assertEquals(1, tsa.answered());
            SigningFixtures.Run verdict = SigningFixtures.verify(signed, caPem, "-TSA-CAfile", tsa.certificate.toString());
            assertEquals(0, verdict.exit(), verdict.output());
            assertTrue(verdict.output().contains("Timestamp Server Signature verification: ok"), verdict.output());
            assertTrue(verdict.output().contains("/CN=inuse throw-away TSA"), verdict.output());
        }
    }

    @Test
    void anUnreachableTimestampServerFailsTheBuildAndLeavesTheFileAsItWas() throws Exception {
        Path file = copy(dll);
        byte[] before = Files.readAllBytes(file);
        String url;
        try (java.net.ServerSocket gone = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            url = "http://127.0.0.1:" + gone.getLocalPort() + "/";
        }
        Signing signing = SigningFixtures.signing(certificate, passwordFile, url);
        BuildException e = assertThrows(BuildException.class, () -> signing.sign(file, "inuse signing test"));
        assertTrue(e.getMessage().startsWith("osslsigncode failed with exit code "), e.getMessage());
        assertTrue(e.getMessage().contains(" -ts " + url + " "), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertFalse(Files.exists(dir.resolve(file.getFileName() + ".signed")));
    }

    @Test
    void thePasswordReachesOsslsigncodeInAFileOnlyTheBuildUserCanReadNeverOnItsCommandLine() throws Exception {
        Path log = dir.resolve("log");
        Path fake = Files.writeString(dir.resolve("fake-osslsigncode"), String.join("\n", "#!/bin/sh",
                "printf '%s\\n' \"$@\" > '" + log + ".argv'",
                "while [ $# -gt 0 ]; do case \"$1\" in",
                "  -readpass) stat -c %a \"$2\" > '" + log + ".mode'; cat \"$2\" > '" + log + ".password'; echo \"$2\" > '" + log + ".path';;",
                "  -in) in=\"$2\";; -out) out=\"$2\";;",
                "esac; shift; done",
                "cp \"$in\" \"$out\"", ""));
        Files.setPosixFilePermissions(fake, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        System.setProperty("inuse.tool.osslsigncode", fake.toString());
        try {
            Path file = copy(dll);
            SigningFixtures.signing(certificate, passwordFile, "https://tsa.invalid/rfc3161").sign(file, "the description");
            List<String> argv = Files.readAllLines(Path.of(log + ".argv"));
            assertFalse(argv.stream().anyMatch(a -> a.contains(PASSWORD)), argv.toString());
            Path passFile = Path.of(Files.readString(Path.of(log + ".path")).strip());
            assertEquals(List.of("sign", "-pkcs12", certificate.toString(), "-readpass", passFile.toString(), "-h", "sha256",
                    "-n", "the description", "-ts", "https://tsa.invalid/rfc3161", "-in", file.toString(), "-out", file + ".signed"), argv);
            assertEquals("600", Files.readString(Path.of(log + ".mode")).strip());
            // the password exactly, without the password file's line break
            assertEquals(PASSWORD, Files.readString(Path.of(log + ".password")));
            assertFalse(Files.exists(passFile), "the password's file is deleted after the run");
        } finally {
            System.clearProperty("inuse.tool.osslsigncode");
        }
    }

    @Test
    void aPayloadSignedAlreadyIsNotSignedAgain() throws Exception {
        Path vendor = copy(dll);
        Signing signing = SigningFixtures.signing(certificate, passwordFile, "");
        signing.sign(vendor, "the vendor's own signature");
        byte[] before = Files.readAllBytes(vendor);
        BuildException e = assertThrows(BuildException.class, () -> signing.signCopy(vendor, dir.resolve("signed"), "x"));
        assertEquals("payload " + vendor + " is Authenticode-signed already: -Dinuse.sign.payload=true would replace its"
                + " signature. Drop -Dinuse.sign.payload to ship it with its own signature", e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(vendor));
        assertFalse(Files.exists(dir.resolve("signed").resolve(vendor.getFileName())));
    }

    @Test
    void aPayloadTheBuildDidNotMakeIsSignedOnlyWhenAsked() throws Exception {
        Path user = copy(dll);
        byte[] before = Files.readAllBytes(user);
        Signing notAsked = SigningFixtures.signing(certificate, passwordFile, "");
        assertEquals(user, new PackageBuilder(new Toolchain(), REPO, Optional.of(notAsked)).userPayload(user, dir.resolve("signed"), "Example Mail MAPI update"));
        assertFalse(Files.exists(dir.resolve("signed")));

        Signing asked = Signing.configure(new Toolchain(), new Signing.Options(Optional.of(certificate), Optional.of(passwordFile),
                "", "true"), null).orElseThrow();
        Path signed = new PackageBuilder(new Toolchain(), REPO, Optional.of(asked)).userPayload(user, dir.resolve("signed"), "Example Mail MAPI update");
        assertEquals(dir.resolve("signed").resolve(user.getFileName()), signed);
        SigningFixtures.Run verified = SigningFixtures.verify(signed, caPem);
        assertEquals(0, verified.exit());
        assertTrue(verified.output().contains("Example Mail MAPI update"), "the product's name as the description: " + verified.output());
        assertArrayEquals(before, Files.readAllBytes(user), "the user's file is left as it was");
    }

    /** The file offset of the .text section's raw data (PE format: section table after the optional header). */
    private static int textSection(byte[] pe) {
        ByteBuffer in = ByteBuffer.wrap(pe).order(ByteOrder.LITTLE_ENDIAN);
        int coff = in.getInt(0x3C) + 4;
        int sections = Short.toUnsignedInt(in.getShort(coff + 2));
        int table = coff + 20 + Short.toUnsignedInt(in.getShort(coff + 16));
        for (int i = 0; i < sections; i++) {
            int header = table + 40 * i;
            String name = new String(Arrays.copyOfRange(pe, header, header + 8), StandardCharsets.US_ASCII).replace("\0", "");
            if (name.equals(".text")) {
                return in.getInt(header + 20);
            }
        }
        throw new AssertionError("no .text section");
    }
}
