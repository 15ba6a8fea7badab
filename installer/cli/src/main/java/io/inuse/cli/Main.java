package io.inuse.cli;

import io.inuse.engine.cli.Cli;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code java -jar inuse-cli.jar pe <file> | pending --from <file.reg> [--json]} on any machine with Java 17
 * (docs/cli.md). The same commands as {@code inuse.exe}, over the files of this machine; the commands that
 * need Windows say so in one line (exit 69).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Cli.Console console = new Cli.Console() {
            @Override
            public void out(String text) {
                out.println(text);
            }

            @Override
            public void err(String text) {
                err.println(text);
            }
        };
        return new Cli(new LocalFiles(), console, null, false).run(Arrays.asList(args));
    }
}
