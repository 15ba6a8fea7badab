package io.inuse.engine;

import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import io.inuse.engine.session.BrokerSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The engine's entry point: {@code java -cp inuse-engine.jar io.inuse.engine.Main <action>}, started
 * by the broker. stdout carries protocol frames only: it is taken over before anything else runs,
 * so a stray {@code System.out.println} lands on stderr (and in the MSI log) instead of corrupting
 * a frame. Exit code 0 means the result reached the broker; anything else is a failure.
 */
public final class Main {
    /** The names of the actions, as the broker passes them: the names of the custom actions. */
    static final String ACTION_NAMES = "[InuseProbe, " + Probe.DEFERRED + "]";

    /**
     * The action of that name, or null. A switch, not a map of constructor references: the start-up
     * path avoids lambdas, whose bootstrap every action would pay for (packaging/bench).
     */
    static CustomAction action(String name) {
        switch (name) {
            case "InuseProbe":
                return new Probe();
            case Probe.DEFERRED:
                return new ProbeDeferred();
            default:
                return null;
        }
    }

    static final int EXIT_OK = 0;
    static final int EXIT_NO_RESULT = 2;
    static final int EXIT_USAGE = 3;

    private Main() {
    }

    public static void main(String[] args) {
        OutputStream frames = new CheckedStream(System.out);
        PrintStream diagnostics = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.setOut(diagnostics);
        System.setErr(diagnostics);
        System.exit(run(args, System.in, frames, diagnostics));
    }

    static int run(String[] args, InputStream in, OutputStream out, PrintStream diagnostics) {
        CustomAction action = args.length == 1 ? action(args[0]) : null;
        if (action == null) {
            diagnostics.println("usage: io.inuse.engine.Main <action>, with action one of " + ACTION_NAMES
                    + (args.length > 0 ? "; got " + String.join(" ", args) : ""));
            return EXIT_USAGE;
        }
        return serve(action, in, out, diagnostics);
    }

    /** HELLO, the action in its entry wrapper, RESULT. Public for test engines that serve other actions. */
    public static int serve(CustomAction action, InputStream in, OutputStream out, PrintStream diagnostics) {
        BrokerSession session = new BrokerSession(in, out);
        try {
            session.hello("inuse engine " + Main.class.getPackage().getImplementationVersion() + " on Java "
                    + System.getProperty("java.version"));
            int code = new ActionRunner(diagnostics).run(session, action);
            session.result(code);
            return EXIT_OK;
        } catch (RuntimeException e) {
            diagnostics.println("the conversation with the broker failed: " + ActionRunner.describe(e));
            return EXIT_NO_RESULT;
        }
    }

    /** The original stdout, whose PrintStream would swallow a write error: turned back into an IOException. */
    private static final class CheckedStream extends OutputStream {
        private final PrintStream target;

        CheckedStream(PrintStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            target.write(b);
            check();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            target.write(b, off, len);
            check();
        }

        @Override
        public void flush() throws IOException {
            target.flush();
            check();
        }

        private void check() throws IOException {
            if (target.checkError()) {
                throw new IOException("stdout, the pipe to the broker, is closed or failed");
            }
        }
    }
}
