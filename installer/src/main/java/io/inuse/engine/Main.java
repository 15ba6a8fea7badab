package io.inuse.engine;

import io.inuse.engine.actions.Detect;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import io.inuse.engine.actions.RebootCheck;
import io.inuse.engine.actions.Replace;
import io.inuse.engine.actions.ReplaceRollback;
import io.inuse.engine.actions.Schedule;
import io.inuse.engine.actions.Uninstall;
import io.inuse.engine.detect.BuiltInProduct;
import io.inuse.engine.detect.BuiltInTargets;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.BrokerMachine;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.replace.Policy;
import io.inuse.engine.replace.ProductFolder;
import io.inuse.engine.session.BrokerSession;
import io.inuse.engine.session.Session;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine's entry point: {@code java -cp inuse-engine.jar io.inuse.engine.Main <action>}, started
 * by the broker. stdout carries protocol frames only: it is taken over before anything else runs,
 * so a stray {@code System.out.println} lands on stderr (and in the MSI log) instead of corrupting
 * a frame. Exit code 0 means the result reached the broker; anything else is a failure.
 */
public final class Main {
    /** The names of the actions, as the broker passes them: the names of the custom actions. */
    static final String ACTION_NAMES = "[" + DetectAction.NAME + ", " + Schedule.REPLACE + ", " + Schedule.ROLLBACK + ", "
            + Schedule.RESTORE + ", " + Schedule.RESTORE_ROLLBACK + ", " + Schedule.CLEANUP + ", " + RebootCheckAction.NAME + ", InuseProbe, " + Probe.DEFERRED + "]";

    /**
     * The action of that name, or null. A switch, not a map of constructor references: the start-up
     * path avoids lambdas, whose bootstrap every action would pay for (packaging/bench).
     */
    static CustomAction action(String name) {
        switch (name) {
            case DetectAction.NAME:
                return new DetectAction();
            case Schedule.REPLACE:
            case Schedule.ROLLBACK:
            case Schedule.RESTORE:
            case Schedule.RESTORE_ROLLBACK:
            case Schedule.CLEANUP:
            case RebootCheckAction.NAME:
                return new ReplacementAction(name);
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
        if (args.length >= 1 && args[0].equals("cli")) {
            // the command line, started by inuse.exe (src/launcher), not by Windows Installer
            return io.inuse.engine.cli.CliMain.serve(io.inuse.engine.cli.CliMain.arguments(args), in, out, diagnostics);
        }
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

    /**
     * The detect action (issue 14) over the broker: {@link Detect} needs a Machine over the same
     * BrokerSession that {@link #serve} creates and passes to the action, so the Machine and the
     * targets are made when the action runs, inside the entry wrapper. A target list that is missing
     * or malformed is then an IllegalStateException there: "failed: <why>" in the log and 1603, not
     * a crash. A class, not a lambda (see {@link #action}).
     */
    static final class DetectAction implements CustomAction {
        static final String NAME = "InuseDetect";

        @Override
        public void run(Session session) throws Exception {
            if (!(session instanceof BrokerSession broker)) {
                throw new IllegalStateException(NAME + " runs only over the broker's session, not " + session.getClass().getName());
            }
            BrokerMachine machine = new BrokerMachine(broker);
            List<Target> targets = targets();
            Schedule.Removal removal = Schedule.removal(session);
            if (removal == Schedule.Removal.UPGRADE) {
                return;
            }
            if (removal == Schedule.Removal.NONE) {
                Schedule.refuseEarly(session, machine, targets);
            }
            BuiltInProduct product = BuiltInProduct.load();
            ProductFolder folder = ProductFolder.of(machine.knownFolder(KnownFolder.ProgramFiles), product.id());
            Policy policy = Schedule.policy(session, machine, folder.productId(), product.defaults());
            Detect detect = new Detect(machine, targets);
            detect.run(session);
            Schedule.failIfHeld(session, policy, detect.lockedAtEnd());
            if (removal == Schedule.Removal.UNINSTALL) {
                Schedule.handOverUninstall(session, policy);
            } else {
                Schedule.handOver(session, policy);
            }
        }

        /** The package's built-in targets (BuiltInTargets.load()), without their File row keys. */
        static List<Target> targets() {
            List<Target> targets = new ArrayList<>();
            for (BuiltInTargets.BuiltIn builtIn : BuiltInTargets.load()) {
                targets.add(builtIn.target());
            }
            return targets;
        }
    }

    /**
     * The replacement's actions over the broker (issue 15): {@link Replace} (deferred), its rollback
     * {@link ReplaceRollback}, and {@link RebootCheck} (immediate, after InstallFinalize), over the
     * package's built-in targets and the product's folder under ProgramFiles ({@link ProductFolder#of}).
     */
    static final class ReplacementAction implements CustomAction {
        private final String name;

        ReplacementAction(String name) {
            this.name = name;
        }

        @Override
        public void run(Session session) throws Exception {
            if (!(session instanceof BrokerSession broker)) {
                throw new IllegalStateException(name + " runs only over the broker's session, not " + session.getClass().getName());
            }
            Machine machine = new BrokerMachine(broker);
            List<Target> targets = DetectAction.targets();
            if (name.equals(RebootCheckAction.NAME)) {
                new RebootCheck(machine, targets).run(session);
                return;
            }
            ProductFolder folder = ProductFolder.of(machine.knownFolder(KnownFolder.ProgramFiles), BuiltInProduct.load().id());
            if (name.equals(Schedule.REPLACE)) {
                new Replace(machine, targets, folder).run(session);
            } else if (name.equals(Schedule.RESTORE) || name.equals(Schedule.CLEANUP)) {
                new Uninstall(machine, targets, folder, name.equals(Schedule.CLEANUP)).run(session);
            } else {
                new ReplaceRollback(machine, folder, targets).run(session);
            }
        }
    }

    /** The name of the reboot check's custom action. */
    static final class RebootCheckAction {
        static final String NAME = "InuseRebootCheck";

        private RebootCheckAction() {
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
