package io.inuse.packaging.wine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Windows service that holds a DLL loaded (src/testtools/servicelocker.c), the KB Q148272 case:
 * registered with the prefix's service control manager by {@code sc create} under a short name and
 * a display name, started by {@code sc start}; {@link #close()} stops it through the SCM
 * ({@code sc stop}), waits until it has released the DLL and is STOPPED, and deletes it
 * ({@code sc delete}).
 *
 * <p>The service's image is copied into the prefix, into a folder whose name has a space
 * ({@link #IMAGE}), so that the binPath is quoted as a real service's under Program Files is. The
 * service writes one line to a report file, replaced as a whole: "loaded pid=N path=..." once the
 * DLL is loaded and it has told the SCM it is running (so nothing is left to race: when the line is
 * there, the SCM lists the service with that process id), "released pid=N" when it has freed it.
 *
 * <p>Under Wine, services.exe starts an own-process service's executable as a process of its own
 * (CreateProcess of the binPath), so the service's process id in EnumServicesStatusEx is that
 * process's: the one the service reports.
 */
final class ServiceLocker implements AutoCloseable {
    /** Where the service's executable is put in the prefix, and the image path Windows reports for it. */
    static final String IMAGE = "C:\\Program Files\\inuse tests\\servicelocker.exe";
    private static final Pattern LOADED = Pattern.compile("loaded pid=([0-9]+) path=(.*)");
    private static final Pattern STATE = Pattern.compile("STATE\\s*:\\s*([0-9]+)");
    private static final int STOPPED = 1;

    private final WinePrefix wine;
    private final Path report;
    final String shortName;
    final String displayName;
    /** The report's "loaded pid=N path=..." line. */
    final String loadedLine;
    /** The process id of the service's process, from its report. */
    final long pid;
    private boolean closed;

    private ServiceLocker(WinePrefix wine, Path report, String shortName, String displayName, String loadedLine, long pid) {
        this.wine = wine;
        this.report = report;
        this.shortName = shortName;
        this.displayName = displayName;
        this.loadedLine = loadedLine;
        this.pid = pid;
    }

    /**
     * Creates and starts the service {@code shortName} ("displayName") that holds {@code dll}; returns
     * once it reported the DLL loaded. When it cannot be started, it is deleted again.
     */
    static ServiceLocker start(WinePrefix wine, Path exe, String shortName, String displayName, String dll, Path workDir)
            throws IOException, InterruptedException {
        Path image = wine.root().resolve("drive_c/Program Files/inuse tests/servicelocker.exe");
        Files.createDirectories(image.getParent());
        Files.copy(exe, image, StandardCopyOption.REPLACE_EXISTING);
        Path report = workDir.resolve("service-" + shortName + ".report");
        Files.deleteIfExists(report);
        String binPath = quote(IMAGE) + " " + shortName + " " + quote(dll) + " " + quote(WinePrefix.windowsPath(report));
        sc("create", shortName, "binPath=", binPath, "DisplayName=", displayName).run(wine);
        try {
            sc("start", shortName).run(wine);
            for (int i = 0; i < 300; i++) {
                String line = Files.exists(report) ? Files.readString(report).strip() : "";
                Matcher m = LOADED.matcher(line);
                if (m.matches()) {
                    return new ServiceLocker(wine, report, shortName, displayName, line, Long.parseLong(m.group(1)));
                }
                if (line.startsWith("failed")) {
                    throw new IOException("service " + shortName + " could not load " + dll + ": " + line);
                }
                Thread.sleep(100);
            }
            throw new IOException("service " + shortName + " did not report loading " + dll + " within 30 s; sc query: "
                    + wine.wine("sc", "query", shortName));
        } catch (IOException | InterruptedException | RuntimeException e) {
            try {
                stopAndDelete(wine, shortName, null);
            } catch (IOException | InterruptedException | RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** The report's line now (the service rewrites it when it loads or releases the DLL). */
    String reportNow() throws IOException {
        return Files.exists(report) ? Files.readString(report).strip() : "";
    }

    /** The service's state now, as {@code sc query} reports it (1 stopped, 4 running). */
    int stateNow() throws IOException, InterruptedException {
        return state(wine, shortName);
    }

    /**
     * Stops the service through the SCM, waits until it released the DLL and is STOPPED, and deletes
     * it; a second call does nothing.
     */
    @Override
    public void close() throws IOException, InterruptedException {
        if (!closed) {
            closed = true;
            stopAndDelete(wine, shortName, report);
        }
    }

    private static void stopAndDelete(WinePrefix wine, String shortName, Path report) throws IOException, InterruptedException {
        List<Exception> failures = new ArrayList<>();
        try {
            if (state(wine, shortName) != STOPPED) {
                String stop = wine.wine("sc", "stop", shortName);
                for (int i = 0; i < 300 && state(wine, shortName) != STOPPED; i++) {
                    Thread.sleep(100);
                }
                if (state(wine, shortName) != STOPPED) {
                    throw new IOException("service " + shortName + " did not stop within 30 s: " + stop);
                }
            }
            if (report != null && !Files.readString(report).startsWith("released ")) {
                throw new IOException("service " + shortName + " stopped without releasing the DLL: " + Files.readString(report));
            }
        } catch (IOException | RuntimeException e) {
            failures.add(e);
        }
        try {
            sc("delete", shortName).run(wine);
        } catch (IOException | RuntimeException e) {
            failures.add(e);
        }
        if (!failures.isEmpty()) {
            IOException failure = new IOException("stopping or deleting service " + shortName + " failed: " + failures.get(0).getMessage(),
                    failures.get(0));
            failures.subList(1, failures.size()).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** The service's current state (SERVICE_STOPPED 1, ... SERVICE_RUNNING 4), from {@code sc query}. */
    private static int state(WinePrefix wine, String shortName) throws IOException, InterruptedException {
        String out = wine.wine("sc", "query", shortName);
        Matcher m = STATE.matcher(out);
        if (!m.find()) {
            throw new IOException("sc query " + shortName + " printed no state: " + out);
        }
        return Integer.parseInt(m.group(1));
    }

    private record Sc(List<String> args) {
        void run(WinePrefix wine) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("wine", "sc"));
            command.addAll(args);
            wine.execChecked(command);
        }
    }

    private static Sc sc(String... args) {
        return new Sc(List.of(args));
    }

    private static String quote(String path) {
        return "\"" + path + "\"";
    }
}
