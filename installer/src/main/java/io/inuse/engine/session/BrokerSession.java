package io.inuse.engine.session;

import io.inuse.engine.protocol.Frame;
import io.inuse.engine.protocol.FrameCodec;
import io.inuse.engine.protocol.Ops;
import io.inuse.engine.protocol.ProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The session served by the broker over the engine's stdin and stdout (docs/protocol.md): one
 * request, one reply, in order. A failed call is a {@link SessionException} with the Win32 error
 * and API name; a broken stream or malformed frame is a SessionException wrapping the
 * ProtocolException, after which the conversation is over.
 */
public final class BrokerSession implements Session {
    private final InputStream fromBroker;
    private final OutputStream toBroker;
    private int nextId = 1;
    private String actionName = "";
    private boolean deferred;

    public BrokerSession(InputStream fromBroker, OutputStream toBroker) {
        this.fromBroker = fromBroker;
        this.toBroker = toBroker;
    }

    /** The handshake: the first request of every conversation. */
    public void hello(String engineDescription) {
        List<Object> reply = call(Ops.HELLO, (long) Ops.PROTOCOL_VERSION, engineDescription);
        if (reply.size() != 3 || !(reply.get(0) instanceof Long) || !(reply.get(1) instanceof String) || !(reply.get(2) instanceof Long)) {
            throw new SessionException("HELLO: unexpected reply " + reply, null);
        }
        actionName = (String) reply.get(1);
        deferred = (Long) reply.get(2) != 0;
    }

    /** The last request: the action's return code. */
    public void result(int code) {
        call(Ops.RESULT, (long) code);
    }

    @Override
    public String actionName() {
        return actionName;
    }

    @Override
    public boolean deferred() {
        return deferred;
    }

    @Override
    public String property(String name) {
        return string(call(Ops.GET_PROPERTY, name), "GET_PROPERTY");
    }

    @Override
    public void setProperty(String name, String value) {
        call(Ops.SET_PROPERTY, name, value);
    }

    @Override
    public String format(Object... fields) {
        return string(call(Ops.FORMAT_RECORD, record(fields)), "FORMAT_RECORD");
    }

    @Override
    public int message(int type, Object... fields) {
        return (int) integer(call(Ops.MESSAGE, (long) type, record(fields)), "MESSAGE");
    }

    @Override
    public boolean mode(int runMode) {
        return integer(call(Ops.GET_MODE, (long) runMode), "GET_MODE") != 0;
    }

    @Override
    public void setMode(int runMode, boolean on) {
        call(Ops.SET_MODE, (long) runMode, on ? 1L : 0L);
    }

    @Override
    public int language() {
        return (int) integer(call(Ops.GET_LANGUAGE), "GET_LANGUAGE");
    }

    @Override
    public List<List<Object>> query(String select) {
        List<Object> reply = call(Ops.DB_QUERY, select);
        if (reply.size() != 1 || !(reply.get(0) instanceof List<?> rows)) {
            throw new SessionException("DB_QUERY: expected one list of rows in the reply, got " + reply, null);
        }
        List<List<Object>> result = new ArrayList<>();
        for (Object row : rows) {
            if (!(row instanceof List<?> fields)) {
                throw new SessionException("DB_QUERY: a row is not a list: " + row, null);
            }
            result.add(new ArrayList<>(fields));
        }
        return result;
    }

    /**
     * One request of any op, for the requests beside the MSI ones ({@code BrokerMachine}): its
     * reply values, or a SessionException as for every other call. The caller checks their shape.
     */
    public List<Object> request(int op, Object... args) {
        return call(op, args);
    }

    private static List<Object> record(Object[] fields) {
        List<Object> values = new ArrayList<>();
        for (Object field : fields) {
            if (field == null || field instanceof String) {
                values.add(field);
            } else if (field instanceof Integer i) {
                values.add(i.longValue());
            } else {
                throw new IllegalArgumentException("a record field must be a String, an Integer or null, not " + field.getClass().getName());
            }
        }
        return values;
    }

    private static String string(List<Object> reply, String op) {
        if (reply.size() != 1 || !(reply.get(0) instanceof String s)) {
            throw new SessionException(op + ": expected one string in the reply, got " + reply, null);
        }
        return s;
    }

    private static long integer(List<Object> reply, String op) {
        if (reply.size() != 1 || !(reply.get(0) instanceof Long n)) {
            throw new SessionException(op + ": expected one integer in the reply, got " + reply, null);
        }
        return n;
    }

    private List<Object> call(int op, Object... args) {
        int id = nextId++;
        try {
            FrameCodec.write(toBroker, Frame.request(id, op, Arrays.asList(args)));
            while (true) {
                Frame reply = FrameCodec.read(fromBroker);
                if (reply == null) {
                    throw new ProtocolException("the broker closed the connection while " + Ops.name(op) + " waited for its reply");
                }
                if (reply.isRequest()) {
                    // protocol version 1 has no broker requests: answer, then keep waiting for ours
                    FrameCodec.write(toBroker, Frame.reply(reply.id(), 1, "protocol", "the engine serves no requests", List.of()));
                    continue;
                }
                if (reply.id() != id) {
                    throw new ProtocolException("reply id " + Integer.toUnsignedString(reply.id()) + " does not answer request " + id);
                }
                if (reply.status() != 0) {
                    throw new SessionException(Ops.name(op), reply.status(), reply.api(), reply.message());
                }
                return reply.values();
            }
        } catch (IOException e) {
            throw new SessionException(Ops.name(op) + ": the connection to the broker failed: " + e.getMessage(), e);
        }
    }
}
