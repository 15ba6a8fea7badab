package io.inuse.packaging;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The engine's classes, the package's target list ({@link PackageTargets}, added by
 * {@link PackageBuilder} once the payload is known) and, when the build was given one, a Java runtime image, packed into the
 * broker DLL's INUSE_PAK resource (docs/pak.md): a small uncompressed archive whose every entry
 * carries the SHA-256 the broker checks after extracting it. Uncompressed because a jlink image
 * compresses its own modules file, the bulk of it.
 */
public final class EnginePak {
    static final byte[] MAGIC = "INUSEPAK".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final String ENGINE_JAR = "engine/inuse-engine.jar";
    /** The package's target list ({@link PackageTargets}), on the engine's class path beside the engine jar. */
    static final String TARGETS_JAR = "engine/inuse-targets.jar";
    static final String RUNTIME = "runtime/";

    /** One file of the pak: a '/'-separated relative name, its bytes, and the digest recorded for it. */
    public record Entry(String name, byte[] data, byte[] sha256) {
        public static Entry of(String name, byte[] data) {
            return new Entry(name, data, EnginePak.sha256(data));
        }
    }

    private EnginePak() {
    }

    /**
     * The entries for an engine jar and an optional runtime image folder (every regular file, sorted);
     * the image must pass the broker's runtime checks ({@link RuntimeImage}).
     */
    public static List<Entry> entries(Path engineJar, Path runtimeImage) {
        List<Entry> entries = new ArrayList<>();
        entries.add(Entry.of(ENGINE_JAR, read(engineJar)));
        if (runtimeImage != null) {
            RuntimeImage.check(runtimeImage);
            try (Stream<Path> files = Files.walk(runtimeImage)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    String relative = runtimeImage.relativize(file).toString().replace('\\', '/');
                    entries.add(Entry.of(RUNTIME + relative, read(file)));
                }
            } catch (IOException e) {
                throw new BuildException("cannot read the runtime image " + runtimeImage + ": " + e.getMessage(), e);
            }
        }
        return entries;
    }

    public static byte[] write(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.writeBytes(le(4, VERSION));
        out.writeBytes(le(4, entries.size()));
        for (Entry entry : entries) {
            byte[] name = entry.name().getBytes(StandardCharsets.UTF_8);
            if (name.length == 0 || name.length > 0xFFFF || entry.sha256().length != 32) {
                throw new BuildException("pak entry '" + entry.name() + "' has no valid name or digest");
            }
            out.writeBytes(le(2, name.length));
            out.writeBytes(name);
            out.writeBytes(le(8, entry.data().length));
            out.writeBytes(entry.sha256());
            out.writeBytes(entry.data());
        }
        return out.toByteArray();
    }

    /** Reads a pak back (tests, and the check that no test runtime ships). */
    /**
     * The entries of the pak inside a built broker DLL (the INUSE_PAK resource starts with the magic
     * and version 1; the same magic without the version also appears in the DLL's code).
     */
    public static List<Entry> inBrokerDll(byte[] dll) {
        String text = new String(dll, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("INUSEPAK\u0001\u0000\u0000\u0000");
        if (at < 0) {
            throw new BuildException("the broker DLL holds no pak (INUSEPAK version 1): it was not built by this build");
        }
        return read(java.util.Arrays.copyOfRange(dll, at, dll.length));
    }

    public static List<Entry> read(byte[] pak) {
        ByteBuffer in = ByteBuffer.wrap(pak).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[8];
        in.get(magic);
        if (!java.util.Arrays.equals(magic, MAGIC) || in.getInt() != VERSION) {
            throw new BuildException("not an INUSEPAK version " + VERSION);
        }
        int count = in.getInt();
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] name = new byte[Short.toUnsignedInt(in.getShort())];
            in.get(name);
            byte[] data = new byte[Math.toIntExact(in.getLong())];
            byte[] digest = new byte[32];
            in.get(digest);
            in.get(data);
            entries.add(new Entry(new String(name, StandardCharsets.UTF_8), data, digest));
        }
        return entries;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static byte[] le(int bytes, long value) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return b;
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new BuildException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
