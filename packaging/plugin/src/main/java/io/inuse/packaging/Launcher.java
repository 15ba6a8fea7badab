package io.inuse.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The command line the package installs in {@code <Program Files>\inuse\<product id>\bin}: {@code inuse.exe}
 * (src/launcher, built with the broker's sources but its exports, src/broker/actions.c) and the two jars it
 * runs, the same bytes as the broker's pak carries: the engine and the package's target list.
 */
final class Launcher {
    static final String EXE = "inuse.exe";

    private Launcher() {
    }

    /** Builds inuse.exe and writes the jars beside it in {@code outDir}; the folder. */
    static Path build(Toolchain tools, Path repo, List<EnginePak.Entry> pak, Path outDir) {
        List<String> cFiles = new ArrayList<>();
        try {
            Files.createDirectories(outDir);
            for (String folder : List.of("src/broker", "src/launcher")) {
                try (Stream<Path> files = Files.list(repo.resolve(folder))) {
                    files.map(Path::toString).filter(name -> name.endsWith(".c") && !name.endsWith("actions.c")).sorted().forEach(cFiles::add);
                }
            }
            for (EnginePak.Entry entry : pak) {
                if (entry.name().equals(EnginePak.ENGINE_JAR) || entry.name().equals(EnginePak.TARGETS_JAR)) {
                    Files.write(outDir.resolve(entry.name().substring(entry.name().lastIndexOf('/') + 1)), entry.data());
                }
            }
        } catch (IOException e) {
            throw new BuildException("cannot prepare the command line's build in " + outDir + ": " + e.getMessage(), e);
        }
        List<String> args = new ArrayList<>(List.of("-municode", "-O2", "-s", "-Wall", "-Wextra", "-Werror",
                "-Wl,--no-insert-timestamp", "-o", outDir.resolve(EXE).toString()));
        args.addAll(cFiles);
        args.addAll(List.of("-lmsi", "-lbcrypt", "-ladvapi32", "-lshell32", "-lole32", "-luuid"));
        tools.run(outDir, Toolchain.GCC, args);
        return outDir;
    }
}
