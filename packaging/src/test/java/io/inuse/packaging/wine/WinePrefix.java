package io.inuse.packaging.wine;

import io.inuse.pe.FileVersion;
import io.inuse.pe.PeReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Wine prefix, the machine of one end-to-end scenario: runs Windows programs in it, reads its
 * files and registry, and simulates a reboot (WINE-TESTBED.md). Every scenario's prefix is a copy
 * of one clean prefix made per test run ({@link #createClean}).
 *
 * <p>The prefix's wineserver is started persistent: without that, any Wine command issued after
 * the server exited (a few seconds after the last process) would start a new session, which runs
 * the pending file renames, a reboot nobody asked for. Reboots happen only in {@link #reboot()}.
 */
final class WinePrefix implements AutoCloseable {
    static final String SESSION_MANAGER = "System\\CurrentControlSet\\Control\\Session Manager";
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    private final Path prefix;
    private final Path wintest;
    private final Map<String, String> environment = new java.util.TreeMap<>();
    private int lastExitStatus;

    private WinePrefix(Path prefix, Path wintest) {
        this.prefix = prefix;
        this.wintest = wintest;
    }

    /** Makes a clean prefix (wineboot --init) with the mapi32 override, so the payload is really loaded. */
    static void createClean(Path prefix) throws IOException, InterruptedException {
        deleteTree(prefix);
        Files.createDirectories(prefix.getParent());
        WinePrefix wine = new WinePrefix(prefix, null);
        wine.execChecked(List.of("wineboot", "--init"));
        wine.execChecked(List.of("wineserver", "-w"));
        // Wine prefers its built-in mapi32 even over a file loaded by full path: make it load ours
        wine.wine("reg", "add", "HKCU\\Software\\Wine\\DllOverrides", "/v", "mapi32", "/d", "native,builtin", "/f");
        wine.execChecked(List.of("wineserver", "-w"));
    }

    /** A fresh copy of the clean prefix for one scenario, its wineserver started. */
    static WinePrefix copyOf(Path clean, Path prefix, Path wintest) throws IOException, InterruptedException {
        deleteTree(prefix);
        Files.createDirectories(prefix.getParent());
        WinePrefix copy = new WinePrefix(prefix, wintest);
        copy.execChecked(List.of("cp", "-a", clean.toString(), prefix.toString()));
        copy.execChecked(List.of("wineserver", "-p"));
        return copy;
    }

    Path root() {
        return prefix;
    }

    /** Like {@link #exec}, and a non-zero exit status is an error. */
    String execChecked(List<String> command) throws IOException, InterruptedException {
        String out = exec(command);
        if (lastExitStatus != 0) {
            throw new IOException("exit status " + lastExitStatus + " from " + command + ": " + out);
        }
        return out;
    }

    /**
     * Runs a command with this prefix's Wine environment and returns its output (CR removed); its
     * exit status is in {@link #lastExitStatus} (cut to 8 bits by wine: read msiexec's with {@link #msiexec}).
     */
    String exec(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = processBuilder(command);
        Path output = Files.createTempFile("wine", ".out");
        try {
            Process process = builder.redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("timed out after " + TIMEOUT + ": " + command);
            }
            lastExitStatus = process.exitValue();
            return Files.readString(output, StandardCharsets.UTF_8).replace("\r", "");
        } finally {
            Files.delete(output);
        }
    }

    /**
     * A process builder for a command in this prefix's Wine environment, stderr merged, run under
     * {@code setarch -R}: no address-space randomization for it and every Wine process it starts
     * (the personality is inherited). Linux 6.18 puts a static program's heap (brk) anywhere in the
     * 1 GiB above it, and Wine 8's preloader sits at 0x7d000000: about once in 1,000 starts the heap
     * lands on the shared user data (0x7ffe0000), the new process dies before it runs ("failed to
     * map the shared user data: c0000018") and its creator's CreateProcessW fails with
     * ERROR_INTERNAL_ERROR (1359): the broker starting the engine, msiexec starting the nested
     * uninstall of RemoveExistingProducts. Unrandomized, the heap follows the preloader.
     */
    ProcessBuilder processBuilder(List<String> command) {
        List<String> unrandomized = new ArrayList<>(List.of("setarch", "-R"));
        unrandomized.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(unrandomized).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("WINEPREFIX", prefix.toString());
        env.put("WINEARCH", "win64");
        env.put("WINEDEBUG", "-all");
        env.put("WINEDLLOVERRIDES", "mscoree,mshtml=");
        env.remove("DISPLAY");
        env.putAll(environment);
        return builder;
    }

    /** Sets an environment variable for every later command in this prefix (msiexec inherits it). */
    void setEnvironment(String name, String value) {
        environment.put(name, value);
    }

    String wine(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wine"));
        command.addAll(List.of(args));
        return exec(command);
    }

    /** msiexec with the full 32-bit exit code (wine's own exit status is cut to 8 bits). */
    int msiexec(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wine", wintest.toString(), "run", "msiexec"));
        command.addAll(List.of(args));
        String out = exec(command);
        return out.lines().filter(l -> l.startsWith("EXITCODE=")).findFirst()
                .map(l -> Integer.parseInt(l.substring("EXITCODE=".length())))
                .orElseThrow(() -> new IOException("msiexec printed no exit code: " + out));
    }

    /** {@code msiexec <action> <msi> /qn /l*v <log> <properties>}: the full exit code. */
    int msiexecLogged(String action, Path msi, Path log, String... properties) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(action, windowsPath(msi), "/qn", "/l*v", windowsPath(log)));
        args.addAll(List.of(properties));
        return msiexec(args.toArray(String[]::new));
    }

    /** An MSI log. Wine writes it in the ANSI code page: read byte for byte, compare ASCII text. */
    static String readLog(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.ISO_8859_1);
    }

    String wintest(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("wine", wintest.toString()));
        command.addAll(List.of(args));
        return exec(command);
    }

    /** The strings of PendingFileRenameOperations, or empty when the value does not exist. */
    Optional<List<String>> pendingFileRenameOperations() throws IOException, InterruptedException {
        List<String> lines = wintest("multisz", SESSION_MANAGER, "PendingFileRenameOperations").lines().toList();
        if (lines.equals(List.of("absent"))) {
            return Optional.empty();
        }
        if (lines.isEmpty() || !lines.get(0).startsWith("count=")) {
            throw new IOException("cannot read PendingFileRenameOperations: " + lines);
        }
        List<String> strings = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            strings.add(line.substring(line.indexOf("]=") + 2));
        }
        return Optional.of(strings);
    }

    /** A value of HKLM as {@code type=N hex=...} (its exact bytes), or {@code absent}. */
    String rawValue(String subkey, String name) throws IOException, InterruptedException {
        String answer = wintest("rawvalue", subkey, name).strip();
        if (!answer.equals("absent") && !answer.startsWith("type=")) {
            throw new IOException("cannot read HKLM\\" + subkey + "\\" + name + ": " + answer);
        }
        return answer;
    }

    /** Writes a value of HKLM with exactly these bytes and this type. */
    void setRawValue(String subkey, String name, int type, byte[] bytes) throws IOException, InterruptedException {
        StringBuilder hex = new StringBuilder();
        for (byte b : bytes) {
            hex.append(String.format("%02x", b & 0xff));
        }
        String answer = wintest("setraw", subkey, name, String.valueOf(type), hex.toString()).strip();
        if (!answer.equals("setraw ok")) {
            throw new IOException("cannot write HKLM\\" + subkey + "\\" + name + ": " + answer);
        }
    }

    /**
     * Makes drive {@code letter} report DRIVE_REMOTE ({@code GetDriveTypeW}), as a mapped network drive does:
     * Wine reads the type from {@code HKLM\Software\Wine\Drives} when its server starts.
     */
    void driveTypeNetwork(char letter) throws IOException, InterruptedException {
        exec(List.of("wineserver", "-k"));
        execChecked(List.of("wineserver", "-w"));
        Files.writeString(prefix.resolve("system.reg"), "\n[Software\\\\Wine\\\\Drives] " + System.currentTimeMillis() / 1000
                + "\n\"" + Character.toLowerCase(letter) + ":\"=\"network\"\n", java.nio.file.StandardOpenOption.APPEND);
        execChecked(List.of("wineserver", "-p"));
    }

    /** Whether Windows Installer has the product registered (its Uninstall key exists). */
    boolean isRegistered(String productCode) throws IOException, InterruptedException {
        String out = wine("reg", "query", "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\" + productCode);
        return out.contains(productCode);
    }

    Path system32() {
        return prefix.resolve("drive_c/windows/system32");
    }

    /** A file in a folder, looked up without regard to case (Windows names, Linux file system). */
    static Optional<Path> findIgnoringCase(Path dir, String name) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().equalsIgnoreCase(name)).findFirst();
        }
    }

    /** The FileVersion of a file in System32, read with the product's PE reader; empty when absent. */
    Optional<FileVersion> system32Version(String name) throws IOException {
        Optional<Path> file = findIgnoringCase(system32(), name);
        return file.isEmpty() ? Optional.empty() : versionOf(file.get());
    }

    /** The FileVersion of a file, read with the product's PE reader; empty when absent. */
    static Optional<FileVersion> versionOf(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(PeReader.read(file.toString(), Files.readAllBytes(file)).fileVersion()
                .orElseThrow(() -> new IOException(file + " has no version resource")));
    }

    /** Stops every process of the prefix, then starts a new session: wineboot performs the pending renames. */
    void reboot() throws IOException, InterruptedException {
        exec(List.of("wineserver", "-k"));
        execChecked(List.of("wineserver", "-w"));
        execChecked(List.of("wineserver", "-p"));
        wine("cmd", "/c", "exit 0");
    }

    /** A Windows path for a Linux path, through Wine's Z: drive. */
    static String windowsPath(Path path) {
        return "Z:" + path.toAbsolutePath().toString().replace('/', '\\');
    }

    @Override
    public void close() throws IOException, InterruptedException {
        exec(List.of("wineserver", "-k"));
        exec(List.of("wineserver", "-w"));
    }

    static void deleteTree(Path dir) throws IOException, InterruptedException {
        if (Files.exists(dir)) {
            // rm, not a Java walk: a prefix holds symbolic links (dosdevices) that must not be followed
            Process rm = new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start();
            if (rm.waitFor() != 0) {
                throw new IOException("cannot delete " + dir);
            }
        }
    }
}
