package io.inuse.pe;

import java.util.List;
import java.util.Optional;

/**
 * What the product needs to know about a PE image: its machine, whether it is a DLL, and the
 * version resource's FileVersion, ProductVersion and languages (the File table's Version and
 * Language columns, and the version check before a replace).
 *
 * @param machine        IMAGE_FILE_HEADER.Machine, see {@link #machineName()}
 * @param languages      from VarFileInfo\Translation, else the resource's language id; may be empty
 */
public record PeInfo(String file, int machine, boolean dll, Optional<FileVersion> fileVersion,
        Optional<FileVersion> productVersion, List<Integer> languages) {

    public static final int MACHINE_I386 = 0x014C;
    public static final int MACHINE_AMD64 = 0x8664;
    public static final int MACHINE_ARM64 = 0xAA64;

    public PeInfo {
        languages = List.copyOf(languages);
    }

    public boolean isX64() {
        return machine == MACHINE_AMD64;
    }

    public String machineName() {
        return switch (machine) {
            case MACHINE_I386 -> "x86";
            case MACHINE_AMD64 -> "x64";
            case MACHINE_ARM64 -> "ARM64";
            default -> String.format("unknown machine 0x%04x", machine);
        };
    }

    /** The languages as Windows Installer's File.Language column writes them: "1033,1031". */
    public String languageColumn() {
        return String.join(",", languages.stream().map(String::valueOf).toList());
    }
}
