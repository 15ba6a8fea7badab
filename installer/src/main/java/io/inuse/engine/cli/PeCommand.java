package io.inuse.engine.cli;

import io.inuse.engine.machine.Machine;
import io.inuse.engine.session.SessionException;
import io.inuse.pe.FileVersion;
import io.inuse.pe.PeFormatException;
import io.inuse.pe.PeInfo;
import io.inuse.pe.PeReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code inuse pe <file>}: the machine, DLL or EXE, FileVersion, ProductVersion and languages, by the product's own PE reader. */
final class PeCommand {
    private final Machine machine;

    PeCommand(Machine machine) {
        this.machine = machine;
    }

    Cli.Answer run(String path) {
        PeInfo info;
        try {
            info = PeReader.read(path, read(machine, path));
        } catch (PeFormatException e) {
            throw new Cli.Failure(Cli.BAD_DATA, e.getMessage() + ". Give a Windows DLL or EXE");
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("file", path);
        model.put("machine", info.machineName());
        model.put("type", info.dll() ? "DLL" : "EXE");
        model.put("fileVersion", text(info.fileVersion()));
        model.put("productVersion", text(info.productVersion()));
        List<Object> languages = new ArrayList<>();
        for (Integer language : info.languages()) {
            languages.add(language);
        }
        model.put("languages", languages);
        List<String> text = new ArrayList<>();
        text.add(path);
        text.add("  machine:         " + info.machineName());
        text.add("  type:            " + (info.dll() ? "DLL" : "EXE"));
        text.add("  file version:    " + orNone(info.fileVersion()));
        text.add("  product version: " + orNone(info.productVersion()));
        StringBuilder langs = new StringBuilder();
        for (Integer language : info.languages()) {
            langs.append(langs.length() == 0 ? "" : ", ").append(language).append(String.format(" (0x%04x)", language));
        }
        text.add("  languages:       " + (langs.length() == 0 ? "none" : langs));
        return new Cli.Answer(Cli.OK, model, text);
    }

    /** A file's bytes through the machine; a missing file is NO_INPUT, an unreadable one FAILED, each with one line. */
    static byte[] read(Machine machine, String path) {
        try {
            return machine.readFile(path, Machine.FILE_READ_MAX);
        } catch (SessionException e) {
            if (e.win32Error() == 2 || e.win32Error() == 3) {
                throw new Cli.Failure(Cli.NO_INPUT, path + ": no such file. Give the full path of an existing file");
            }
            if (e.win32Error() == 223) {
                throw new Cli.Failure(Cli.BAD_DATA, path + " is larger than the " + Machine.FILE_READ_MAX + " bytes the command line reads");
            }
            throw new Cli.Failure(Cli.FAILED, path + " cannot be read: " + e.getMessage());
        }
    }

    private static String text(Optional<FileVersion> version) {
        return version.isPresent() ? version.get().toString() : null;
    }

    private static String orNone(Optional<FileVersion> version) {
        return version.isPresent() ? version.get().toString() : "none (no version resource)";
    }
}
