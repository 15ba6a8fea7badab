package io.inuse.engine;

import io.inuse.engine.session.Msi;
import io.inuse.engine.session.Session;
import java.io.PrintStream;

/**
 * The entry wrapper every action runs in: runs it, catches everything, and maps the outcome to
 * the action's return code: ERROR_SUCCESS when it returns, ERROR_INSTALL_USEREXIT (1602) when the
 * person cancelled, ERROR_INSTALL_FAILURE (1603) for anything else, with the reason in the MSI log
 * and the stack trace on stderr (which the broker copies into the log too).
 */
public final class ActionRunner {
    private final PrintStream diagnostics;

    public ActionRunner(PrintStream diagnostics) {
        this.diagnostics = diagnostics;
    }

    public int run(Session session, CustomAction action) {
        try {
            action.run(session);
            return Msi.ERROR_SUCCESS;
        } catch (UserExitException e) {
            logQuietly(session, "cancelled: " + e.getMessage());
            return Msi.ERROR_INSTALL_USEREXIT;
        } catch (Throwable e) {
            diagnostics.println(session.actionName() + " failed:");
            e.printStackTrace(diagnostics);
            logQuietly(session, "failed: " + describe(e));
            return Msi.ERROR_INSTALL_FAILURE;
        }
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getName() : message + " (" + e.getClass().getSimpleName() + ")";
    }

    /** The log itself may be what failed (a broken session): then stderr has to do. */
    private void logQuietly(Session session, String text) {
        try {
            session.log(text);
        } catch (RuntimeException e) {
            diagnostics.println("cannot write to the MSI log (" + describe(e) + "): " + text);
        }
    }
}
