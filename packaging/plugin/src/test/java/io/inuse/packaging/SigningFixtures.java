package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the signing tests share: throw-away certificates made with the running JDK's keytool,
 * osslsigncode's verdict on a signed file, and a time-stamp authority of their own on loopback.
 */
final class SigningFixtures {
    static final String PASSWORD = "throw-away-password";
    static final String SUBJECT = "CN=inuse throw-away test";

    private SigningFixtures() {
    }

    /**
     * A self-signed code-signing certificate with its RSA key in a new PKCS#12 file, password
     * {@link #PASSWORD}; {@code extra} keytool options replace or add to the defaults
     * (a -startdate, another -ext EKU, -keyalg EC for speed).
     */
    static Path certificate(Path file, String alias, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("-genkeypair", "-storetype", "PKCS12", "-keystore", file.toString(),
                "-storepass", PASSWORD, "-alias", alias, "-dname", SUBJECT, "-validity", "2"));
        List<String> extras = List.of(extra);
        if (!extras.contains("-keyalg")) {
            args.addAll(List.of("-keyalg", "RSA", "-keysize", "2048"));
        }
        if (!extras.contains("-ext")) {
            args.addAll(List.of("-ext", "EKU=codeSigning", "-ext", "KU=digitalSignature"));
        }
        args.addAll(extras);
        keytool(args);
        return file;
    }

    /** The certificate of {@code alias} in PEM, for osslsigncode verify -CAfile (a self-signed certificate is its own root). */
    static Path pem(Path pkcs12, String alias, Path pem) throws Exception {
        keytool(List.of("-exportcert", "-rfc", "-keystore", pkcs12.toString(), "-storepass", PASSWORD, "-alias", alias,
                "-file", pem.toString()));
        return pem;
    }

    static void keytool(List<String> args) throws Exception {
        // a short-lived JVM: no optimising compiler, the smallest collector (half the start-up time)
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC"));
        command.addAll(args);
        Run run = run(command);
        assertEquals(0, run.exit(), "keytool " + args + ":\n" + run.output());
    }

    static Path passwordFile(Path file, String password) throws IOException {
        return Files.writeString(file, password + "\n");
    }

    /** The signing the build sets up for these options, the password from a file. */
    static Signing signing(Path certificate, Path passwordFile, String timestampUrl) {
        return Signing.configure(new Toolchain(), new Signing.Options(Optional.of(certificate), Optional.of(passwordFile),
                timestampUrl, "false"), null).orElseThrow();
    }

    /** What a command printed (stdout and stderr) and its exit code. */
    record Run(int exit, String output) {
    }

    static Run run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not finish in 60 s: " + command);
        }
        return new Run(process.exitValue(), output);
    }

    /** osslsigncode verify of a signed PE file or MSI against the certificate (PEM) it must chain to. */
    static Run verify(Path file, Path caPem, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("osslsigncode", "verify", "-CAfile", caPem.toString()));
        command.addAll(List.of(extra));
        command.addAll(List.of("-in", file.toString()));
        return run(command);
    }

    /**
     * An RFC 3161 time-stamp authority on loopback: an HTTP server that answers each time-stamp query
     * with {@code openssl ts -reply}, signed by a certificate of its own (critical EKU timeStamping).
     */
    static final class TimestampAuthority implements AutoCloseable {
        private final Path dir;
        private final HttpServer server;
        private final AtomicInteger answered = new AtomicInteger();
        final Path certificate;

        TimestampAuthority(Path dir) throws Exception {
            this.dir = Files.createDirectories(dir);
            certificate = dir.resolve("tsa.pem");
            Run made = run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", dir.resolve("tsa.key").toString(),
                    "-out", certificate.toString(), "-days", "2", "-subj", "/CN=inuse throw-away TSA",
                    "-addext", "extendedKeyUsage=critical,timeStamping", "-addext", "keyUsage=critical,digitalSignature"));
            assertEquals(0, made.exit(), made.output());
            Files.writeString(dir.resolve("tsa.cnf"), String.join("\n", "[ tsa ]", "default_tsa = inuse_tsa", "[ inuse_tsa ]",
                    "serial = " + dir.resolve("serial"), "signer_digest = sha256", "default_policy = 1.2.3.4.1",
                    "digests = sha256, sha1", "accuracy = secs:1", "ess_cert_id_chain = no", ""));
            Files.writeString(dir.resolve("serial"), "01\n");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                byte[] reply;
                int status = 200;
                try {
                    reply = reply(exchange.getRequestBody().readAllBytes());
                } catch (Exception e) {
                    reply = e.toString().getBytes(StandardCharsets.UTF_8);
                    status = 500;
                }
                exchange.getResponseHeaders().add("Content-Type", "application/timestamp-reply");
                exchange.sendResponseHeaders(status, reply.length);
                exchange.getResponseBody().write(reply);
                exchange.close();
            });
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        }

        int answered() {
            return answered.get();
        }

        private synchronized byte[] reply(byte[] query) throws Exception {
            Path queryFile = Files.write(dir.resolve("query.tsq"), query);
            Path replyFile = dir.resolve("reply.tsr");
            Files.deleteIfExists(replyFile);
            Run run = run(List.of("openssl", "ts", "-reply", "-config", dir.resolve("tsa.cnf").toString(), "-queryfile",
                    queryFile.toString(), "-signer", certificate.toString(), "-inkey", dir.resolve("tsa.key").toString(),
                    "-out", replyFile.toString()));
            if (run.exit() != 0 || !Files.isRegularFile(replyFile)) {
                throw new IOException("openssl ts -reply failed: " + run.output());
            }
            answered.incrementAndGet();
            return Files.readAllBytes(replyFile);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
