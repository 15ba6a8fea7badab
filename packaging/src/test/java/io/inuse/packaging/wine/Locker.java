package io.inuse.packaging.wine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Windows process that holds a DLL loaded ({@code wintest lock}), as the mail-aware services of
 * KB Q148272 do, until {@link #close()} creates its stop file.
 */
final class Locker implements AutoCloseable {
    private final Process process;
    private final Path output;
    private final Path stopFile;
    final String loadedLine;

    private Locker(Process process, Path output, Path stopFile, String loadedLine) {
        this.process = process;
        this.output = output;
        this.stopFile = stopFile;
        this.loadedLine = loadedLine;
    }

    static Locker start(WinePrefix wine, Path wintest, String dll, Path workDir) throws IOException, InterruptedException {
        Path output = workDir.resolve("locker.out");
        Path stopFile = workDir.resolve("locker.stop");
        Files.deleteIfExists(stopFile);
        Process process = wine.processBuilder(List.of("wine", wintest.toString(), "lock", dll, WinePrefix.windowsPath(stopFile)))
                .redirectOutput(output.toFile()).start();
        for (int i = 0; i < 300; i++) {
            String text = Files.readString(output).replace("\r", "");
            for (String line : text.lines().toList()) {
                if (line.startsWith("loaded ")) {
                    return new Locker(process, output, stopFile, line);
                }
                if (line.contains("failed")) {
                    throw new IOException("locker could not load " + dll + ": " + line);
                }
            }
            Thread.sleep(100);
        }
        process.destroyForcibly();
        throw new IOException("locker did not report loading " + dll + " within 30 s: " + Files.readString(output));
    }

    /** Whether the locking process still runs (nothing ended it, no reboot happened). */
    boolean running() {
        return process.isAlive();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Files.writeString(stopFile, "stop");
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("locker did not stop within 30 s");
        }
        List<String> lines = Files.readAllLines(output);
        if (lines.stream().noneMatch(l -> l.startsWith("released"))) {
            throw new IOException("locker ended without releasing the DLL: " + lines);
        }
    }
}
