package io.inuse.engine;

import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import io.inuse.engine.session.BrokerSession;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The engine's entry point: {@code java -cp inuse-engine.jar io.inuse.engine.Main <action>}, started
 * by the broker. stdout carries protocol frames only: it is taken over before anything else runs,
 * so a stray {@code System.out.println} lands on stderr (and in the MSI log) instead of corrupting
 * a frame. Exit code 0 means the result reached the broker; anything else is a failure.
 */
public final class Main {
    /** The actions by the name the broker passes, the name of the custom action. */
    static final Map<String, Supplier<CustomAction>> ACTIONS = Map.of(
            "InuseProbe", Probe::new,
            Probe.DEFERRED, ProbeDeferred::new);

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
        if (args.length != 1 || !ACTIONS.containsKey(args[0])) {
            diagnostics.println("usage: io.inuse.engine.Main <action>, with action one of " + ACTIONS.keySet()
                    + (args.length > 0 ? "; got " + String.join(" ", args) : ""));
            return EXIT_USAGE;
        }
        return serve(ACTIONS.get(args[0]).get(), in, out, diagnostics);
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
