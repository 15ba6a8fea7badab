package io.inuse.engine.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.protocol.Frame;
import io.inuse.engine.protocol.FrameCodec;
import io.inuse.engine.session.BrokerSession;
import io.inuse.engine.session.SessionException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * BrokerMachine against canned broker replies, for its tests: one call, a broker that answers the
 * first request (id 1) as told, and the request the call sent ({@link #sent}).
 */
abstract class CannedBroker {
    /** The request the last call sent. */
    protected Frame sent;

    /** Runs one call against a broker that answers the first request with these values (status 0). */
    protected <T> T answer(Function<Machine, T> call, Object... values) throws IOException {
        return reply(call, Frame.reply(1, 0, "", "", Arrays.asList(values)));
    }

    /** Runs one call against a broker that answers the first request with this reply. */
    protected <T> T reply(Function<Machine, T> call, Frame reply) throws IOException {
        ByteArrayOutputStream fromBroker = new ByteArrayOutputStream();
        FrameCodec.write(fromBroker, reply);
        ByteArrayOutputStream toBroker = new ByteArrayOutputStream();
        BrokerSession session = new BrokerSession(new ByteArrayInputStream(fromBroker.toByteArray()), toBroker);
        try {
            return call.apply(new BrokerMachine(session));
        } finally {
            sent = FrameCodec.read(new ByteArrayInputStream(toBroker.toByteArray()));
        }
    }

    /** A reply of another shape than the call expects is a SessionException that says what was expected. */
    protected void badShape(Function<Machine, ?> call, Object... values) {
        SessionException e = assertThrows(SessionException.class, () -> answer(call, values), Arrays.asList(values).toString());
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }

    protected void sentWas(int op, Object... values) {
        assertEquals(Frame.request(1, op, Arrays.asList(values)), sent);
    }

    /** A call with no result, as a Function. */
    protected static Function<Machine, Object> run(Consumer<Machine> call) {
        return m -> {
            call.accept(m);
            return null;
        };
    }
}
