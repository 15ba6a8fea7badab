package io.inuse.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.session.FakeSession;
import io.inuse.engine.session.Msi;
import io.inuse.engine.session.SessionException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActionRunnerTest {
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final ActionRunner runner = new ActionRunner(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    private final FakeSession session = new FakeSession("InuseProbe", false);

    @Test
    void aNormalReturnIsSuccess() {
        assertEquals(Msi.ERROR_SUCCESS, runner.run(session, s -> s.log("did it")));
        assertEquals(List.of("inuse: InuseProbe: did it"), session.log);
    }

    @Test
    void aCancelIsUserExitWithTheReasonLogged() {
        assertEquals(Msi.ERROR_INSTALL_USEREXIT, runner.run(session, s -> {
            throw new UserExitException("Exit chosen in FilesInUse");
        }));
        assertEquals(List.of("inuse: InuseProbe: cancelled: Exit chosen in FilesInUse"), session.log);
    }

    @Test
    void anyOtherThrowableIsFailureWithMessageInTheLogAndTraceOnStderr() {
        assertEquals(Msi.ERROR_INSTALL_FAILURE, runner.run(session, s -> {
            throw new IllegalStateException("target is on a network share");
        }));
        assertEquals(List.of("inuse: InuseProbe: failed: target is on a network share (IllegalStateException)"), session.log);
        assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("java.lang.IllegalStateException: target is on a network share"));

        assertEquals(Msi.ERROR_INSTALL_FAILURE, runner.run(session, s -> {
            throw new OutOfMemoryError();
        }));
        assertEquals("inuse: InuseProbe: failed: java.lang.OutOfMemoryError", session.log.get(1));
        assertEquals(Msi.ERROR_INSTALL_FAILURE, runner.run(session, s -> {
            throw new Exception("checked");
        }));
    }

    @Test
    void aBrokenLogFallsBackToStderr() {
        FakeSession broken = new FakeSession("InuseProbe", false) {
            @Override
            public int message(int type, Object... fields) {
                throw new SessionException("MESSAGE: the connection to the broker failed", null);
            }
        };
        assertEquals(Msi.ERROR_INSTALL_FAILURE, runner.run(broken, s -> {
            throw new IllegalStateException("boom");
        }));
        assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("cannot write to the MSI log (MESSAGE: the connection to the broker failed (SessionException)): failed: boom"),
                stderr.toString(StandardCharsets.UTF_8));
    }
}
