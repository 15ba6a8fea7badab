package io.inuse.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The one seam through which the build finds and runs external tools (mingw-w64, wixl, msibuild,
 * msiinfo, gcab, osslsigncode). A tool is looked up on the search path, unless the system property
 * {@code inuse.tool.<name>} names its executable (tests inject fake tools that way). A missing
 * tool or a failing run is a {@link BuildException} that names the tool and how to get it.
 */
public final class Toolchain {
    public static final String GCC = "x86_64-w64-mingw32-gcc";
    public static final String WINDRES = "x86_64-w64-mingw32-windres";
    public static final String WIXL = "wixl";
    public static final String MSIBUILD = "msibuild";
    public static final String MSIINFO = "msiinfo";
    public static final String OSSLSIGNCODE = "osslsigncode";

    /** Debian package of each tool, for the message when it is missing. */
    private static final Map<String, String> PACKAGES = Map.of(
            GCC, "gcc-mingw-w64-x86-64",
            WINDRES, "binutils-mingw-w64-x86-64",
            WIXL, "wixl",
            MSIBUILD, "msitools",
            MSIINFO, "msitools",
            OSSLSIGNCODE, "osslsigncode",
            "gcab", "gcab",
            "wine", "wine");

    private static final long TIMEOUT_MINUTES = 5;
    /** How much of a failing tool's output a BuildException quotes: its last lines, where the error is. */
    static final int QUOTED_LINES = 40;

    private final String searchPath;

    public Toolchain() {
        this(System.getenv().getOrDefault("PATH", ""));
    }

    Toolchain(String searchPath) {
        this.searchPath = searchPath;
    }

    /** The executable of a tool, or a BuildException saying how to install it. */
    public Path find(String tool) {
        String override = System.getProperty("inuse.tool." + tool);
        if (override != null && !override.isBlank()) {
            Path path = Path.of(override);
            if (!Files.isExecutable(path)) {
                throw new BuildException("tool " + tool + ": -Dinuse.tool." + tool + "=" + override
                        + " is not an executable file; fix the path or drop the property to use the one on the PATH");
            }
            return path;
        }
        return lookup(tool).orElseThrow(() -> new BuildException(tool + " was not found on the PATH. "
                + "Install the toolchain with 'packaging/install-toolchain.sh' (Debian package "
                + PACKAGES.getOrDefault(tool, tool) + "), or name it with -Dinuse.tool." + tool + "=/path/to/" + tool));
    }

    private Optional<Path> lookup(String tool) {
        for (String dir : searchPath.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, tool);
                if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Runs a tool in a folder and returns what it printed (stdout and stderr together).
     * A non-zero exit or a run longer than five minutes is a BuildException that quotes the
     * command and the last {@value #QUOTED_LINES} lines the tool printed.
     *
     * <p>The tool gets CHARSET=UTF-8: GLib (wixl, msibuild, msiinfo) converts string arguments from
     * the locale's charset, which is ASCII because wixl never calls setlocale, so a non-ASCII
     * -D value (a payload folder such as /tmp/pâyload) failed with "Invalid byte sequence in
     * conversion input". GLib reads the charset from CHARSET before the locale.
     */
    public String run(Path workDir, String tool, List<String> args) {
        return new String(exec(workDir, tool, args, true), StandardCharsets.UTF_8);
    }

    /**
     * The same, for a tool whose output is data (msiinfo extract): its stdout's bytes alone; stderr is kept apart and
     * quoted when the tool fails.
     */
    public byte[] runForBytes(Path workDir, String tool, List<String> args) {
        return exec(workDir, tool, args, false);
    }

    private byte[] exec(Path workDir, String tool, List<String> args, boolean mergeErrors) {
        List<String> command = new ArrayList<>();
        command.add(find(tool).toString());
        command.addAll(args);
        Path output;
        Path errors = null;
        Process process;
        try {
            output = Files.createTempFile("inuse-" + tool, ".out");
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(mergeErrors)
                    .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            if (!mergeErrors) {
                errors = Files.createTempFile("inuse-" + tool, ".err");
                builder.redirectError(errors.toFile());
            }
            builder.environment().put("CHARSET", "UTF-8");
            process = builder.start();
        } catch (IOException e) {
            throw new BuildException("cannot start " + tool + " (" + command.get(0) + "): " + e.getMessage(), e);
        }
        Path said = errors == null ? output : errors;
        try {
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                throw new BuildException(tool + " did not finish within " + TIMEOUT_MINUTES + " minutes: " + String.join(" ", command)
                        + quote(tool, read(said)));
            }
            if (process.exitValue() != 0) {
                throw new BuildException(tool + " failed with exit code " + process.exitValue() + ": "
                        + String.join(" ", command) + quote(tool, read(said)));
            }
            return Files.readAllBytes(output);
        } catch (IOException e) {
            throw new BuildException("reading the output of " + tool + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new BuildException(tool + " was interrupted", e);
        } finally {
            output.toFile().delete();
            if (errors != null) {
                errors.toFile().delete();
            }
        }
    }

    private static String read(Path output) throws IOException {
        // a tool's output is not always UTF-8: never fail on it, replace what does not decode
        return new String(Files.readAllBytes(output), StandardCharsets.UTF_8);
    }

    /** The tool's own words for a failure message: its last lines, or a note that it printed nothing. */
    static String quote(String tool, String output) {
        List<String> lines = output.strip().lines().toList();
        if (lines.isEmpty()) {
            return System.lineSeparator() + tool + " printed nothing.";
        }
        int from = Math.max(0, lines.size() - QUOTED_LINES);
        String heading = from == 0 ? tool + " printed:" : tool + " printed " + lines.size() + " lines, the last " + QUOTED_LINES + ":";
        return System.lineSeparator() + heading + System.lineSeparator()
                + String.join(System.lineSeparator(), lines.subList(from, lines.size()));
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
