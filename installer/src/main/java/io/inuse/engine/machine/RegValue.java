package io.inuse.engine.machine;

import java.util.Arrays;

/**
 * A registry value as stored: its {@code REG_*} type and its raw bytes, every NUL of a
 * {@code REG_MULTI_SZ} included. Equal by content; the bytes are copied in and out.
 */
public final class RegValue {
    public static final int REG_NONE = 0;
    public static final int REG_SZ = 1;
    public static final int REG_EXPAND_SZ = 2;
    public static final int REG_BINARY = 3;
    public static final int REG_DWORD = 4;
    public static final int REG_MULTI_SZ = 7;
    public static final int REG_QWORD = 11;

    private final int type;
    private final byte[] data;

    public RegValue(int type, byte[] data) {
        this.type = type;
        this.data = data.clone();
    }

    public int type() {
        return type;
    }

    public byte[] data() {
        return data.clone();
    }

    public int length() {
        return data.length;
    }

    /** A REG_SZ holding {@code text} and its terminating NUL. */
    public static RegValue sz(String text) {
        return new RegValue(REG_SZ, (text + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_16LE));
    }

    /** A string value's text (REG_SZ or REG_EXPAND_SZ, as stored: unexpanded), up to its first NUL; null for any other type. */
    public String string() {
        if (type != REG_SZ && type != REG_EXPAND_SZ) {
            return null;
        }
        String text = new String(data, java.nio.charset.StandardCharsets.UTF_16LE);
        int nul = text.indexOf('\0');
        return nul >= 0 ? text.substring(0, nul) : text;
    }

    /** Whether REG_WRITE takes this type with this many bytes: the types above, DWORD 4, QWORD 8, strings even. */
    public boolean writable() {
        return switch (type) {
            case REG_NONE, REG_BINARY -> true;
            case REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ -> data.length % 2 == 0;
            case REG_DWORD -> data.length == 4;
            case REG_QWORD -> data.length == 8;
            default -> false;
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RegValue v && type == v.type && Arrays.equals(data, v.data);
    }

    @Override
    public int hashCode() {
        return type * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("RegValue[type=").append(type).append(", ").append(data.length).append(" bytes:");
        for (int i = 0; i < data.length && i < 64; i++) {
            text.append(' ').append(Character.forDigit(data[i] >> 4 & 0xF, 16)).append(Character.forDigit(data[i] & 0xF, 16));
        }
        return text.append(data.length > 64 ? " ...]" : "]").toString();
    }
}
