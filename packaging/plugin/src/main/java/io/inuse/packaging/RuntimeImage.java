package io.inuse.packaging;

import io.inuse.pe.PeFormatException;
import io.inuse.pe.PeInfo;
import io.inuse.pe.PeReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The build-time form of the broker's runtime check (src/broker/runtime.c, runtime_check): a runtime
 * image given with -Dinuse.runtimeImage must have a bin/java.exe that is an x64 Windows program and a
 * release file whose JAVA_VERSION is 17 or later, read by the same rule as release_version (the first
 * 'JAVA_VERSION="' in the first 16 KiB, at the start of a line; the number before the first dot, or
 * the one after "1." for old versions such as "1.8.0_292", which is 8). An image the broker would
 * refuse on the target is refused here, with one line.
 */
final class RuntimeImage {
    static final int MIN_JAVA = 17;
    private static final String KEY = "JAVA_VERSION=\"";
    private static final int RELEASE_BYTES = 16383;

    private RuntimeImage() {
    }

    static void check(Path image) {
        String what = "runtime image " + image;
        String hint = ": give -Dinuse.runtimeImage the folder of a Windows x64 Java " + MIN_JAVA
                + "+ runtime (on a Windows build host, the output of jlink), or drop it to use the target's Java";
        Path javaExe = image.resolve("bin/java.exe");
        if (!Files.isRegularFile(javaExe)) {
            throw new BuildException(what + " has no bin/java.exe" + hint);
        }
        PeInfo info;
        try {
            info = PeReader.read(javaExe.toString(), Files.readAllBytes(javaExe));
        } catch (PeFormatException e) {
            throw new BuildException(what + ": bin/java.exe is not a Windows program (" + e.getMessage() + ")" + hint, e);
        } catch (IOException e) {
            throw new BuildException(what + ": bin/java.exe cannot be read (" + e + ")" + hint, e);
        }
        if (!info.isX64()) {
            throw new BuildException(what + ": bin/java.exe is built for " + info.machineName() + ", not x64;"
                    + " the engine needs an x64 Java " + MIN_JAVA + " or later" + hint);
        }
        Path release = image.resolve("release");
        if (!Files.isRegularFile(release)) {
            throw new BuildException(what + " has no release file, so its Java version cannot be checked"
                    + " (JDKs, JREs and jlink images have one)" + hint);
        }
        String text;
        try (InputStream in = Files.newInputStream(release)) {
            text = new String(in.readNBytes(RELEASE_BYTES), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new BuildException(what + ": its release file cannot be read (" + e + ")" + hint, e);
        }
        String version = javaVersion(text);
        if (version == null) {
            throw new BuildException("the release file of " + what + " has no JAVA_VERSION line with a quoted version" + hint);
        }
        int feature = feature(version);
        if (feature < MIN_JAVA) {
            throw new BuildException(what + " is Java " + version + " (its release file); the engine needs Java " + MIN_JAVA
                    + " or later" + hint);
        }
    }

    /** The quoted JAVA_VERSION of a release file, or null: the broker's release_version. */
    static String javaVersion(String release) {
        int key = release.indexOf(KEY);
        if (key < 0 || (key > 0 && release.charAt(key - 1) != '\n')) {
            return null;
        }
        int start = key + KEY.length();
        int end = release.indexOf('"', start);
        if (end < 0 || end - start > 40) {
            return null;
        }
        return release.substring(start, end);
    }

    /** The feature release of a JAVA_VERSION as the broker reads it (atoi, "1.x" is x). */
    static int feature(String version) {
        int feature = leadingNumber(version);
        if (feature == 1 && version.length() > 1 && version.charAt(1) == '.') {
            feature = leadingNumber(version.substring(2));
        }
        return feature;
    }

    private static int leadingNumber(String text) {
        int value = 0;
        for (int i = 0; i < text.length() && text.charAt(i) >= '0' && text.charAt(i) <= '9' && value < 100_000; i++) {
            value = value * 10 + (text.charAt(i) - '0');
        }
        return value;
    }
}
