package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The broker's frame decoder ({@code src/broker/protocol.c}) under its fuzz harness
 * ({@code src/testtools/framefuzz.c}): at least 100,000 generated and mutated frames through
 * {@code frame_read}, in a native Linux build with AddressSanitizer, UndefinedBehaviorSanitizer
 * and LeakSanitizer, each checked against a reference decoder and a counting allocator. It needs
 * gcc and libc6-dev (packaging/install-toolchain.sh installs them); without them the test fails,
 * it is never skipped.
 */
class BrokerDecoderFuzzTest {
    private static final Path REPO = Path.of(System.getProperty("inuse.repo", "..")).toAbsolutePath().normalize();
    private static final Path WORK = Path.of(System.getProperty("inuse.target", "target")).toAbsolutePath().resolve("framefuzz");
    private static final Pattern SUMMARY = Pattern.compile(
            "(?m)^framefuzz: frames=(\\d+) accepted=(\\d+) rejected=(\\d+) problems=0 time=\\S+ seed=\\d+$");

    @Test
    void theDecoderSurvivesAHundredThousandFuzzedFramesWithoutErrorLeakOrOverAllocation() throws Exception {
        Files.createDirectories(WORK);
        Path harness = WORK.resolve("framefuzz");
        compile(harness);

        Path output = WORK.resolve("framefuzz.out");
        ProcessBuilder builder = new ProcessBuilder(harness.toString()).directory(WORK.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // Sanitizer reports end the run with a non-zero exit code; leaks are checked at exit.
        builder.environment().put("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1");
        builder.environment().put("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
        Process process = builder.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly().waitFor();
            fail("framefuzz did not finish within 5 minutes (it takes seconds); its output so far:\n" + read(output));
        }
        String text = read(output);
        System.out.print(text);
        assertEquals(0, process.exitValue(), "framefuzz failed with exit code " + process.exitValue() + ":\n" + text);
        Matcher summary = SUMMARY.matcher(text);
        assertTrue(summary.find(), "framefuzz printed no summary line with problems=0:\n" + text);
        assertTrue(Long.parseLong(summary.group(1)) >= 100_000, "framefuzz ran fewer than 100,000 frames:\n" + text);
        assertTrue(Long.parseLong(summary.group(2)) > 0 && Long.parseLong(summary.group(3)) > 0,
                "framefuzz must see both accepted and rejected frames:\n" + text);
        assertTrue(text.contains("8 nested lists claiming the frame, one byte array: peak allocation")
                && text.contains("8 nested lists claiming the frame, nulls: peak allocation"),
                "framefuzz did not report the nested-claims frames:\n" + text);
    }

    /** Builds the harness with protocol.c, through the tool seam (-Dinuse.tool.gcc=... works). */
    private static void compile(Path harness) {
        List<String> args = List.of("-g", "-O1", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
                "-fno-sanitize-recover=all", "-Wall", "-Wextra", "-Werror",
                "-I", REPO.resolve("src/testtools/framefuzz-shim").toString(), "-I", REPO.resolve("src/broker").toString(),
                REPO.resolve("src/testtools/framefuzz.c").toString(), REPO.resolve("src/broker/protocol.c").toString(),
                "-o", harness.toString());
        Toolchain tools = new Toolchain();
        try {
            tools.find("gcc");
        } catch (BuildException e) {
            fail("the broker's fuzz harness needs a native gcc with its sanitizer runtimes and the C library headers,"
                    + " Debian packages gcc and libc6-dev (packaging/install-toolchain.sh installs them): " + e.getMessage(), e);
        }
        try {
            tools.run(WORK, "gcc", args);
        } catch (BuildException e) {
            fail("cannot build the broker's fuzz harness. Missing headers or libasan: Debian packages gcc and libc6-dev"
                    + " (packaging/install-toolchain.sh). A Windows name protocol.h or protocol.c now uses: declare it in"
                    + " src/testtools/framefuzz-shim/windows.h. " + e.getMessage(), e);
        }
    }

    private static String read(Path output) throws java.io.IOException {
        return Files.exists(output) ? Files.readString(output, StandardCharsets.UTF_8) : "(no output)";
    }
}
