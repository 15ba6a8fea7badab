package io.inuse.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import io.inuse.engine.RandomText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random valid frames, then the same frames damaged: whatever the bytes, decode and read must
 * give a frame or a ProtocolException and nothing else (the broker's bytes cannot be trusted to
 * be well formed). A frame decoded from damaged bytes must still encode back to exactly those
 * bytes, since the encoding is canonical. The seed is fixed so that a failure can be replayed.
 */
class FrameFuzzTest {
    private static final long SEED = 0x1A5E_F00DL;
    private static final int ROUNDS = 120_000;
    private static final char[] SPECIALS = {'\0', '\n', '\r', '\t', '"', '\\', 'ë', 'ß', '東', '京', '\u0080',
        '\u07FF', '\u0800', '\uFFFD', '\uFFFF', '\u200B'};

    private Random random;
    private int round;

    /** The outcome of one decode or read: a frame (null for a clean end of stream) or the refusal. */
    private record Outcome(Frame frame, ProtocolException refusal) {
    }

    @Test
    @Timeout(120) // a codec that loops forever on some input must fail, not hang the build
    void anyBytesGiveAFrameOrAProtocolException() throws Exception {
        random = new Random(SEED);
        long start = System.nanoTime();
        int decodedDespiteDamage = 0;
        for (round = 0; round < ROUNDS; round++) {
            Frame original = randomFrame();
            byte[] wire = attempt("encode", null, () -> FrameCodec.encode(original));
            checkIntact(original, wire);
            byte[] damaged = mutate(wire);
            if (checkDamaged(damaged)) {
                decodedDespiteDamage++;
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("FrameFuzzTest: %d rounds (seed %#x) in %d ms; %d damaged frames still decoded%n",
                ROUNDS, SEED, millis, decodedDespiteDamage);
    }

    private void checkIntact(Frame original, byte[] wire) throws Exception {
        byte[] body = Arrays.copyOfRange(wire, 4, wire.length);
        Outcome decoded = outcome("decode intact", body, () -> FrameCodec.decode(body));
        assertEquals(original, decoded.frame(), () -> where("the intact frame decoded differently" + why(decoded)));
        ByteArrayInputStream in = new ByteArrayInputStream(wire);
        Outcome read = outcome("read intact", wire, () -> FrameCodec.read(in));
        assertEquals(original, read.frame(), () -> where("the intact frame read differently" + why(read)));
        assertNull(FrameCodec.read(in), () -> where("read found more than one frame"));
    }

    /** True when the damaged body still decoded. */
    private boolean checkDamaged(byte[] damaged) throws Exception {
        byte[] body = damaged.length < 4 ? new byte[0] : Arrays.copyOfRange(damaged, 4, damaged.length);
        Outcome decoded = outcome("decode damaged", body, () -> FrameCodec.decode(body));
        if (decoded.frame() != null) {
            byte[] again = attempt("re-encode", body, () -> FrameCodec.encode(decoded.frame()));
            assertArrayEquals(body, Arrays.copyOfRange(again, 4, again.length),
                    () -> where("a decoded frame encoded differently"));
        }
        Outcome read = outcome("read damaged", damaged, () -> FrameCodec.read(new ByteArrayInputStream(damaged)));
        if (read.refusal() == null && read.frame() == null && damaged.length != 0) {
            fail(where("read reported a clean end of a stream of " + damaged.length + " bytes"));
        }
        if (read.frame() != null) {
            byte[] again = attempt("re-encode", damaged, () -> FrameCodec.encode(read.frame()));
            assertArrayEquals(again, Arrays.copyOf(damaged, again.length),
                    () -> where("a read frame encoded differently"));
        }
        return decoded.frame() != null;
    }

    private Outcome outcome(String step, byte[] input, Callable<Frame> action) {
        try {
            return new Outcome(attempt(step, input, action), null);
        } catch (ProtocolException e) {
            return new Outcome(null, e);
        }
    }

    /** Runs one step; a ProtocolException passes through, anything else fails the test. */
    private <T> T attempt(String step, byte[] input, Callable<T> action) throws ProtocolException {
        try {
            return action.call();
        } catch (ProtocolException e) {
            throw e;
        } catch (Throwable t) { // also Errors: a StackOverflowError or OutOfMemoryError is a bug here
            String bytes = input == null ? ""
                    : " on " + HexFormat.of().formatHex(input, 0, Math.min(input.length, 200));
            throw new AssertionError(where(step + " threw " + t + bytes), t);
        }
    }

    private static String why(Outcome outcome) {
        return outcome.refusal() == null ? "" : ": " + outcome.refusal().getMessage();
    }

    private String where(String what) {
        return String.format("round %d (seed %#x): %s", round, SEED, what);
    }

    // ---- valid frames ------------------------------------------------------------------------

    private Frame randomFrame() {
        List<Object> values = randomList(0);
        int id = random.nextInt(4) == 0 ? -1 : random.nextInt();
        if (random.nextBoolean()) {
            int op = random.nextInt(3) == 0 ? random.nextInt(0x10000) : 1 + random.nextInt(9);
            return Frame.request(id, op, values);
        }
        long status = switch (random.nextInt(4)) {
            case 0 -> 0L;
            case 1 -> 0xFFFF_FFFFL;
            default -> random.nextLong() & 0xFFFF_FFFFL;
        };
        return Frame.reply(id, status, randomString(), randomString(), values);
    }

    /** depth is the nesting of the list: 0 for the frame's own value list. */
    private List<Object> randomList(int depth) {
        int count = random.nextInt(depth == 0 ? 7 : 4);
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(randomValue(depth));
        }
        return list;
    }

    private Object randomValue(int depth) {
        if (depth < FrameCodec.MAX_DEPTH && random.nextInt(depth == 0 ? 5 : 3) == 0) {
            // Random nesting rarely goes deep: now and then, a chain of lists down to the limit.
            return depth == 0 && random.nextInt(10) == 0 ? chain() : randomList(depth + 1);
        }
        return switch (random.nextInt(4)) {
            case 0 -> null;
            case 1 -> randomLong();
            case 2 -> randomString();
            default -> randomBytes();
        };
    }

    private Object chain() {
        int lists = 1 + random.nextInt(FrameCodec.MAX_DEPTH);
        Object v = randomValue(FrameCodec.MAX_DEPTH);
        for (int depth = lists; depth > 0; depth--) {
            List<Object> list = randomList(depth);
            list.add(random.nextInt(list.size() + 1), v);
            v = list;
        }
        return v;
    }

    private Long randomLong() {
        return switch (random.nextInt(4)) {
            case 0 -> (long) random.nextInt(2000) - 1000;
            case 1 -> random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
            default -> random.nextLong();
        };
    }

    private String randomString() {
        int length = random.nextInt(20) == 0 ? random.nextInt(300) : random.nextInt(10);
        return RandomText.of(random, length, SPECIALS);
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[random.nextInt(20) == 0 ? random.nextInt(500) : random.nextInt(12)];
        random.nextBytes(bytes);
        return bytes;
    }

    // ---- damage --------------------------------------------------------------------------------

    private byte[] mutate(byte[] wire) {
        byte[] b = wire;
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            b = switch (random.nextInt(7)) {
                case 0 -> flip(b);
                case 1 -> Arrays.copyOf(b, random.nextInt(b.length + 1));
                case 2 -> insert(b);
                case 3 -> delete(b);
                case 4 -> putU32(b, 0);
                case 5 -> b.length < 4 ? b : putU32(b, random.nextInt(b.length - 3));
                default -> setByte(b, random.nextInt(12));
            };
        }
        return b;
    }

    private byte[] flip(byte[] b) {
        return b.length == 0 ? b : setByte(b, b[random.nextInt(b.length)] ^ (1 << random.nextInt(8)));
    }

    private byte[] setByte(byte[] b, int value) {
        if (b.length == 0) {
            return b;
        }
        byte[] copy = b.clone();
        copy[random.nextInt(copy.length)] = (byte) value;
        return copy;
    }

    private byte[] insert(byte[] b) {
        int at = random.nextInt(b.length + 1);
        byte[] extra = new byte[1 + random.nextInt(8)];
        random.nextBytes(extra);
        byte[] copy = new byte[b.length + extra.length];
        System.arraycopy(b, 0, copy, 0, at);
        System.arraycopy(extra, 0, copy, at, extra.length);
        System.arraycopy(b, at, copy, at + extra.length, b.length - at);
        return copy;
    }

    private byte[] delete(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        int at = random.nextInt(b.length);
        int n = 1 + random.nextInt(Math.min(8, b.length - at));
        byte[] copy = new byte[b.length - n];
        System.arraycopy(b, 0, copy, 0, at);
        System.arraycopy(b, at + n, copy, at, b.length - at - n);
        return copy;
    }

    /** Overwrites a length, count or id with a value chosen to hit the edges of the checks. */
    private byte[] putU32(byte[] b, int at) {
        if (b.length < at + 4) {
            return b;
        }
        long left = b.length - at - 4;
        long[] edges = {0, 1, 4, 5, left - 1, left, left + 1, FrameCodec.MAX_FRAME, FrameCodec.MAX_FRAME + 1L,
            0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, random.nextInt() & 0xFFFF_FFFFL};
        long v = edges[random.nextInt(edges.length)];
        byte[] copy = b.clone();
        for (int i = 0; i < 4; i++) {
            copy[at + i] = (byte) (v >>> (8 * i));
        }
        return copy;
    }
}
