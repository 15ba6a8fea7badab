package io.inuse.packaging.wine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A virtual X display of its own (Xvfb) for the full-UI scenarios, and the xdotool commands that
 * find and answer windows on it. Xvfb picks a free display number itself ({@code -displayfd}), so
 * runs in parallel and a developer's own display are never touched; nothing here reads DISPLAY.
 * There is no window manager: a window's X geometry is its client area, and keyboard focus is set
 * with {@code xdotool windowfocus}.
 */
final class XDisplay implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);
    private static final long POLL_MILLIS = 50;
    private static final int SEARCH_ATTEMPTS = 5;

    private final Process xvfb;
    private final String name;
    private final Path log;

    private XDisplay(Process xvfb, String name, Path log) {
        this.xvfb = xvfb;
        this.name = name;
        this.log = log;
    }

    /** Starts Xvfb on a free display; its messages go to {@code workDir/xvfb.log}. */
    static XDisplay start(Path workDir) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path log = workDir.resolve("xvfb.log");
        Process xvfb;
        try {
            xvfb = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", "1024x768x24", "-nolisten", "tcp")
                    .redirectError(log.toFile()).start();
        } catch (IOException e) {
            throw new IOException("cannot start Xvfb (" + e.getMessage() + "): install it with packaging/install-toolchain.sh (Debian package xvfb)", e);
        }
        // with -displayfd 1, Xvfb writes the number of the display it took, then keeps stdout open
        BufferedReader out = new BufferedReader(new InputStreamReader(xvfb.getInputStream(), StandardCharsets.US_ASCII));
        String[] number = new String[1];
        Thread reader = new Thread(() -> {
            try {
                number[0] = out.readLine();
            } catch (IOException e) {
                number[0] = null;
            }
        });
        reader.setDaemon(true);
        reader.start();
        reader.join(START_TIMEOUT.toMillis());
        if (number[0] == null || !number[0].strip().matches("[0-9]+")) {
            xvfb.destroyForcibly();
            throw new IOException("Xvfb named no display within " + START_TIMEOUT.toSeconds() + " s: " + Files.readString(log));
        }
        XDisplay display = new XDisplay(xvfb, ":" + number[0].strip(), log);
        Runtime.getRuntime().addShutdownHook(new Thread(xvfb::destroyForcibly));
        display.xdotool("getmouselocation");
        return display;
    }

    /** The DISPLAY value of this server, for the processes that must show windows on it. */
    String name() {
        return name;
    }

    /** Runs xdotool on this display: its output, or an IOException with its exit status and output. */
    String xdotool(String... args) throws IOException, InterruptedException {
        Result result = run(args);
        if (result.status != 0) {
            throw new IOException("xdotool " + String.join(" ", args) + " on " + name + " failed (" + result.status + "): " + result.out);
        }
        return result.out;
    }

    private record Result(int status, String out) {
    }

    private Result run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("xdotool"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("DISPLAY", name);
        Process p;
        try {
            p = builder.start();
        } catch (IOException e) {
            throw new IOException("cannot run xdotool (" + e.getMessage() + "): install it with packaging/install-toolchain.sh", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("xdotool " + command + " did not end within " + COMMAND_TIMEOUT.toSeconds() + " s");
        }
        return new Result(p.exitValue(), out.strip());
    }

    /** The visible windows whose title matches this POSIX extended regular expression (none: empty). */
    List<Long> windows(String titleRegex) throws IOException, InterruptedException {
        Result result = run("search", "--onlyvisible", "--name", titleRegex);
        // a window destroyed while xdotool walks the window tree makes the search stop with BadWindow (it
        // happened in 2 of 3 runs of FullUiIT while dialogs came and went): ask again
        for (int attempt = 1; attempt < SEARCH_ATTEMPTS && result.status != 0 && result.out.contains("BadWindow"); attempt++) {
            System.out.println("xdotool search --name " + titleRegex + ": BadWindow (a window went away meanwhile), searching again");
            Thread.sleep(POLL_MILLIS);
            result = run("search", "--onlyvisible", "--name", titleRegex);
        }
        // exit status 1 with no output is xdotool's "no window found"
        if (result.status != 0 && !result.out.isEmpty()) {
            throw new IOException("xdotool search --name " + titleRegex + " failed (" + result.status + "): " + result.out);
        }
        return result.out.lines().filter(l -> l.matches("[0-9]+")).map(Long::parseLong).collect(Collectors.toList());
    }

    /** A window's position and size in pixels. */
    record Geometry(int x, int y, int width, int height) {
    }

    Geometry geometry(long window) throws IOException, InterruptedException {
        Map<String, Integer> values = xdotool("getwindowgeometry", "--shell", Long.toString(window)).lines()
                .filter(l -> l.contains("=")).collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')),
                        l -> Integer.parseInt(l.substring(l.indexOf('=') + 1).strip()), (a, b) -> b));
        return new Geometry(values.get("X"), values.get("Y"), values.get("WIDTH"), values.get("HEIGHT"));
    }

    /** Gives a window the keyboard focus and presses one key (xdotool's names: Return, Escape, Tab). */
    void key(long window, String key) throws IOException, InterruptedException {
        xdotool("windowfocus", "--sync", Long.toString(window));
        xdotool("key", "--clearmodifiers", key);
    }

    /** Clicks the left button at a point of the screen. */
    void click(int x, int y) throws IOException, InterruptedException {
        xdotool("mousemove", "--sync", Integer.toString(x), Integer.toString(y), "click", "1");
    }

    /** Polls until the condition holds; false when the timeout passed first. */
    static boolean within(Duration timeout, BooleanSupplierWithIo condition) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(POLL_MILLIS);
        }
        return condition.getAsBoolean();
    }

    /** A condition whose check may run a command. */
    interface BooleanSupplierWithIo {
        boolean getAsBoolean() throws IOException, InterruptedException;
    }

    /** A POSIX extended regular expression that matches exactly this title. */
    static String exactly(String title) {
        return "^" + title.replaceAll("([.\\[\\]{}()\\\\*+?^$|])", "\\\\$1") + "$";
    }

    @Override
    public void close() throws InterruptedException {
        xvfb.destroy();
        if (!xvfb.waitFor(10, TimeUnit.SECONDS)) {
            xvfb.destroyForcibly();
        }
    }

    @Override
    public String toString() {
        return "Xvfb " + name + " (log " + log + ")";
    }
}
