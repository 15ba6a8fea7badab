package io.inuse.engine.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One frame of the broker protocol, request or reply, as plain Java values: {@code null},
 * {@code Long}, {@code String}, {@code byte[]} and nested {@code List}s (see docs/protocol.md).
 * {@code id} is the u32 of the wire as an int bit pattern; {@code status} is a long in
 * 0..0xFFFFFFFF so that a Win32 error code reads as itself.
 *
 * <p>A request has status 0 and empty api and message; a reply has op 0. {@link FrameCodec}
 * refuses to encode a frame that breaks this, because the wire has no place for those fields.
 *
 * <p>equals and hashCode compare byte arrays (also inside nested lists) by content: the record
 * defaults compare arrays by identity, so a decoded frame would never equal the one encoded.
 */
public record Frame(int kind, int id, int op, long status, String api, String message,
                    List<Object> values) {
    public static final int KIND_REQUEST = 1;
    public static final int KIND_REPLY = 2;

    public Frame {
        Objects.requireNonNull(api, "api");
        Objects.requireNonNull(message, "message");
        // List.copyOf would refuse null, which is a legal value (tag 0).
        values = Collections.unmodifiableList(new ArrayList<>(Objects.requireNonNull(values, "values")));
    }

    public static Frame request(int id, int op, List<Object> values) {
        return new Frame(KIND_REQUEST, id, op, 0, "", "", values);
    }

    public static Frame reply(int id, long status, String api, String message, List<Object> values) {
        return new Frame(KIND_REPLY, id, 0, status, api, message, values);
    }

    public boolean isRequest() {
        return kind == KIND_REQUEST;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f
                && kind == f.kind && id == f.id && op == f.op && status == f.status
                && api.equals(f.api) && message.equals(f.message)
                && valueEquals(values, f.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, id, op, status, api, message) * 31 + valueHash(values);
    }

    @Override
    public String toString() {
        String head = isRequest()
                ? "request " + Integer.toUnsignedString(id) + " " + Ops.name(op)
                : (kind == KIND_REPLY ? "reply " : "kind " + kind + " ") + Integer.toUnsignedString(id)
                        + " status " + status + (api.isEmpty() ? "" : " api " + api)
                        + (message.isEmpty() ? "" : " message \"" + message + "\"");
        return head + " " + describe(values);
    }

    private static boolean valueEquals(Object a, Object b) {
        if (a instanceof byte[] x && b instanceof byte[] y) {
            return Arrays.equals(x, y);
        }
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) {
                return false;
            }
            for (int i = 0; i < x.size(); i++) {
                if (!valueEquals(x.get(i), y.get(i))) {
                    return false;
                }
            }
            return true;
        }
        return Objects.equals(a, b);
    }

    private static int valueHash(Object v) {
        if (v instanceof byte[] bytes) {
            return Arrays.hashCode(bytes);
        }
        if (v instanceof List<?> list) {
            int h = 1;
            for (Object e : list) {
                h = 31 * h + valueHash(e);
            }
            return h;
        }
        return Objects.hashCode(v);
    }

    // Byte arrays print as their length: a 1 MiB payload must not flood a log line.
    private static String describe(Object v) {
        if (v instanceof byte[] bytes) {
            return "byte[" + bytes.length + "]";
        }
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder("[");
            for (Object e : list) {
                sb.append(sb.length() > 1 ? ", " : "").append(describe(e));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(v);
    }
}
