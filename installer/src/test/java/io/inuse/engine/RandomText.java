package io.inuse.engine;

import java.util.Random;

/** Random text for the fuzz tests: the given special characters, surrogate pairs, other BMP characters, printable ASCII. */
public final class RandomText {
    private RandomText() {
    }

    /** {@code length} characters or surrogate pairs, each one of: a special (1 in 6), a pair, a BMP character below the surrogates, ASCII. */
    public static String of(Random random, int length, char[] specials) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(6)) {
                case 0 -> sb.append(specials[random.nextInt(specials.length)]);
                case 1 -> sb.appendCodePoint(0x10000 + random.nextInt(0x100000)); // a surrogate pair
                case 2 -> sb.append((char) (0x80 + random.nextInt(0xD800 - 0x80)));
                default -> sb.append((char) (0x20 + random.nextInt(0x5F)));
            }
        }
        return sb.toString();
    }
}
