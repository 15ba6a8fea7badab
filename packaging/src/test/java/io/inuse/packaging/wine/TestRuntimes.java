package io.inuse.packaging.wine;

import io.inuse.packaging.Toolchain;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Java "runtimes" for the Wine scenarios: folders shaped like a Windows runtime (bin\java.exe and a
 * release file) whose java.exe is the stand-in relay (src/testtools/javarelay.c) that runs the
 * build machine's Linux JVM. Test scaffolding only: never in a released package. Misbehaving
 * engines come from here too, through the relay's {@code main=} (a test engine class on
 * {@code classpath.append}), never from switches in the shipped engine.
 */
final class TestRuntimes {
    static final String RELAY_MARKER = "inuse test stand-in";
    private final Path root;
    private final Path relay;
    private final Path testClasses;

    TestRuntimes(Path root, Path repo, Path testClasses) throws IOException {
        this.root = root;
        this.testClasses = testClasses;
        this.relay = root.resolve("javarelay.exe");
        Files.createDirectories(root);
        new Toolchain().run(root, Toolchain.GCC, List.of("-municode", "-O2", "-Wall", "-Werror", "-o", relay.toString(),
                repo.resolve("src/testtools/javarelay.c").toString(), "-lws2_32"));
    }

    /** A working runtime on the Linux JVM of this build. */
    Path good() throws IOException {
        return make("good", "17.0.15", null);
    }

    /** A runtime whose java runs the given test engine class instead of the engine. */
    Path runningTestEngine(String name, Class<?> engine) throws IOException {
        return make(name, "17.0.15", engine.getName());
    }

    Path withReleaseVersion(String name, String javaVersion) throws IOException {
        return make(name, javaVersion, null);
    }

    /** A working runtime whose JVM also gets these options, before the broker's own (the relay's jvm.options). */
    Path withJvmOptions(String name, String options) throws IOException {
        Path dir = make(name, "17.0.15", null);
        Files.writeString(dir.resolve("bin/relay.properties"), "jvm.options=" + options + "\n", java.nio.file.StandardOpenOption.APPEND);
        return dir;
    }

    Path withoutJavaExe() throws IOException {
        Path dir = make("no-java-exe", "17.0.15", null);
        Files.delete(dir.resolve("bin/java.exe"));
        return dir;
    }

    /** A runtime whose java.exe says, in its PE header, that it is a 32-bit x86 program. */
    Path thirtyTwoBit() throws IOException {
        Path dir = make("x86", "17.0.15", null);
        Path exe = dir.resolve("bin/java.exe");
        byte[] bytes = Files.readAllBytes(exe);
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(b.getInt(0x3C) + 4, (short) 0x014C);
        Files.write(exe, bytes);
        return dir;
    }

    private Path make(String name, String javaVersion, String mainClass) throws IOException {
        Path dir = root.resolve(name);
        Files.createDirectories(dir.resolve("bin"));
        Files.copy(relay, dir.resolve("bin/java.exe"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(dir.resolve("release"), "IMPLEMENTOR=\"" + RELAY_MARKER + "\"\nJAVA_VERSION=\"" + javaVersion + "\"\n");
        StringBuilder config = new StringBuilder("# " + RELAY_MARKER + ": runs the Linux JVM of the build\n");
        config.append("java=").append(Path.of(System.getProperty("java.home"), "bin", "java")).append('\n');
        if (mainClass != null) {
            config.append("main=").append(mainClass).append('\n');
            config.append("classpath.append=").append(testClasses).append('\n');
        }
        Files.writeString(dir.resolve("bin/relay.properties"), config);
        return dir;
    }
}
