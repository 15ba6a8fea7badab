package io.inuse.engine.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.protocol.Frame;
import io.inuse.engine.protocol.FrameCodec;
import io.inuse.engine.protocol.Ops;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The session facade over the real codec, against a broker simulated in a thread. */
class BrokerSessionTest {
    private final Map<String, String> properties = new HashMap<>();
    private final List<Frame> received = Collections.synchronizedList(new ArrayList<>());
    private Function<Frame, Frame> broker = this::serve;
    private int brokerRequestBefore = -1;
    private Thread brokerThread;
    private BrokerSession session;
    private PipedOutputStream engineOut;

    private Frame ok(Frame request, Object... values) {
        return Frame.reply(request.id(), 0, "", "", List.of(values));
    }

    private Frame serve(Frame request) {
        List<Object> a = request.values();
        return switch (request.op()) {
            case Ops.HELLO -> ok(request, 1L, "InuseProbeDeferred", 1L);
            case Ops.GET_PROPERTY -> properties.containsKey(a.get(0)) ? ok(request, properties.get(a.get(0)))
                    : Frame.reply(request.id(), 1627, "MsiGetPropertyW", "cannot read the property", List.of());
            case Ops.SET_PROPERTY -> {
                properties.put((String) a.get(0), (String) a.get(1));
                yield ok(request);
            }
            case Ops.FORMAT_RECORD -> ok(request, "formatted " + ((List<?>) a.get(0)).get(0));
            case Ops.MESSAGE -> ok(request, 4L);
            case Ops.GET_MODE -> ok(request, 1L);
            case Ops.SET_MODE, Ops.RESULT -> ok(request);
            case Ops.GET_LANGUAGE -> ok(request, 1031L);
            default -> Frame.reply(request.id(), 1, "protocol", "unknown request op " + request.op(), List.of());
        };
    }

    private void start() throws IOException {
        engineOut = new PipedOutputStream();
        PipedInputStream brokerIn = new PipedInputStream(engineOut, 1 << 20);
        PipedOutputStream brokerOut = new PipedOutputStream();
        PipedInputStream engineIn = new PipedInputStream(brokerOut, 1 << 20);
        brokerThread = new Thread(() -> {
            try (brokerOut) {
                Frame request;
                while ((request = FrameCodec.read(brokerIn)) != null) {
                    received.add(request);
                    if (request.op() == brokerRequestBefore) {
                        FrameCodec.write(brokerOut, Frame.request(77, 42, List.of()));
                        received.add(FrameCodec.read(brokerIn));
                    }
                    Frame reply = broker.apply(request);
                    if (reply == null) {
                        return;
                    }
                    FrameCodec.write(brokerOut, reply);
                }
            } catch (IOException e) {
                // the engine side closed: the test is over
            }
        });
        brokerThread.setDaemon(true);
        brokerThread.start();
        session = new BrokerSession(engineIn, engineOut);
    }

    @AfterEach
    void stop() throws Exception {
        engineOut.close();   // the simulated broker sees the end of the stream and its thread ends
        brokerThread.join(2000);
        assertFalse(brokerThread.isAlive(), "the simulated broker ended");
    }

    @Test
    void typedCallsTravelAsDocumentedRequests() throws Exception {
        start();
        session.hello("test engine");
        assertEquals("InuseProbeDeferred", session.actionName());
        assertTrue(session.deferred());
        String value = "line1\nline2 \"q\" Zoë 東京 " + "x".repeat(32 * 1024);
        session.setProperty("INUSE_X", value);
        assertEquals(value, session.property("INUSE_X"));
        assertEquals("formatted [1] and [2]", session.format("[1] and [2]", "a", 7));
        assertEquals(4, session.message(Msi.INSTALLMESSAGE_FILESINUSE, null, "locker.exe", "pid 42"));
        assertTrue(session.mode(Msi.MSIRUNMODE_SCHEDULED));
        session.requestReboot();
        assertEquals(1031, session.language());
        session.result(0);

        assertEquals(List.of(Ops.HELLO, Ops.SET_PROPERTY, Ops.GET_PROPERTY, Ops.FORMAT_RECORD, Ops.MESSAGE, Ops.GET_MODE,
                Ops.SET_MODE, Ops.GET_LANGUAGE, Ops.RESULT), received.stream().map(Frame::op).toList());
        assertEquals(List.of(1L, "test engine"), received.get(0).values());
        assertEquals(List.of((long) Msi.INSTALLMESSAGE_FILESINUSE, java.util.Arrays.asList(null, "locker.exe", "pid 42")), received.get(4).values());
        assertEquals(List.of((long) Msi.MSIRUNMODE_REBOOTATEND, 1L), received.get(6).values());
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9), received.stream().map(Frame::id).toList(), "ids count up");
    }

    @Test
    void aFailedCallCarriesTheWin32ErrorAndApi() throws Exception {
        start();
        SessionException e = assertThrows(SessionException.class, () -> session.property("NOT_THERE"));
        assertEquals(1627, e.win32Error());
        assertEquals("MsiGetPropertyW", e.api());
        assertEquals("GET_PROPERTY failed: MsiGetPropertyW returned error 1627 (cannot read the property)", e.getMessage());
        properties.put("A", "after the error the conversation goes on");
        assertEquals("after the error the conversation goes on", session.property("A"));
    }

    @Test
    void aRequestFromTheBrokerIsAnsweredWithAnErrorAndTheCallGoesOn() throws Exception {
        // before its reply to GET_LANGUAGE the broker sends a request of its own (not in version 1)
        brokerRequestBefore = Ops.GET_LANGUAGE;
        start();
        assertEquals(1031, session.language());
        Frame answer = received.get(1);
        assertFalse(answer.isRequest());
        assertEquals(77, answer.id());
        assertEquals(1, answer.status());
        assertEquals("the engine serves no requests", answer.message());
    }

    @Test
    void aReplyToAnotherRequestOrAClosedBrokerIsAProtocolFailure() throws Exception {
        broker = request -> request.op() == Ops.GET_LANGUAGE ? Frame.reply(request.id() + 5, 0, "", "", List.of(1L)) : serve(request);
        start();
        SessionException e = assertThrows(SessionException.class, () -> session.language());
        assertTrue(e.getMessage().contains("reply id 6 does not answer request 1"), e.getMessage());

        broker = request -> null;
        SessionException closed = assertThrows(SessionException.class, () -> session.property("A"));
        assertTrue(closed.getMessage().contains("the broker closed the connection while GET_PROPERTY waited for its reply"), closed.getMessage());
    }

    @Test
    void recordFieldsMustBeStringsIntegersOrNull() throws Exception {
        start();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> session.format("[1]", 2.5));
        assertEquals("a record field must be a String, an Integer or null, not java.lang.Double", e.getMessage());
    }
}
