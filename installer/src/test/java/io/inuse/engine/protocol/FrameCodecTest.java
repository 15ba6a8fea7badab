package io.inuse.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The codec against the spec (docs/protocol.md): round trips of every value type, the exact
 * bytes of known frames, and each kind of malformed frame with the message it must produce.
 */
class FrameCodecTest {
    private static final String ROCKET = "Zoë 東京 🚀";

    // ---- round trips -------------------------------------------------------------------------

    @Test
    void requestWithEveryValueTypeRoundTrips() throws Exception {
        roundTrip(Frame.request(1, Ops.MESSAGE, Arrays.asList(
                null, 0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, "", "text", ROCKET,
                new byte[0], new byte[] {0, (byte) 0xFF, 0x7F}, List.of(),
                Arrays.asList("field 0 [1]", 5L, null, new byte[] {1}, List.of(List.of("deep"))))));
    }

    @Test
    void replyWithEveryValueTypeRoundTrips() throws Exception {
        roundTrip(Frame.reply(9, 1627, "MsiGetPropertyW", ROCKET, Arrays.asList(
                null, 42L, "value", new byte[] {9, 8}, Arrays.asList(null, List.of()))));
        roundTrip(Frame.reply(3, 0, "", "", List.of("ok")));
    }

    @Test
    void awkwardStringsRoundTrip() throws Exception {
        List<Object> strings = List.of("", "a\0b", "\0", "line 1\nline 2\r\nline 3\r", "tab\there",
                "\"quoted\" and 'single' and \\backslash", ROCKET, "\uFFFD\uFFFF\u0080\u07FF\u0800",
                "😀".repeat(3), "x".repeat(32 * 1024), "ë".repeat(32 * 1024));
        roundTrip(Frame.request(2, Ops.SET_PROPERTY, strings));
        roundTrip(Frame.reply(2, 13, "protocol\0\n\"", "message\r\nwith 🚀", strings));
    }

    @Test
    void aMegabyteByteArrayRoundTrips() throws Exception {
        byte[] big = new byte[1024 * 1024];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31 + (i >>> 8));
        }
        Frame decoded = roundTrip(Frame.request(4, Ops.FORMAT_RECORD, List.of(big)));
        assertArrayEquals(big, (byte[]) decoded.values().get(0));
    }

    @Test
    void emptyValueListsAndExtremeIdsAndStatusRoundTrip() throws Exception {
        roundTrip(Frame.request(0, Ops.GET_LANGUAGE, List.of()));
        roundTrip(Frame.request(0xFFFFFFFF, 0xFFFF, List.of()));
        Frame reply = roundTrip(Frame.reply(0xFFFFFFFF, 0xFFFFFFFFL, "", "", List.of()));
        assertEquals(0xFFFFFFFFL, reply.status());
        assertEquals(-1, reply.id());
    }

    @Test
    void listsNestEightDeep() throws Exception {
        roundTrip(Frame.request(5, Ops.HELLO, List.of(nested(8, "bottom"))));
    }

    @Test
    void anIntegerIsSentAsALong() throws Exception {
        Frame decoded = decodeWhole(FrameCodec.encode(Frame.request(1, Ops.RESULT, List.of(1603, List.of(-7)))));
        assertEquals(List.of(1603L, List.of(-7L)), decoded.values());
    }

    @Test
    void readsFramesWrittenBackToBackThenNull() throws Exception {
        List<Frame> frames = List.of(
                Frame.request(1, Ops.HELLO, List.of((long) Ops.PROTOCOL_VERSION, "engine")),
                Frame.reply(1, 0, "", "", List.of(1L, "CA_Check", 0L)),
                Frame.request(2, Ops.GET_PROPERTY, List.of("")),
                Frame.reply(2, 87, "protocol", "wrong arguments", List.of()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            FrameCodec.write(out, f);
        }
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        for (Frame f : frames) {
            assertEquals(f, FrameCodec.read(in));
        }
        assertNull(FrameCodec.read(in));
        assertNull(FrameCodec.read(in));
    }

    @Test
    void writeFlushes() throws Exception {
        int[] flushes = {0};
        ByteArrayOutputStream out = new ByteArrayOutputStream() {
            @Override
            public void flush() {
                flushes[0]++;
            }
        };
        FrameCodec.write(out, Frame.request(1, Ops.GET_LANGUAGE, List.of()));
        assertEquals(1, flushes[0]);
        assertEquals(15, out.size());
    }

    // ---- the wire layout, byte by byte ------------------------------------------------------------

    @Test
    void aRequestHasThisExactLayout() throws Exception {
        byte[] expected = hex("12 00 00 00", // length 18
                "01", "07 00 00 00", "02 00",     // request, id 7, GET_PROPERTY
                "01 00 00 00",                    // one value
                "02", "02 00 00 00", "48 69");    // string "Hi"
        Frame f = Frame.request(7, Ops.GET_PROPERTY, List.of("Hi"));
        assertArrayEquals(expected, FrameCodec.encode(f));
        assertEquals(f, decodeWhole(expected));
    }

    @Test
    void aReplyHasThisExactLayout() throws Exception {
        byte[] expected = hex("32 00 00 00", // length 50
                "02", "07 00 00 00", "57 00 00 00",   // reply, id 7, status 87
                "01 00 00 00 58", "00 00 00 00",      // api "X" and message "" carry no tag
                "05 00 00 00",                        // five values
                "00",                                 // null
                "01 FE FF FF FF FF FF FF FF",         // -2
                "03 01 00 00 00 AB",                  // bytes {AB}
                "04 00 00 00 00",                     // empty list
                "02 02 00 00 00 C3 AB");              // "ë"
        Frame f = Frame.reply(7, 87, "X", "", Arrays.asList(null, -2L, new byte[] {(byte) 0xAB}, List.of(), "ë"));
        assertArrayEquals(expected, FrameCodec.encode(f));
        assertEquals(f, decodeWhole(expected));
    }

    // ---- malformed input ----------------------------------------------------------------------

    @Test
    void aLengthOverTheLimitIsRefusedBeforeTheBody() {
        assertRead("frame of 20000000 bytes exceeds the 16 MiB limit", hex("00 2D 31 01"));
        assertRead("frame of 16777217 bytes exceeds the 16 MiB limit", hex("01 00 00 01"));
        assertRead("frame of 4294967295 bytes exceeds the 16 MiB limit", hex("FF FF FF FF"));
        assertRefused("frame of 16777217 bytes exceeds the 16 MiB limit",
                () -> FrameCodec.decode(new byte[FrameCodec.MAX_FRAME + 1]));
    }

    @Test
    void aLengthUnderFiveIsRefused() {
        assertRead("frame of 3 bytes is too short: kind and id alone take 5", hex("03 00 00 00 01 00 00"));
        assertRead("frame of 0 bytes is too short: kind and id alone take 5", hex("00 00 00 00"));
        assertDecode("frame of 2 bytes is too short: kind and id alone take 5", "01 00");
    }

    @Test
    void aStreamEndingInsideAFrameIsRefused() {
        assertRead("stream ended after 2 of 4 length bytes", hex("05 00"));
        assertRead("stream ended after 10 of 30 frame bytes", hex("1E 00 00 00 01 00 00 00 00 01 00 00 00 00"));
    }

    @Test
    void anUnknownKindIsRefused() {
        assertDecode("unknown frame kind 3 at offset 0 (1 = request, 2 = reply)", "03 01 00 00 00 00 00 00 00 00 00");
        assertDecode("unknown frame kind 0 at offset 0 (1 = request, 2 = reply)", "00 01 00 00 00");
    }

    @Test
    void anUnknownTagIsRefused() {
        assertDecode("values[0]: unknown value tag 9 at offset 11", "01 01 00 00 00 05 00", "01 00 00 00", "09");
        assertDecode("values[1][0]: unknown value tag 5 at offset 17",
                "01 01 00 00 00 05 00", "02 00 00 00", "00", "04 01 00 00 00", "05", "00");
    }

    @Test
    void lengthsRunningPastTheEndAreRefused() {
        assertDecode("values[0]: string of 12 bytes at offset 12 runs past the end of the frame (3 bytes left)",
                "01 01 00 00 00 02 00", "01 00 00 00", "02 0C 00 00 00 61 62 63");
        assertDecode("values[0]: byte array of 4294967295 bytes at offset 12 runs past the end of the frame"
                + " (0 bytes left)", "01 01 00 00 00 02 00", "01 00 00 00", "03 FF FF FF FF");
        assertDecode("reply api: string of 9 bytes at offset 9 runs past the end of the frame (4 bytes left)",
                "02 01 00 00 00 00 00 00 00", "09 00 00 00 41 50 49 00");
        assertDecode("values[0] integer at offset 12 runs past the end of the frame (needs 8 bytes, 3 left)",
                "01 01 00 00 00 02 00", "01 00 00 00", "01 01 02 03");
        assertDecode("values[1] tag at offset 20 runs past the end of the frame (needs 1 byte, 0 left)",
                "01 01 00 00 00 02 00", "02 00 00 00", "01 01 00 00 00 00 00 00 00");
        assertDecode("op at offset 5 runs past the end of the frame (needs 2 bytes, 1 left)", "01 01 00 00 00 02");
        assertDecode("value count at offset 7 runs past the end of the frame (needs 4 bytes, 2 left)",
                "01 01 00 00 00 02 00 01 00");
        assertDecode("status at offset 5 runs past the end of the frame (needs 4 bytes, 0 left)", "02 01 00 00 00");
    }

    @Test
    void aCountLargerThanTheRestOfTheFrameIsRefused() {
        assertDecode("value count: a list of 4294967295 values cannot fit in the 0 bytes left at offset 11",
                "01 01 00 00 00 02 00", "FF FF FF FF");
        assertDecode("value count: a list of 3 values cannot fit in the 2 bytes left at offset 11",
                "01 01 00 00 00 02 00", "03 00 00 00", "00 00");
        assertDecode("values[0]: a list of 100000000 values cannot fit in the 1 byte left at offset 16",
                "01 01 00 00 00 02 00", "01 00 00 00", "04 00 E1 F5 05", "00");
    }

    @Test
    void nestingNineDeepIsRefused() throws Exception {
        byte[] eight = FrameCodec.encode(Frame.request(1, Ops.HELLO, List.of(nested(7, List.of()))));
        assertEquals(List.of(nested(7, List.of())), decodeWhole(eight).values());
        StringBuilder deep = new StringBuilder("01 01 00 00 00 01 00 01 00 00 00");
        deep.append(" 04 01 00 00 00".repeat(9)).append(" 00");
        assertDecode("values[0][0][0][0][0][0][0][0][0]: lists nested 9 deep, more than the limit of 8, at offset 51",
                deep.toString());
    }

    @Test
    void invalidUtf8IsRefused() {
        assertDecode("values[0]: invalid UTF-8 in string at offset 16"
                + " (byte C3; the string's 2 bytes start at offset 16)",
                "01 01 00 00 00 02 00", "01 00 00 00", "02 02 00 00 00 C3 28");
        // An encoded surrogate (U+D800) and an overlong NUL are not UTF-8 either.
        assertDecode("values[0]: invalid UTF-8 in string at offset 17"
                + " (byte ED; the string's 4 bytes start at offset 16)",
                "01 01 00 00 00 02 00", "01 00 00 00", "02 04 00 00 00 41 ED A0 80");
        assertDecode("reply message: invalid UTF-8 in string at offset 17"
                + " (byte C0; the string's 2 bytes start at offset 17)",
                "02 01 00 00 00 00 00 00 00", "00 00 00 00", "02 00 00 00 C0 80", "00 00 00 00");
    }

    @Test
    void bytesAfterTheLastValueAreRefused() {
        assertDecode("3 bytes left after the last value at offset 11",
                "01 01 00 00 00 02 00", "00 00 00 00", "00 00 00");
        assertRead("1 byte left after the last value at offset 11",
                hex("0C 00 00 00", "01 01 00 00 00 02 00", "00 00 00 00", "00"));
    }

    // ---- frames that cannot be encoded -------------------------------------------------------------

    @Test
    void encodingRefusesWhatTheWireCannotCarry() {
        assertEncode("values[1]: unpaired surrogate U+D83D at char 3 of the string, which UTF-8 cannot carry",
                Frame.request(1, Ops.GET_PROPERTY, List.of("ok", "abc\uD83D")));
        assertEncode("reply message: unpaired surrogate U+DC00 at char 0 of the string, which UTF-8 cannot carry",
                Frame.reply(1, 0, "", "\uDC00x", List.of()));
        assertEncode("values[0][1]: a java.lang.Double cannot be sent;"
                + " values are null, Long, Integer, String, byte[] or List",
                Frame.request(1, Ops.MESSAGE, List.of(List.of(1L, 2.5))));
        assertEncode("values[0][0][0][0][0][0][0][0][0]: lists nested 9 deep, more than the limit of 8",
                Frame.request(1, Ops.MESSAGE, List.of(nested(9, "too deep"))));
        assertEncode("status -1 is outside the u32 range 0..4294967295", Frame.reply(1, -1, "", "", List.of()));
        assertEncode("status 4294967296 is outside the u32 range 0..4294967295",
                Frame.reply(1, 0x1_0000_0000L, "", "", List.of()));
        assertEncode("op 65536 does not fit in the u16 op field", Frame.request(1, 0x10000, List.of()));
        assertEncode("unknown frame kind 3 (1 = request, 2 = reply)", new Frame(3, 1, 0, 0, "", "", List.of()));
        assertEncode("a reply has no op, but this one has op 2", new Frame(2, 1, 2, 0, "", "", List.of()));
        assertEncode("a request has no status, api or message, but this one has status 5, api \"\", message \"\"",
                new Frame(1, 1, 2, 5, "", "", List.of()));
    }

    @Test
    void encodingRefusesAListThatContainsItself() {
        List<Object> loop = new ArrayList<>();
        loop.add(loop);
        assertEncode("values[0][0][0][0][0][0][0][0][0]: lists nested 9 deep, more than the limit of 8",
                Frame.request(1, Ops.FORMAT_RECORD, List.of(loop)));
    }

    @Test
    void encodingRefusesFramesOverTheLimit() throws Exception {
        int fits = FrameCodec.MAX_FRAME - 16; // kind, id, op, count, tag and length take 16
        assertEquals(FrameCodec.MAX_FRAME + 4,
                FrameCodec.encode(Frame.request(1, Ops.MESSAGE, List.of(new byte[fits]))).length);
        assertEncode("frame exceeds the 16 MiB limit: values[0] would end at byte 16777217 of at most 16777216",
                Frame.request(1, Ops.MESSAGE, List.of(new byte[fits + 1])));
        assertEncode("frame exceeds the 16 MiB limit: values[1] would end at byte 16777217 of at most 16777216",
                Frame.request(1, Ops.MESSAGE, List.of(new byte[fits], "x".repeat(5))));
    }

    // ---- Frame and Ops -------------------------------------------------------------------------

    @Test
    void framesCompareByteArraysByContentAndKeepTheirValues() {
        Frame a = Frame.request(1, Ops.MESSAGE, Arrays.asList(null, List.of(new byte[] {1, 2})));
        Frame b = Frame.request(1, Ops.MESSAGE, Arrays.asList(null, List.of(new byte[] {1, 2})));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, Frame.request(1, Ops.MESSAGE, Arrays.asList(null, List.of(new byte[] {1, 3}))));
        assertTrue(a.isRequest());
        assertFalse(Frame.reply(1, 0, "", "", List.of()).isRequest());
        assertThrows(UnsupportedOperationException.class, () -> a.values().add(1L));
        assertEquals("request 1 MESSAGE [null, [byte[2]]]", a.toString());
    }

    @Test
    void opsAreNamed() {
        assertEquals("GET_PROPERTY", Ops.name(Ops.GET_PROPERTY));
        assertEquals("RESULT", Ops.name(9));
        assertEquals("op 42", Ops.name(42));
        assertEquals(1, Ops.PROTOCOL_VERSION);
    }

    // ---- helpers -------------------------------------------------------------------------------

    /** Encodes, decodes and reads back; both must give the frame itself. */
    private static Frame roundTrip(Frame f) throws IOException {
        byte[] wire = FrameCodec.encode(f);
        Frame decoded = decodeWhole(wire);
        assertEquals(f, decoded);
        ByteArrayInputStream in = new ByteArrayInputStream(wire);
        assertEquals(f, FrameCodec.read(in));
        assertNull(FrameCodec.read(in));
        assertArrayEquals(wire, FrameCodec.encode(decoded));
        return decoded;
    }

    /** Decodes a whole frame after checking that its length prefix is right. */
    private static Frame decodeWhole(byte[] wire) throws ProtocolException {
        int length = (wire[0] & 0xFF) | (wire[1] & 0xFF) << 8 | (wire[2] & 0xFF) << 16 | (wire[3] & 0xFF) << 24;
        assertEquals(wire.length - 4, length);
        return FrameCodec.decode(Arrays.copyOfRange(wire, 4, wire.length));
    }

    private static Object nested(int lists, Object bottom) {
        Object v = bottom;
        for (int i = 0; i < lists; i++) {
            v = List.of(v);
        }
        return v;
    }

    private static byte[] hex(String... parts) {
        return HexFormat.of().parseHex(String.join("", parts).replace(" ", ""));
    }

    private static void assertDecode(String message, String... body) {
        assertRefused(message, () -> FrameCodec.decode(hex(body)));
        // The same body behind a correct length prefix must fail the same way in read().
        byte[] bytes = hex(body);
        byte[] whole = new byte[bytes.length + 4];
        whole[0] = (byte) bytes.length;
        whole[1] = (byte) (bytes.length >>> 8);
        System.arraycopy(bytes, 0, whole, 4, bytes.length);
        assertRead(message, whole);
    }

    private static void assertRead(String message, byte[] stream) {
        assertRefused(message, () -> FrameCodec.read(new ByteArrayInputStream(stream)));
    }

    private static void assertEncode(String message, Frame f) {
        assertRefused(message, () -> FrameCodec.encode(f));
    }

    private static void assertRefused(String message, Executable action) {
        assertEquals(message, assertThrows(ProtocolException.class, action).getMessage());
    }
}
