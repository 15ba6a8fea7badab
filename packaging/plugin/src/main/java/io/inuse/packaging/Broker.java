package io.inuse.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Builds the custom-action DLL (src/broker) with mingw-w64, the engine pak linked in as its
 * INUSE_PAK resource.
 */
final class Broker {
    static final String FILE_NAME = "inuse-broker.dll";

    private Broker() {
    }

    static Path build(Toolchain tools, Path sources, byte[] pak, Path outDir) {
        Path pakFile = outDir.resolve("engine.pak");
        Path rc = outDir.resolve("pak.rc");
        List<String> cFiles;
        try {
            Files.createDirectories(outDir);
            Files.write(pakFile, pak);
            // windres reads the path inside a C string: forward slashes need no escaping
            Files.writeString(rc, "INUSE_PAK RCDATA \"" + pakFile.toAbsolutePath().toString().replace('\\', '/') + "\"\n");
            try (Stream<Path> files = Files.list(sources)) {
                cFiles = files.map(Path::toString).filter(name -> name.endsWith(".c")).sorted().toList();
            }
        } catch (IOException e) {
            throw new BuildException("cannot prepare the broker build in " + outDir + ": " + e.getMessage(), e);
        }
        Path res = outDir.resolve("pak.res");
        tools.run(outDir, Toolchain.WINDRES, List.of(rc.toString(), "-O", "coff", "-o", res.toString()));
        Path dll = outDir.resolve(FILE_NAME);
        List<String> args = new ArrayList<>(List.of("-shared", "-O2", "-s", "-Wall", "-Wextra", "-Werror",
                "-Wl,--no-insert-timestamp", "-o", dll.toString()));
        args.addAll(cFiles);
        args.addAll(List.of(sources.resolve("broker.def").toString(), res.toString(),
                "-lmsi", "-lbcrypt", "-ladvapi32", "-lshell32", "-lole32", "-luuid"));
        tools.run(outDir, Toolchain.GCC, args);
        return dll;
    }
}
