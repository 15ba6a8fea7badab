package io.inuse.engine.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Encodes and decodes the frames of the broker protocol (docs/protocol.md). The bytes come from
 * another process and may be anything: decoding checks every length, count, tag and string
 * before use and reports any problem as a {@link ProtocolException}, never as a runtime
 * exception, and never allocates more than the bytes at hand justify.
 *
 * <p>In messages, offsets count from the kind byte (the first byte after the length prefix), and
 * values are named by 0-based position: {@code values[2][0]} is the first element of the list
 * that is the frame's third value.
 */
public final class FrameCodec {
    /** The largest length field: the bytes after the 4-byte length prefix. */
    public static final int MAX_FRAME = 16 * 1024 * 1024;
    /** The deepest list nesting: a list in the frame's value list is at depth 1. */
    public static final int MAX_DEPTH = 8;

    static final int TAG_NULL = 0;
    static final int TAG_INTEGER = 1;
    static final int TAG_STRING = 2;
    static final int TAG_BYTES = 3;
    static final int TAG_LIST = 4;

    private static final int PREFIX = 4;
    private static final int KIND_AND_ID = 5;
    // Enough for every real frame; larger lists grow as their values actually arrive.
    private static final int MAX_INITIAL_CAPACITY = 1024;

    private FrameCodec() {
    }

    /** The whole frame, length prefix included. */
    public static byte[] encode(Frame f) throws ProtocolException {
        return new Encoder().frame(f);
    }

    /** Decodes the bytes after the length prefix: kind to the end of the last value. */
    public static Frame decode(byte[] body) throws ProtocolException {
        return new Decoder(body).frame();
    }

    /**
     * Reads one frame. Returns null when the stream ends cleanly between frames; a stream that
     * ends inside a frame is malformed.
     */
    public static Frame read(InputStream in) throws IOException {
        byte[] prefix = new byte[PREFIX];
        int got = in.readNBytes(prefix, 0, PREFIX);
        if (got == 0) {
            return null;
        }
        if (got < PREFIX) {
            throw new ProtocolException("stream ended after " + got + " of 4 length bytes");
        }
        long length = u32(prefix, 0);
        checkLength(length);
        // readNBytes(int) reads in chunks, so memory follows the bytes that really arrive.
        byte[] body = in.readNBytes((int) length);
        if (body.length < length) {
            throw new ProtocolException("stream ended after " + body.length + " of " + length + " frame bytes");
        }
        return decode(body);
    }

    /** Encodes the frame, writes it and flushes, so that the broker sees it at once. */
    public static void write(OutputStream out, Frame f) throws IOException {
        out.write(encode(f));
        out.flush();
    }

    private static void checkLength(long length) throws ProtocolException {
        if (length > MAX_FRAME) {
            throw new ProtocolException("frame of " + bytes(length) + " exceeds the 16 MiB limit");
        }
        if (length < KIND_AND_ID) {
            throw new ProtocolException("frame of " + bytes(length) + " is too short: kind and id alone take 5");
        }
    }

    private static String bytes(long n) {
        return n == 1 ? "1 byte" : n + " bytes";
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xFFL) | (b[at + 1] & 0xFFL) << 8 | (b[at + 2] & 0xFFL) << 16 | (b[at + 3] & 0xFFL) << 24;
    }

    /**
     * Where an encoder or decoder is, for messages: a header field, or a value by its path. The
     * path is built only when a message needs it, not for each of a million values.
     */
    private static class Position {
        final int[] indices = new int[MAX_DEPTH + 1];
        String field = "header";
        int depth = -1; // nesting of the current value; -1 while in the header

        final String where() {
            if (depth < 0) {
                return field;
            }
            StringBuilder sb = new StringBuilder("values");
            for (int i = 0; i <= depth; i++) {
                sb.append('[').append(indices[i]).append(']');
            }
            return sb.toString();
        }

        final ProtocolException tooDeep(int at) {
            return new ProtocolException(where() + ": lists nested " + (depth + 1) + " deep, more than the limit of "
                    + MAX_DEPTH + (at < 0 ? "" : ", at offset " + at));
        }
    }

    /** One encoding: a growing buffer that refuses to grow past the frame limit. */
    private static final class Encoder extends Position {
        private final CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private byte[] buf = new byte[256];
        private int size = PREFIX; // the length prefix is filled in last

        byte[] frame(Frame f) throws ProtocolException {
            if (f.kind() == Frame.KIND_REQUEST) {
                requestHeader(f);
            } else if (f.kind() == Frame.KIND_REPLY) {
                replyHeader(f);
            } else {
                throw new ProtocolException("unknown frame kind " + f.kind() + " (1 = request, 2 = reply)");
            }
            field = "value count";
            valueList(f.values(), 0);
            int end = size;
            size = 0;
            u32(end - PREFIX);
            return Arrays.copyOf(buf, end);
        }

        private void requestHeader(Frame f) throws ProtocolException {
            if (f.op() < 0 || f.op() > 0xFFFF) {
                throw new ProtocolException("op " + f.op() + " does not fit in the u16 op field");
            }
            if (f.status() != 0 || !f.api().isEmpty() || !f.message().isEmpty()) {
                throw new ProtocolException("a request has no status, api or message, but this one has status "
                        + f.status() + ", api \"" + f.api() + "\", message \"" + f.message() + "\"");
            }
            reserve(KIND_AND_ID + 2);
            u8(Frame.KIND_REQUEST);
            u32(f.id());
            u8(f.op());
            u8(f.op() >>> 8);
        }

        private void replyHeader(Frame f) throws ProtocolException {
            if (f.op() != 0) {
                throw new ProtocolException("a reply has no op, but this one has op " + f.op());
            }
            if (f.status() < 0 || f.status() > 0xFFFF_FFFFL) {
                throw new ProtocolException("status " + f.status() + " is outside the u32 range 0..4294967295");
            }
            reserve(KIND_AND_ID + 4);
            u8(Frame.KIND_REPLY);
            u32(f.id());
            u32((int) f.status());
            field = "reply api";
            string(f.api());
            field = "reply message";
            string(f.message());
        }

        /** listDepth is the nesting of the list: 0 for the frame's own value list. */
        private void valueList(List<?> list, int listDepth) throws ProtocolException {
            reserve(4);
            u32(list.size());
            int i = 0;
            for (Object v : list) {
                depth = listDepth;
                indices[listDepth] = i++;
                value(v);
            }
            depth = listDepth - 1;
        }

        private void value(Object v) throws ProtocolException {
            if (v == null) {
                reserve(1);
                u8(TAG_NULL);
            } else if (v instanceof Long || v instanceof Integer) {
                long n = ((Number) v).longValue();
                reserve(9);
                u8(TAG_INTEGER);
                u32((int) n);
                u32((int) (n >>> 32));
            } else if (v instanceof String s) {
                reserve(1);
                u8(TAG_STRING);
                string(s);
            } else if (v instanceof byte[] bytes) {
                reserve(5L + bytes.length);
                u8(TAG_BYTES);
                u32(bytes.length);
                System.arraycopy(bytes, 0, buf, size, bytes.length);
                size += bytes.length;
            } else if (v instanceof List<?> list) {
                // The depth check also stops a list that contains itself.
                if (depth + 1 > MAX_DEPTH) {
                    throw tooDeep(-1);
                }
                reserve(1);
                u8(TAG_LIST);
                valueList(list, depth + 1);
            } else {
                throw new ProtocolException(where() + ": a " + v.getClass().getName()
                        + " cannot be sent; values are null, Long, Integer, String, byte[] or List");
            }
        }

        private void string(String s) throws ProtocolException {
            // UTF-8 takes at least a byte per char: refuse a giant string before encoding it.
            reserve(4L + s.length());
            CharBuffer chars = CharBuffer.wrap(s);
            ByteBuffer bytes;
            try {
                bytes = utf8.encode(chars);
            } catch (CharacterCodingException e) {
                // The encoder stops at the first char it cannot take: always a lone surrogate.
                int at = chars.position();
                throw new ProtocolException(String.format("%s: unpaired surrogate U+%04X at char %d of the string,"
                        + " which UTF-8 cannot carry", where(), (int) s.charAt(at), at));
            }
            int n = bytes.remaining();
            reserve(4L + n);
            u32(n);
            bytes.get(buf, size, n);
            size += n;
        }

        /** Makes room for n more bytes, or refuses when the frame would pass the limit. */
        private void reserve(long n) throws ProtocolException {
            long end = size + n;
            if (end - PREFIX > MAX_FRAME) {
                throw new ProtocolException("frame exceeds the 16 MiB limit: " + where() + " would end at byte "
                        + (end - PREFIX) + " of at most " + MAX_FRAME);
            }
            if (end > buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.max(end, Math.min(2L * buf.length, MAX_FRAME + PREFIX)));
            }
        }

        // The writers below trust reserve() to have made room.
        private void u8(int v) {
            buf[size++] = (byte) v;
        }

        private void u32(int v) {
            u8(v);
            u8(v >>> 8);
            u8(v >>> 16);
            u8(v >>> 24);
        }
    }

    /** One decoding: a cursor over the body that checks each read against what remains. */
    private static final class Decoder extends Position {
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private final byte[] b;
        private int pos;

        Decoder(byte[] body) {
            this.b = body;
        }

        Frame frame() throws ProtocolException {
            checkLength(b.length);
            int kind = b[pos++] & 0xFF;
            if (kind != Frame.KIND_REQUEST && kind != Frame.KIND_REPLY) {
                throw new ProtocolException("unknown frame kind " + kind + " at offset 0 (1 = request, 2 = reply)");
            }
            field = "id";
            int id = (int) u32("");
            Frame f;
            if (kind == Frame.KIND_REQUEST) {
                field = "op";
                int op = u16();
                field = "value count";
                f = Frame.request(id, op, valueList(0));
            } else {
                field = "status";
                long status = u32("");
                field = "reply api";
                String api = string();
                field = "reply message";
                String message = string();
                field = "value count";
                f = Frame.reply(id, status, api, message, valueList(0));
            }
            if (pos != b.length) {
                throw new ProtocolException(bytes(b.length - pos) + " left after the last value at offset " + pos);
            }
            return f;
        }

        /** listDepth is the nesting of the list: 0 for the frame's own value list. */
        private List<Object> valueList(int listDepth) throws ProtocolException {
            long count = u32("list count");
            int left = b.length - pos;
            if (count > left) { // every value takes at least its tag byte
                throw new ProtocolException(where() + ": a list of " + count + " values cannot fit in the "
                        + bytes(left) + " left at offset " + pos);
            }
            // Capacity is capped: nested lists could each claim the whole rest of the frame.
            List<Object> list = new ArrayList<>((int) Math.min(count, MAX_INITIAL_CAPACITY));
            for (int i = 0; i < count; i++) {
                depth = listDepth;
                indices[listDepth] = i;
                list.add(value());
            }
            depth = listDepth - 1;
            return Collections.unmodifiableList(list);
        }

        private Object value() throws ProtocolException {
            int at = pos;
            need(1, "tag");
            int tag = b[pos++] & 0xFF;
            return switch (tag) {
                case TAG_NULL -> null;
                case TAG_INTEGER -> {
                    need(8, "integer");
                    yield u32("") | u32("") << 32;
                }
                case TAG_STRING -> string();
                case TAG_BYTES -> {
                    int n = length("byte array");
                    pos += n;
                    yield Arrays.copyOfRange(b, pos - n, pos);
                }
                case TAG_LIST -> {
                    if (depth + 1 > MAX_DEPTH) {
                        throw tooDeep(at);
                    }
                    yield valueList(depth + 1);
                }
                default -> throw new ProtocolException(where() + ": unknown value tag " + tag + " at offset " + at);
            };
        }

        private String string() throws ProtocolException {
            int n = length("string");
            ByteBuffer in = ByteBuffer.wrap(b, pos, n);
            try {
                String s = utf8.decode(in).toString();
                pos += n;
                return s;
            } catch (CharacterCodingException e) {
                // The decoder stops at the first byte it cannot take.
                throw new ProtocolException(String.format("%s: invalid UTF-8 in string at offset %d (byte %02X;"
                        + " the string's %d bytes start at offset %d)",
                        where(), in.position(), b[in.position()], n, pos));
            }
        }

        /** Reads a u32 length and checks that that many bytes follow it. */
        private int length(String what) throws ProtocolException {
            int at = pos;
            long n = u32(what + " length");
            if (n > b.length - pos) {
                throw new ProtocolException(where() + ": " + what + " of " + n + " bytes at offset " + at
                        + " runs past the end of the frame (" + bytes(b.length - pos) + " left)");
            }
            return (int) n;
        }

        /** what names the part of a value; a header field is named by field alone. */
        private void need(int n, String what) throws ProtocolException {
            if (n > b.length - pos) {
                throw new ProtocolException((depth < 0 ? field : where() + " " + what) + " at offset " + pos
                        + " runs past the end of the frame (needs " + bytes(n) + ", " + (b.length - pos) + " left)");
            }
        }

        private int u16() throws ProtocolException {
            need(2, "");
            pos += 2;
            return (b[pos - 2] & 0xFF) | (b[pos - 1] & 0xFF) << 8;
        }

        private long u32(String what) throws ProtocolException {
            need(4, what);
            pos += 4;
            return FrameCodec.u32(b, pos - 4);
        }
    }
}
