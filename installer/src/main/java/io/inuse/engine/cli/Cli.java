package io.inuse.engine.cli;

import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.replace.ProductFolder;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code inuse} command line (docs/cli.md): {@code who <path>}, {@code pending [--from <file.reg>]},
 * {@code pe <file>}, {@code status}, each with {@code --json}. It reaches the machine only through a
 * {@link Machine}: on Windows the launcher's (inuse.exe, the broker without an MSI session), on Linux
 * the cli module's plain file reader, where only {@code pe} and {@code pending --from} can run. One model
 * per answer makes both the text and the JSON, so they never disagree.
 */
public final class Cli {
    /** Exit codes (docs/cli.md): 0 fine; 1 needs attention; 2 a file differs; 64..70 from sysexits.h. */
    public static final int OK = 0;
    public static final int ATTENTION = 1;
    public static final int DIFFERS = 2;
    public static final int USAGE = 64;
    public static final int BAD_DATA = 65;
    public static final int NO_INPUT = 66;
    public static final int UNAVAILABLE = 69;
    public static final int FAILED = 70;

    static final String USAGE_TEXT = "usage: inuse who <path> | pending [--from <file.reg>] | pe <file> | status   [--json]";

    /** Where the answer goes: the launcher's console, or System.out and System.err on Linux. */
    public interface Console {
        void out(String text);

        void err(String text);
    }

    /** The installed product the command line belongs to: its targets and its folder; null on Linux. */
    public record Product(List<Target> targets, ProductFolder folder) {
    }

    /** A refusal or failure: one line, and its exit code. */
    static final class Failure extends RuntimeException {
        final int code;

        Failure(int code, String message) {
            super(message);
            this.code = code;
        }
    }

    private final Machine machine;
    private final Console console;
    private final Product product;
    private final boolean windows;

    /**
     * @param windows false on Linux: the commands that need the machine (who, status, pending without
     *                --from) are refused with one line instead of being tried
     */
    public Cli(Machine machine, Console console, Product product, boolean windows) {
        this.machine = machine;
        this.console = console;
        this.product = product;
        this.windows = windows;
    }

    public int run(List<String> arguments) {
        List<String> args = new ArrayList<>();
        boolean json = false;
        String from = null;
        for (int i = 0; i < arguments.size(); i++) {
            String a = arguments.get(i);
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("--verbose")) {
                continue;   // the launcher's: it shows its own lines
            } else if (a.equals("--from") && i + 1 < arguments.size()) {
                from = arguments.get(++i);
            } else if (a.startsWith("--from=")) {
                from = a.substring("--from=".length());
            } else {
                args.add(a);
            }
        }
        try {
            Answer answer = answer(args, from);
            if (json) {
                console.out(Json.write(answer.model()));
            } else {
                for (String line : answer.text()) {
                    console.out(line);
                }
            }
            return answer.code();
        } catch (Failure f) {
            return fail(f.code, f.getMessage(), json);
        } catch (SessionException e) {
            return fail(FAILED, "the machine could not answer: " + e.getMessage(), json);
        } catch (RuntimeException e) {
            return fail(FAILED, "failed: " + e, json);
        }
    }

    private Answer answer(List<String> args, String from) {
        if (args.isEmpty()) {
            throw new Failure(USAGE, "no command. " + USAGE_TEXT);
        }
        String command = args.get(0);
        switch (command) {
            case "pe":
                one(args, "pe <file>");
                refuse(from, command);
                return new PeCommand(machine).run(args.get(1));
            case "pending":
                if (args.size() != 1) {
                    throw new Failure(USAGE, "pending takes no argument but --from <file.reg> and --json; got '" + args.get(1) + "'. " + USAGE_TEXT);
                }
                if (from == null) {
                    needsWindows("pending (without --from)");
                }
                return new PendingCommand(machine, product).run(from);
            case "who":
                one(args, "who <path>");
                refuse(from, command);
                needsWindows("who");
                return new WhoCommand(machine).run(args.get(1));
            case "status":
                if (args.size() != 1) {
                    throw new Failure(USAGE, "status takes no argument; got '" + args.get(1) + "'. " + USAGE_TEXT);
                }
                refuse(from, command);
                needsWindows("status");
                if (product == null) {
                    throw new Failure(UNAVAILABLE, "status needs the installed product: run the inuse.exe in the product's bin folder");
                }
                return new StatusCommand(machine, product).run();
            default:
                throw new Failure(USAGE, "unknown command '" + command + "'. " + USAGE_TEXT);
        }
    }

    private static void one(List<String> args, String form) {
        if (args.size() != 2) {
            throw new Failure(USAGE, (args.size() < 2 ? "missing argument: " : "too many arguments: ") + form + ". " + USAGE_TEXT);
        }
    }

    private static void refuse(String from, String command) {
        if (from != null) {
            throw new Failure(USAGE, "--from belongs to pending, not " + command + ". " + USAGE_TEXT);
        }
    }

    private void needsWindows(String command) {
        if (!windows) {
            throw new Failure(UNAVAILABLE, command + " needs Windows: run inuse.exe on the machine itself. On Linux only"
                    + " 'pe <file>' and 'pending --from <file.reg>' run");
        }
    }

    private int fail(int code, String message, boolean json) {
        console.err("inuse: " + message);
        if (json) {
            Map<String, Object> model = new LinkedHashMap<>();
            model.put("error", message);
            model.put("exitCode", code);
            console.out(Json.write(model));
        }
        return code;
    }

    /** A command's answer: its exit code, its model (the JSON) and its text lines, made from the same values. */
    record Answer(int code, Map<String, Object> model, List<String> text) {
    }
}
