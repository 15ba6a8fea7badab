package io.inuse.packaging;

import static io.inuse.packaging.SigningFixtures.PASSWORD;
import static io.inuse.packaging.SigningFixtures.SUBJECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signing options the build refuses, each with one line naming the file or value and what to do,
 * before anything is built or signed. The certificates are throw-away EC ones (quick to make).
 */
class SigningInputTest {
    private static final String UNSIGNED = ", or drop the -Dinuse.sign.* options to build unsigned";

    @TempDir
    static Path shared;
    @TempDir
    Path dir;
    /** A good code-signing certificate, password {@link SigningFixtures#PASSWORD}. */
    private static Path signer;

    @BeforeAll
    static void goodCertificate() throws Exception {
        signer = SigningFixtures.certificate(shared.resolve("signer.p12"), "code", "-keyalg", "EC", "-groupname", "secp256r1");
    }

    private Path certificate(String name, String... extra) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("-keyalg", "EC", "-groupname", "secp256r1"));
        args.addAll(List.of(extra));
        return SigningFixtures.certificate(dir.resolve(name), "code", args.toArray(String[]::new));
    }

    private Path password(String text) throws Exception {
        return SigningFixtures.passwordFile(dir.resolve("password-" + text.hashCode()), text);
    }

    private static Optional<Signing> configure(Toolchain tools, Path certificate, Path passwordFile, String timestamp,
            String payload, String variable) {
        return Signing.configure(tools, new Signing.Options(Optional.ofNullable(certificate), Optional.ofNullable(passwordFile),
                timestamp, payload), variable);
    }

    private static String refusal(Path certificate, Path passwordFile, String timestamp, String payload, String variable) {
        BuildException e = assertThrows(BuildException.class,
                () -> configure(new Toolchain(), certificate, passwordFile, timestamp, payload, variable));
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        assertEquals(null, e.getCause(), "no cause: Maven would append its message to the line");
        return e.getMessage();
    }

    @Test
    void noCertificateMeansNoSigning() {
        assertEquals(Optional.empty(), configure(new Toolchain(), null, null, "", "false", "set but unused"));
        assertEquals(Optional.empty(), configure(new Toolchain(), null, null, " ", "", null));
    }

    @Test
    void aGoodCertificateWithItsPasswordFromAFileOrTheEnvironment() throws Exception {
        Path p12 = signer;
        Signing fromFile = configure(new Toolchain(), p12, password(PASSWORD), "", "true", "ignored when a file is given").orElseThrow();
        assertEquals(SUBJECT, fromFile.subject());
        assertTrue(fromFile.signsUserPayload());
        assertTrue(fromFile.summary().startsWith("inuse: signing with " + SUBJECT + " from " + p12 + " (valid until "), fromFile.summary());
        assertTrue(fromFile.summary().contains("signatures are not timestamped (no -Dinuse.sign.timestampUrl): they stop verifying"
                + " when the certificate expires on "), fromFile.summary());
        Signing fromVariable = configure(new Toolchain(), p12, null, "https://tsa.example.test/ts", "", PASSWORD).orElseThrow();
        assertFalse(fromVariable.signsUserPayload());
        assertTrue(fromVariable.summary().endsWith("; signatures timestamped by https://tsa.example.test/ts"), fromVariable.summary());
    }

    @Test
    void aMissingCertificateIsRefused() {
        Path absent = dir.resolve("absent.pfx");
        assertEquals("-Dinuse.sign.certificate=" + absent + ": no such file. Give the path of the PKCS#12 file (.pfx or .p12)"
                + " that holds the code-signing key and certificate" + UNSIGNED, refusal(absent, null, "", "", PASSWORD));
    }

    @Test
    void aWrongPasswordIsRefusedNamingWhereItCameFrom() throws Exception {
        Path p12 = signer;
        Path wrong = password("not-the-password");
        assertEquals("the password for -Dinuse.sign.certificate=" + p12 + " is wrong (it came from -Dinuse.sign.passwordFile="
                + wrong + "): give the password that file was exported with", refusal(p12, wrong, "", "", null));
        assertEquals("the password for -Dinuse.sign.certificate=" + p12 + " is wrong (it came from the environment variable"
                + " INUSE_SIGN_PASSWORD): give the password that file was exported with", refusal(p12, null, "", "", "wrong"));
    }

    @Test
    void aCertificateWithoutAnyPasswordIsRefused() throws Exception {
        Path p12 = signer;
        assertEquals("-Dinuse.sign.certificate=" + p12 + " needs its password: give -Dinuse.sign.passwordFile=FILE (a file only"
                + " you can read, holding the password) or set the environment variable INUSE_SIGN_PASSWORD; never put the"
                + " password itself on a command line", refusal(p12, null, "", "", null));
        Path absent = dir.resolve("no-password-file");
        assertTrue(refusal(p12, absent, "", "", null).startsWith("-Dinuse.sign.passwordFile=" + absent + " cannot be read ("));
    }

    @Test
    void aFileThatIsNotPkcs12IsRefused() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.pfx"), "not a certificate");
        String export = ": export the code-signing certificate with its private key as PKCS#12 (.pfx or .p12)" + UNSIGNED;
        assertEquals("-Dinuse.sign.certificate=" + text + " is not a PKCS#12 file (it does not start with a DER sequence)" + export,
                refusal(text, password(PASSWORD), "", "", null));
        Path pem = SigningFixtures.pem(signer, "code", dir.resolve("signer.pem"));
        assertTrue(refusal(pem, password(PASSWORD), "", "", null).startsWith("-Dinuse.sign.certificate=" + pem + " is not a PKCS#12 file"));
        Path empty = Files.write(dir.resolve("empty.p12"), new byte[0]);
        assertTrue(refusal(empty, password(PASSWORD), "", "", null).startsWith("-Dinuse.sign.certificate=" + empty + " is not a PKCS#12 file"));
        Path truncated = dir.resolve("truncated.p12");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(signer), 300));
        assertTrue(refusal(truncated, password(PASSWORD), "", "", null).startsWith("-Dinuse.sign.certificate=" + truncated
                + " is not a PKCS#12 file that Java can read ("));

        Path jks = dir.resolve("signer.jks");
        SigningFixtures.keytool(List.of("-genkeypair", "-storetype", "JKS", "-keystore", jks.toString(), "-storepass", PASSWORD,
                "-keypass", PASSWORD, "-alias", "code", "-dname", SUBJECT, "-keyalg", "EC", "-groupname", "secp256r1"));
        assertEquals("-Dinuse.sign.certificate=" + jks + " is a Java keystore (JKS or JCEKS), not PKCS#12: convert it with keytool"
                + " -importkeystore -srckeystore " + jks + " -destkeystore NEW.p12 -deststoretype PKCS12" + UNSIGNED,
                refusal(jks, password(PASSWORD), "", "", null));
    }

    @Test
    void aCertificateWindowsWouldNotAcceptForCodeSigningIsRefused() throws Exception {
        Path expired = certificate("expired.p12", "-startdate", "-3d", "-validity", "1");
        String who = "the certificate in -Dinuse.sign.certificate=" + expired + " (" + SUBJECT + ")";
        String message = refusal(expired, password(PASSWORD), "", "", null);
        assertTrue(message.startsWith(who + " expired on "), message);
        assertTrue(message.endsWith(": signatures made with it do not verify. Renew the code-signing certificate" + UNSIGNED), message);

        Path future = certificate("future.p12", "-startdate", "+2d");
        assertTrue(refusal(future, password(PASSWORD), "", "", null).contains(" is valid only from "));

        Path server = certificate("server.p12", "-ext", "EKU=serverAuth");
        assertEquals("the certificate in -Dinuse.sign.certificate=" + server + " (" + SUBJECT + ") is not for code signing: its"
                + " extended key usage lists 1.3.6.1.5.5.7.3.1 but not codeSigning (1.3.6.1.5.5.7.3.3), and Windows rejects"
                + " Authenticode signatures made with it. Use a code-signing certificate" + UNSIGNED,
                refusal(server, password(PASSWORD), "", "", null));

        Path encipher = certificate("encipher.p12", "-ext", "KU=keyEncipherment");
        assertTrue(refusal(encipher, password(PASSWORD), "", "", null).contains("does not allow digital signatures"));
    }

    @Test
    void aFileWithTwoKeysOrNoneIsRefused() throws Exception {
        Path two = certificate("two.p12");
        SigningFixtures.certificate(two, "other", "-keyalg", "EC", "-groupname", "secp256r1");
        assertEquals("-Dinuse.sign.certificate=" + two + " holds 2 private keys (code, other): osslsigncode would take one of them;"
                + " export the code-signing key alone into a PKCS#12 file" + UNSIGNED, refusal(two, password(PASSWORD), "", "", null));

        Path pem = SigningFixtures.pem(signer, "code", dir.resolve("signer.pem"));
        Path certificatesOnly = dir.resolve("certificates-only.p12");
        SigningFixtures.keytool(List.of("-importcert", "-noprompt", "-storetype", "PKCS12", "-keystore", certificatesOnly.toString(),
                "-storepass", PASSWORD, "-alias", "ca", "-file", pem.toString()));
        assertTrue(refusal(certificatesOnly, password(PASSWORD), "", "", null).startsWith("-Dinuse.sign.certificate="
                + certificatesOnly + " holds no private key, only certificates: export"));
    }

    @Test
    void aTimestampUrlThatIsNotHttpIsRefused() throws Exception {
        Path p12 = signer;
        for (String bad : List.of("ftp://tsa.example.test/", "tsa.example.test", "http://", "http:// spaces/", "file:///tmp/tsa")) {
            String message = refusal(p12, password(PASSWORD), bad, "", null);
            assertTrue(message.startsWith("-Dinuse.sign.timestampUrl=" + bad + " is not an http or https URL: give the RFC 3161"
                    + " time-stamp server's URL that your certificate authority names, or drop the option to sign without a"
                    + " timestamp"), message);
        }
    }

    @Test
    void signingOptionsWithoutACertificateAreRefused() throws Exception {
        String tail = " is given but -Dinuse.sign.certificate is not: give the PKCS#12 file to sign with" + UNSIGNED;
        assertEquals("-Dinuse.sign.passwordFile" + tail, refusal(null, password(PASSWORD), "", "", null));
        assertEquals("-Dinuse.sign.timestampUrl" + tail, refusal(null, null, "http://tsa.example.test/", "", null));
        assertEquals("-Dinuse.sign.payload=true" + tail, refusal(null, null, "", "true", null));
        assertEquals("-Dinuse.sign.payload=yes is neither true nor false: give true to sign a payload given with -Dinuse.payload,"
                + " or false (the default)", refusal(null, null, "", "yes", null));
    }

    @Test
    void signingWithoutOsslsigncodeNamesItsDebianPackage() throws Exception {
        Path p12 = signer;
        BuildException e = assertThrows(BuildException.class,
                () -> configure(new Toolchain(dir.toString()), p12, password(PASSWORD), "", "", null));
        assertEquals("osslsigncode was not found on the PATH. Install the toolchain with 'packaging/install-toolchain.sh'"
                + " (Debian package osslsigncode), or name it with -Dinuse.tool.osslsigncode=/path/to/osslsigncode", e.getMessage());
    }
}
