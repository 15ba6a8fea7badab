package io.inuse.pe;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Builds small PE images in memory for the reader's tests: a DOS header, a PE32 or PE32+ header,
 * one .rsrc section holding a type/name/language resource tree with a VS_VERSIONINFO. The
 * offsets of interest are public so that tests can corrupt exactly one structure.
 */
public final class TestImages {
    static final int PE_OFFSET = 0x80;
    static final int RSRC_FILE_OFFSET = 0x200;
    static final int RSRC_RVA = 0x1000;
    static final int NAME_DIRECTORY = 0x18;      // relative to the resource root
    static final int VERSION_DATA = 0x58;        // relative to the resource root

    public int machine = PeInfo.MACHINE_AMD64;
    public boolean dll = true;
    public boolean withResources = true;
    public int[] fileVersion = {1, 2, 3, 4};
    int[] productVersion = {1, 2, 0, 0};
    int resourceLanguage = 1033;
    int[] translations = {1033};

    public byte[] build() {
        boolean plus = machine != PeInfo.MACHINE_I386;
        int optionalSize = plus ? 240 : 224;
        byte[] rsrc = withResources ? resourceSection() : new byte[0];
        int rawSize = (rsrc.length + 0x1FF) & ~0x1FF;
        ByteBuffer b = ByteBuffer.allocate(RSRC_FILE_OFFSET + rawSize).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0x5A4D).putInt(0x3C, PE_OFFSET);
        b.putInt(PE_OFFSET, 0x00004550);
        int fh = PE_OFFSET + 4;
        b.putShort(fh, (short) machine).putShort(fh + 2, (short) (withResources ? 1 : 0));
        b.putShort(fh + 16, (short) optionalSize).putShort(fh + 18, (short) (0x0002 | (dll ? 0x2000 : 0)));
        int opt = fh + 20;
        b.putShort(opt, (short) (plus ? 0x20B : 0x10B));
        int directories = plus ? 108 : 92;
        b.putInt(opt + directories, 16);
        if (withResources) {
            b.putInt(opt + directories + 4 + 16, RSRC_RVA).putInt(opt + directories + 4 + 20, rsrc.length);
            int section = opt + optionalSize;
            b.put(section, ".rsrc".getBytes(StandardCharsets.US_ASCII));
            b.putInt(section + 8, rsrc.length).putInt(section + 12, RSRC_RVA);
            b.putInt(section + 16, rawSize).putInt(section + 20, RSRC_FILE_OFFSET);
            b.put(RSRC_FILE_OFFSET, rsrc);
        }
        return b.array();
    }

    private byte[] resourceSection() {
        byte[] version = versionInfo();
        ByteBuffer r = ByteBuffer.allocate(VERSION_DATA + version.length).order(ByteOrder.LITTLE_ENDIAN);
        directory(r, 0, 16, 0x8000_0000 | NAME_DIRECTORY);          // type RT_VERSION
        directory(r, NAME_DIRECTORY, 1, 0x8000_0000 | 0x30);        // name 1
        directory(r, 0x30, resourceLanguage, 0x48);                 // language -> data entry
        r.putInt(0x48, RSRC_RVA + VERSION_DATA).putInt(0x4C, version.length);
        r.put(VERSION_DATA, version);
        return r.array();
    }

    private static void directory(ByteBuffer r, int at, int id, int target) {
        r.putShort(at + 14, (short) 1);
        r.putInt(at + 16, id).putInt(at + 20, target);
    }

    private byte[] versionInfo() {
        ByteBuffer fixed = ByteBuffer.allocate(52).order(ByteOrder.LITTLE_ENDIAN);
        fixed.putInt(0xFEEF04BD).putInt(0x00010000);
        fixed.putInt(fileVersion[0] << 16 | fileVersion[1]).putInt(fileVersion[2] << 16 | fileVersion[3]);
        fixed.putInt(productVersion[0] << 16 | productVersion[1]).putInt(productVersion[2] << 16 | productVersion[3]);
        ByteBuffer translation = ByteBuffer.allocate(4 * translations.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int language : translations) {
            translation.putShort((short) language).putShort((short) 1200);
        }
        byte[] var = block("Translation", translation.array(), 0, new byte[0]);
        byte[] varFileInfo = block("VarFileInfo", new byte[0], 1, var);
        byte[] strings = block("StringFileInfo", new byte[0], 1,
                block("040904b0", new byte[0], 1, block("FileVersion", utf16z("1.2.3.4"), 1, new byte[0])));
        return block("VS_VERSION_INFO", fixed.array(), 0, concat(strings, varFileInfo));
    }

    /** One version block; {@code type} 1 means a text value whose length counts WCHARs. */
    static byte[] block(String key, byte[] value, int type, byte[] children) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] keyBytes = utf16z(key);
        int headerAndKey = 6 + keyBytes.length;
        int valueStart = (headerAndKey + 3) & ~3;
        int childrenStart = (valueStart + value.length + 3) & ~3;
        int length = children.length == 0 ? valueStart + value.length : childrenStart + children.length;
        ByteBuffer b = ByteBuffer.allocate((length + 3) & ~3).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort((short) length).putShort((short) (type == 1 ? value.length / 2 : value.length)).putShort((short) type);
        b.put(keyBytes);
        b.put(valueStart, value);
        b.put(childrenStart, children);
        out.writeBytes(b.array());
        return out.toByteArray();
    }

    static byte[] utf16z(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_16LE);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
