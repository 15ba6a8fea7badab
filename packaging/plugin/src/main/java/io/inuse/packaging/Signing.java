package io.inuse.packaging;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Optional Authenticode signing of what the build produces (the demo payload, the broker, the MSI;
 * a payload the build did not make only when asked). Off unless the build is given a certificate:
 * a PKCS#12 file (.pfx, .p12) holding the code-signing key and its certificate. The file and its
 * password are checked here with Java's own PKCS#12 reader before any tool runs, so a missing file,
 * a file of another kind, a wrong password or an expired certificate stops the build with one line.
 *
 * <p>The password never goes on a command line (every user of the machine can read another's
 * argv): osslsigncode reads it from a file only the build user can read, written just before the
 * run and deleted just after ({@link #runSigningTool}).
 *
 * <p>Its BuildExceptions carry no cause: Maven appends a cause's message to the line it prints
 * (a wrong password would end in "BadPaddingException: Given final block not properly padded").
 */
public final class Signing {
    /** The environment variable holding the certificate's password when no password file is given. */
    public static final String PASSWORD_VARIABLE = "INUSE_SIGN_PASSWORD";
    private static final String CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
    private static final String ANY_EXTENDED_USAGE = "2.5.29.37.0";
    private static final int KEY_USAGE_DIGITAL_SIGNATURE = 0;
    private static final String UNSIGNED_HINT = ", or drop the -Dinuse.sign.* options to build unsigned";
    private static final String EXPORT_HINT = ": export the code-signing certificate with its private key as PKCS#12 (.pfx or .p12)"
            + UNSIGNED_HINT;

    /**
     * The -Dinuse.sign.* options as the build got them. {@code certificate} and {@code passwordFile}
     * are empty when not given; {@code timestampUrl} and {@code payload} are the text given ("" for none).
     */
    public record Options(Optional<Path> certificate, Optional<Path> passwordFile, String timestampUrl, String payload) {
    }

    private final Toolchain tools;
    private final Path certificate;
    private final String password;
    private final Optional<URI> timestamp;
    private final boolean signUserPayload;
    private final X509Certificate signer;

    private Signing(Toolchain tools, Path certificate, String password, Optional<URI> timestamp, boolean signUserPayload,
            X509Certificate signer) {
        this.tools = tools;
        this.certificate = certificate;
        this.password = password;
        this.timestamp = timestamp;
        this.signUserPayload = signUserPayload;
        this.signer = signer;
    }

    /**
     * The signing the options ask for: none without a certificate; otherwise the certificate checked
     * (readable PKCS#12, right password, one private key, a code-signing certificate valid today),
     * the timestamp URL checked, and osslsigncode found. {@code passwordVariable} is the value of
     * {@value #PASSWORD_VARIABLE} (null when unset), used when no password file is given.
     */
    public static Optional<Signing> configure(Toolchain tools, Options options, String passwordVariable) {
        boolean signUserPayload = flag(options.payload());
        if (options.certificate().isEmpty()) {
            String orphan = options.passwordFile().isPresent() ? "-Dinuse.sign.passwordFile"
                    : !options.timestampUrl().isBlank() ? "-Dinuse.sign.timestampUrl"
                    : signUserPayload ? "-Dinuse.sign.payload=true" : null;
            if (orphan != null) {
                throw new BuildException(orphan + " is given but -Dinuse.sign.certificate is not: give the PKCS#12 file to sign with"
                        + UNSIGNED_HINT);
            }
            return Optional.empty();
        }
        Path certificate = options.certificate().get();
        Optional<URI> timestamp = timestampUrl(options.timestampUrl());
        checkFormat(certificate);
        String password = password(certificate, options.passwordFile(), passwordVariable);
        X509Certificate signer = signer(certificate, password, options.passwordFile().map(p -> "-Dinuse.sign.passwordFile=" + p)
                .orElse("the environment variable " + PASSWORD_VARIABLE));
        tools.find(Toolchain.OSSLSIGNCODE);
        return Optional.of(new Signing(tools, certificate, password, timestamp, signUserPayload, signer));
    }

    /** Whether a payload the build did not make (-Dinuse.payload) is signed too (-Dinuse.sign.payload=true). */
    public boolean signsUserPayload() {
        return signUserPayload;
    }

    /** The signer's subject, as RFC 2253 writes it (CN=...). */
    public String subject() {
        return signer.getSubjectX500Principal().getName();
    }

    /** The line the build prints once: who signs, until when, and whether the signatures are timestamped. */
    public String summary() {
        LocalDate until = LocalDate.ofInstant(signer.getNotAfter().toInstant(), ZoneOffset.UTC);
        return "inuse: signing with " + subject() + " from " + certificate + " (valid until " + until + "); "
                + timestamp.map(url -> "signatures timestamped by " + url)
                        .orElse("signatures are not timestamped (no -Dinuse.sign.timestampUrl): they stop verifying when the certificate expires on " + until);
    }

    /**
     * Signs one file the build produced (a PE DLL or EXE, or an MSI) in place, with {@code description}
     * as the signature's program name (what Windows shows in its prompts), prints one line saying so
     * and returns it. Any file the build makes is signed through here: one call after the file is
     * built, before it goes into the package.
     */
    public String sign(Path file, String description) {
        Path signed = file.resolveSibling(file.getFileName() + ".signed");
        Path passwordFile = writePasswordFile();
        try {
            Files.deleteIfExists(signed);
            runSigningTool(file, signed, description, passwordFile);
            Files.move(signed, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new BuildException("cannot replace " + file + " by its signed copy " + signed + ": " + e.getMessage());
        } finally {
            delete(passwordFile);
            delete(signed);
        }
        String line = "inuse: signed " + file + " (" + subject() + ", SHA-256, "
                + timestamp.map(url -> "timestamped by " + url).orElse("not timestamped") + ")";
        System.out.println(line);
        return line;
    }

    /**
     * Signs a copy of a payload the build did not make, in {@code outDir} under the same file name
     * (the name makes the product), and returns the copy: the user's file is never changed. A payload
     * that carries a signature already is refused: signing it again would replace that signature.
     */
    public Path signCopy(Path payload, Path outDir, String description) {
        Path copy = outDir.resolve(payload.getFileName());
        try {
            if (carriesSignature(Files.readAllBytes(payload))) {
                throw new BuildException("payload " + payload + " is Authenticode-signed already: -Dinuse.sign.payload=true would"
                        + " replace its signature. Drop -Dinuse.sign.payload to ship it with its own signature");
            }
            Files.createDirectories(outDir);
            Files.copy(payload, copy, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new BuildException("cannot copy the payload " + payload + " to " + copy + " for signing: " + e.getMessage());
        }
        sign(copy, description);
        return copy;
    }

    /**
     * The one call of the signing tool: {@code in} signed into {@code out}. Here osslsigncode
     * (Debian's, 2.5 or later), which signs PE files and MSI packages alike. A Windows build host
     * would run signtool at this seam instead (signtool sign /fd SHA256 /f cert.pfx, and /tr URL
     * /td SHA256 for the timestamp); signtool takes a password only on its command line (/p), so
     * there the certificate belongs in the user's certificate store, chosen by /sha1 thumbprint.
     * signtool is not run by this build.
     */
    private void runSigningTool(Path in, Path out, String description, Path passwordFile) {
        List<String> args = new ArrayList<>(List.of("sign", "-pkcs12", certificate.toString(),
                "-readpass", passwordFile.toString(), "-h", "sha256", "-n", description));
        timestamp.ifPresent(url -> args.addAll(List.of("-ts", url.toString())));
        args.addAll(List.of("-in", in.toString(), "-out", out.toString()));
        tools.run(in.toAbsolutePath().getParent(), Toolchain.OSSLSIGNCODE, args);
    }

    /** The password in a new file only the build user can read and write (0600 where the file system has POSIX modes). */
    private Path writePasswordFile() {
        try {
            Path file = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
                    ? Files.createTempFile("inuse-sign", ".pass", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile("inuse-sign", ".pass");
            Files.writeString(file, password, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new BuildException("cannot write the signing password's temporary file in " + System.getProperty("java.io.tmpdir")
                    + ": " + e.getMessage() + ". Make the temporary folder writable");
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new BuildException("cannot delete " + file + ": " + e.getMessage() + ". Delete it by hand");
        }
    }

    private static boolean flag(String value) {
        String text = value == null ? "" : value.strip();
        if (text.isEmpty() || text.equals("false")) {
            return false;
        }
        if (text.equals("true")) {
            return true;
        }
        throw new BuildException("-Dinuse.sign.payload=" + value + " is neither true nor false: give true to sign a payload"
                + " given with -Dinuse.payload, or false (the default)");
    }

    private static Optional<URI> timestampUrl(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String hint = "-Dinuse.sign.timestampUrl=" + value + " is not an http or https URL: give the RFC 3161 time-stamp"
                + " server's URL that your certificate authority names, or drop the option to sign without a timestamp";
        try {
            URI uri = new URI(value.strip());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new BuildException(hint);
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw new BuildException(hint + " (" + e.getMessage() + ")");
        }
    }

    private static String password(Path certificate, Optional<Path> passwordFile, String passwordVariable) {
        if (passwordFile.isPresent()) {
            Path file = passwordFile.get();
            try {
                // the file's last line break is not part of the password (echo writes one)
                return Files.readString(file, StandardCharsets.UTF_8).replaceFirst("\\r?\\n\\z", "");
            } catch (IOException e) {
                throw new BuildException("-Dinuse.sign.passwordFile=" + file + " cannot be read (" + e
                        + "): give a file that holds the certificate's password" + UNSIGNED_HINT);
            }
        }
        if (passwordVariable != null) {
            return passwordVariable;
        }
        throw new BuildException("-Dinuse.sign.certificate=" + certificate + " needs its password: give -Dinuse.sign.passwordFile=FILE"
                + " (a file only you can read, holding the password) or set the environment variable " + PASSWORD_VARIABLE
                + "; never put the password itself on a command line");
    }

    /** A PKCS#12 file is a DER sequence; a Java keystore starts with its own magic number. */
    private static void checkFormat(Path file) {
        String named = "-Dinuse.sign.certificate=" + file;
        try (InputStream in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            if (head.length == 4 && ((head[0] & 0xFF) == 0xFE || (head[0] & 0xFF) == 0xCE)) {
                throw new BuildException(named + " is a Java keystore (JKS or JCEKS), not PKCS#12: convert it with keytool"
                        + " -importkeystore -srckeystore " + file + " -destkeystore NEW.p12 -deststoretype PKCS12" + UNSIGNED_HINT);
            }
            if (head.length == 0 || head[0] != 0x30) {
                throw new BuildException(named + " is not a PKCS#12 file (it does not start with a DER sequence)" + EXPORT_HINT);
            }
        } catch (NoSuchFileException e) {
            throw new BuildException(named + ": no such file. Give the path of the PKCS#12 file (.pfx or .p12) that holds the"
                    + " code-signing key and certificate" + UNSIGNED_HINT);
        } catch (IOException e) {
            throw new BuildException(named + " cannot be read (" + e + "): make it readable for the build user" + UNSIGNED_HINT);
        }
    }

    /** The certificate of the one private key in a PKCS#12 file, after every check this build can make before signing. */
    static X509Certificate signer(Path file, String password, String passwordSource) {
        String named = "-Dinuse.sign.certificate=" + file;
        KeyStore store;
        try (InputStream in = Files.newInputStream(file)) {
            store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw wrongPassword(named, passwordSource);
            }
            throw new BuildException(named + " is not a PKCS#12 file that Java can read (" + e + ")" + EXPORT_HINT);
        } catch (GeneralSecurityException e) {
            throw new BuildException(named + " is not a PKCS#12 file that Java can read (" + e + ")" + EXPORT_HINT);
        }
        return keyCertificate(store, named, password, passwordSource);
    }

    private static X509Certificate keyCertificate(KeyStore store, String named, String password, String passwordSource) {
        try {
            List<String> keys = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keys.add(alias);
                }
            }
            if (keys.isEmpty()) {
                throw new BuildException(named + " holds no private key, only certificates" + EXPORT_HINT);
            }
            if (keys.size() > 1) {
                throw new BuildException(named + " holds " + keys.size() + " private keys (" + String.join(", ", keys)
                        + "): osslsigncode would take one of them; export the code-signing key alone into a PKCS#12 file" + UNSIGNED_HINT);
            }
            try {
                store.getKey(keys.get(0), password.toCharArray());
            } catch (UnrecoverableKeyException e) {
                throw wrongPassword(named, passwordSource);
            }
            Certificate certificate = store.getCertificate(keys.get(0));
            if (!(certificate instanceof X509Certificate x509)) {
                throw new BuildException(named + " holds a private key without an X.509 certificate" + EXPORT_HINT);
            }
            checkUsable(x509, named);
            return x509;
        } catch (GeneralSecurityException e) {
            throw new BuildException(named + " cannot be read as PKCS#12 (" + e + ")" + EXPORT_HINT);
        }
    }

    /** No cause attached: Maven would append its message ("keystore password was incorrect: ... BadPaddingException") to the line. */
    private static BuildException wrongPassword(String named, String passwordSource) {
        return new BuildException("the password for " + named + " is wrong (it came from " + passwordSource
                + "): give the password that file was exported with");
    }

    /** A certificate Windows would not accept for Authenticode today is refused before anything is signed. */
    static void checkUsable(X509Certificate certificate, String named) throws java.security.cert.CertificateParsingException {
        String who = "the certificate in " + named + " (" + certificate.getSubjectX500Principal().getName() + ")";
        try {
            certificate.checkValidity();
        } catch (CertificateExpiredException e) {
            throw new BuildException(who + " expired on " + certificate.getNotAfter().toInstant()
                    + ": signatures made with it do not verify. Renew the code-signing certificate" + UNSIGNED_HINT);
        } catch (CertificateNotYetValidException e) {
            throw new BuildException(who + " is valid only from " + certificate.getNotBefore().toInstant()
                    + ": sign after that, or check this machine's clock" + UNSIGNED_HINT);
        }
        List<String> usages = certificate.getExtendedKeyUsage();
        if (usages != null && !usages.contains(CODE_SIGNING) && !usages.contains(ANY_EXTENDED_USAGE)) {
            throw new BuildException(who + " is not for code signing: its extended key usage lists " + String.join(", ", usages)
                    + " but not codeSigning (" + CODE_SIGNING + "), and Windows rejects Authenticode signatures made with it."
                    + " Use a code-signing certificate" + UNSIGNED_HINT);
        }
        boolean[] keyUsage = certificate.getKeyUsage();
        if (keyUsage != null && !keyUsage[KEY_USAGE_DIGITAL_SIGNATURE]) {
            throw new BuildException(who + " does not allow digital signatures (its key usage lacks digitalSignature)."
                    + " Use a code-signing certificate" + UNSIGNED_HINT);
        }
    }

    /**
     * Whether a PE file has a certificate table (IMAGE_DIRECTORY_ENTRY_SECURITY, data directory 4,
     * with a non-zero size: PE format, "Optional Header Data Directories"). A file too short to
     * have one has none; the payload was checked as a PE file before.
     */
    static boolean carriesSignature(byte[] pe) {
        ByteBuffer in = ByteBuffer.wrap(pe).order(ByteOrder.LITTLE_ENDIAN);
        if (pe.length < 0x40) {
            return false;
        }
        long optionalHeader = Integer.toUnsignedLong(in.getInt(0x3C)) + 24;
        if (optionalHeader + 2 > pe.length) {
            return false;
        }
        boolean pe32Plus = in.getShort((int) optionalHeader) == 0x20B;
        long countAt = optionalHeader + (pe32Plus ? 108 : 92);
        long securityAt = optionalHeader + (pe32Plus ? 112 : 96) + 4 * 8;
        if (securityAt + 8 > pe.length || Integer.toUnsignedLong(in.getInt((int) countAt)) <= 4) {
            return false;
        }
        return in.getInt((int) securityAt + 4) != 0;
    }
}
