package io.inuse.engine.cli;

import io.inuse.engine.detect.BuiltInProduct;
import io.inuse.engine.detect.BuiltInTargets;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.BrokerMachine;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.protocol.Ops;
import io.inuse.engine.replace.ProductFolder;
import io.inuse.engine.session.BrokerSession;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line over the launcher ({@code inuse.exe}, src/launcher): {@code io.inuse.engine.Main cli <arguments>}.
 * The launcher is the broker without an MSI session: the machine is a {@link BrokerMachine}, what the command
 * prints goes back as CONSOLE_WRITE requests, and its exit code is the RESULT. The product is the package's
 * built-in targets (inuse-targets.jar, installed beside the engine) in the product's folder under ProgramFiles.
 */
public final class CliMain {
    private CliMain() {
    }

    /**
     * The command's arguments from the engine's: after {@code cli}, each one as {@code --arg-hex=<UTF-8 in hex>} (the
     * launcher's form, src/launcher/inuse.c: Java's Windows launcher reads an ANSI command line, and no runtime's
     * launcher touches hex digits); anything else is dropped with a line on stderr.
     */
    public static List<String> arguments(String[] engineArgs) {
        List<String> arguments = new ArrayList<>();
        for (int i = 1; i < engineArgs.length; i++) {
            String hex = engineArgs[i].startsWith("--arg-hex=") ? engineArgs[i].substring("--arg-hex=".length()) : null;
            try {
                if (hex == null || hex.length() % 2 != 0) {
                    throw new IllegalArgumentException("not --arg-hex=<even number of hex digits>");
                }
                arguments.add(new String(java.util.HexFormat.of().parseHex(hex), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                System.err.println("ignored an engine argument not in the launcher's form (" + e.getMessage() + "): " + engineArgs[i]);
            }
        }
        return arguments;
    }

    public static int serve(List<String> arguments, InputStream in, OutputStream out, PrintStream diagnostics) {
        BrokerSession session = new BrokerSession(in, out);
        try {
            session.hello("inuse command line " + CliMain.class.getPackage().getImplementationVersion() + " on Java "
                    + System.getProperty("java.version"));
            BrokerMachine machine = new BrokerMachine(session);
            Cli.Product product = null;
            try {
                List<Target> targets = new ArrayList<>();
                for (BuiltInTargets.BuiltIn builtIn : BuiltInTargets.load()) {
                    targets.add(builtIn.target());
                }
                product = new Cli.Product(targets, ProductFolder.of(machine.knownFolder(KnownFolder.ProgramFiles), BuiltInProduct.load().id()));
            } catch (IllegalStateException e) {
                diagnostics.println("no installed product: " + e.getMessage());
            }
            int code = new Cli(machine, new BrokerConsole(session), product, true).run(arguments);
            session.result(code);
            return 0;
        } catch (RuntimeException e) {
            diagnostics.println("the conversation with the launcher failed: " + e);
            return 2;
        }
    }

    /** CONSOLE_WRITE, one request per line. */
    private static final class BrokerConsole implements Cli.Console {
        private final BrokerSession session;

        BrokerConsole(BrokerSession session) {
            this.session = session;
        }

        @Override
        public void out(String text) {
            session.request(Ops.CONSOLE_WRITE, 1L, text + "\r\n");
        }

        @Override
        public void err(String text) {
            session.request(Ops.CONSOLE_WRITE, 2L, text + "\r\n");
        }
    }
}
