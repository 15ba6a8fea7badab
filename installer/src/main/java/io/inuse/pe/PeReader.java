package io.inuse.pe;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the machine type and the version resource of a PE image (DLL or EXE) from its bytes.
 * The caller supplies the bytes: this class opens nothing, so the engine can use it on bytes the
 * broker read, and the build on the payload file.
 *
 * <p>Structures follow Microsoft's "PE Format" specification (IMAGE_DOS_HEADER, IMAGE_FILE_HEADER,
 * IMAGE_OPTIONAL_HEADER32/64, IMAGE_SECTION_HEADER, IMAGE_RESOURCE_DIRECTORY) and the
 * VS_VERSIONINFO / VS_FIXEDFILEINFO layout of the version resource. Every offset and length read
 * from the file is checked before use; anything out of bounds is a {@link PeFormatException}
 * naming the file and offset.
 */
public final class PeReader {
    private static final int DOS_MAGIC = 0x5A4D;               // "MZ"
    private static final int E_LFANEW = 0x3C;
    private static final int PE_SIGNATURE = 0x00004550;         // "PE\0\0"
    private static final int FILE_HEADER_SIZE = 20;
    private static final int OPTIONAL_MAGIC_PE32 = 0x10B;
    private static final int OPTIONAL_MAGIC_PE32_PLUS = 0x20B;
    private static final int SECTION_HEADER_SIZE = 40;
    private static final int MAX_SECTIONS = 96;                 // the loader's limit
    private static final int IMAGE_FILE_DLL = 0x2000;
    private static final int RESOURCE_DIRECTORY_INDEX = 2;
    private static final int RT_VERSION = 16;
    private static final int FIXED_FILE_INFO_SIGNATURE = 0xFEEF04BD;
    private static final int FIXED_FILE_INFO_SIZE = 52;

    private final String file;
    private final byte[] data;
    private final List<long[]> sections = new ArrayList<>(); // {virtualAddress, rawPointer, rawSize}

    private PeReader(String file, byte[] data) {
        this.file = file;
        this.data = data;
    }

    /**
     * @param file a name for messages (usually the path the bytes came from)
     * @throws PeFormatException when the bytes are not a well-formed PE image
     */
    public static PeInfo read(String file, byte[] data) throws PeFormatException {
        return new PeReader(file, data).parse();
    }

    private PeInfo parse() throws PeFormatException {
        if (data.length < 2 || u16(0, "DOS header") != DOS_MAGIC) {
            throw error(0, "not a PE file: no 'MZ' signature (is this really a DLL?)");
        }
        long peOffset = u32(E_LFANEW, "e_lfanew (offset of the PE header)");
        if (peOffset > data.length - 4L || u32(peOffset, "PE signature") != PE_SIGNATURE) {
            throw error(E_LFANEW, "e_lfanew points to 0x" + Long.toHexString(peOffset)
                    + ", where there is no 'PE\\0\\0' signature (not a PE image; a DOS or NE file?)");
        }
        long fileHeader = peOffset + 4;
        int machine = u16(fileHeader, "IMAGE_FILE_HEADER.Machine");
        int sectionCount = u16(fileHeader + 2, "IMAGE_FILE_HEADER.NumberOfSections");
        int optionalSize = u16(fileHeader + 16, "IMAGE_FILE_HEADER.SizeOfOptionalHeader");
        int characteristics = u16(fileHeader + 18, "IMAGE_FILE_HEADER.Characteristics");
        if (sectionCount > MAX_SECTIONS) {
            throw error(fileHeader + 2, sectionCount + " sections; Windows loads at most " + MAX_SECTIONS);
        }
        long optional = fileHeader + FILE_HEADER_SIZE;
        long resourceRva = resourceDirectoryRva(optional, optionalSize);
        readSections(optional + optionalSize, sectionCount);

        Optional<FileVersion> fileVersion = Optional.empty();
        Optional<FileVersion> productVersion = Optional.empty();
        List<Integer> languages = new ArrayList<>();
        if (resourceRva != 0) {
            long root = offsetOf(resourceRva, optional, "resource directory");
            long[] version = findVersionResource(root, languages);
            if (version != null) {
                VersionResource resource = readVersionResource(version[0], version[1]);
                fileVersion = Optional.ofNullable(resource.fileVersion);
                productVersion = Optional.ofNullable(resource.productVersion);
                if (!resource.translations.isEmpty()) {
                    languages = resource.translations;
                }
            }
        }
        return new PeInfo(file, machine, (characteristics & IMAGE_FILE_DLL) != 0, fileVersion,
                productVersion, languages);
    }

    /** The RVA of the resource data directory, or 0 when the image has none. */
    private long resourceDirectoryRva(long optional, int optionalSize) throws PeFormatException {
        int magic = u16(optional, "IMAGE_OPTIONAL_HEADER.Magic");
        int countOffset;
        if (magic == OPTIONAL_MAGIC_PE32) {
            countOffset = 92;
        } else if (magic == OPTIONAL_MAGIC_PE32_PLUS) {
            countOffset = 108;
        } else {
            throw error(optional, String.format("optional header magic 0x%x is neither PE32 (0x10b) nor PE32+ (0x20b)", magic));
        }
        if (optionalSize < countOffset + 4) {
            throw error(optional, "SizeOfOptionalHeader " + optionalSize + " is too small for the data directories");
        }
        long directoryCount = u32(optional + countOffset, "NumberOfRvaAndSizes");
        long directoriesEnd = countOffset + 4 + 8 * Math.min(directoryCount, 16);
        if (directoryCount <= RESOURCE_DIRECTORY_INDEX) {
            return 0;
        }
        if (directoriesEnd > optionalSize) {
            throw error(optional + countOffset, directoryCount + " data directories do not fit in SizeOfOptionalHeader " + optionalSize);
        }
        long entry = optional + countOffset + 4 + 8L * RESOURCE_DIRECTORY_INDEX;
        long rva = u32(entry, "resource data directory");
        long size = u32(entry + 4, "resource data directory size");
        return size == 0 ? 0 : rva;
    }

    private void readSections(long table, int count) throws PeFormatException {
        for (int i = 0; i < count; i++) {
            long header = table + (long) i * SECTION_HEADER_SIZE;
            String what = "section header " + i;
            long virtualAddress = u32(header + 12, what);
            long rawSize = u32(header + 16, what);
            long rawPointer = u32(header + 20, what);
            sections.add(new long[] {virtualAddress, rawPointer, rawSize});
        }
    }

    /** Maps an RVA to a file offset through the section table. */
    private long offsetOf(long rva, long where, String what) throws PeFormatException {
        for (long[] s : sections) {
            long va = s[0];
            if (rva >= va && rva < va + s[2]) {
                long offset = s[1] + (rva - va);
                if (offset >= data.length) {
                    break;
                }
                return offset;
            }
        }
        throw error(where, String.format("%s at RVA 0x%x lies in no section's data in the file", what, rva));
    }

    /**
     * Walks type, name and language levels of the resource tree to the first RT_VERSION entry.
     * Adds the language id of that entry to {@code languages}.
     *
     * @return {fileOffset, size} of the version resource's data, or null when there is none
     */
    private long[] findVersionResource(long root, List<Integer> languages) throws PeFormatException {
        Set<Long> visited = new HashSet<>();
        long typeEntry = findEntry(root, root, RT_VERSION, visited);
        if (typeEntry < 0) {
            return null;
        }
        long nameDirectory = subdirectory(root, typeEntry, visited);
        long nameEntry = findEntry(root, nameDirectory, -1, visited);
        if (nameEntry < 0) {
            return null;
        }
        long languageDirectory = subdirectory(root, nameEntry, visited);
        long languageEntry = findEntry(root, languageDirectory, -1, visited);
        if (languageEntry < 0) {
            return null;
        }
        long dataEntryField = u32(languageEntry + 4, "resource entry");
        if ((dataEntryField & 0x8000_0000L) != 0) {
            throw error(languageEntry + 4, "resource tree deeper than type/name/language: a directory where a data entry belongs");
        }
        long dataEntry = root + dataEntryField;
        long dataRva = u32(dataEntry, "IMAGE_RESOURCE_DATA_ENTRY.OffsetToData");
        long size = u32(dataEntry + 4, "IMAGE_RESOURCE_DATA_ENTRY.Size");
        long offset = offsetOf(dataRva, dataEntry, "version resource");
        if (size > data.length - offset) {
            throw error(dataEntry + 4, "version resource of " + size + " bytes runs past the end of the file");
        }
        int language = (int) (u32(languageEntry, "resource entry name") & 0xFFFF);
        languages.add(language);
        return new long[] {offset, size};
    }

    /** The entry with the given id in a directory (id -1: the first entry), or -1. */
    private long findEntry(long root, long directory, int id, Set<Long> visited) throws PeFormatException {
        if (!visited.add(directory)) {
            throw error(directory, "resource directory loop: this directory was already visited");
        }
        int named = u16(directory + 12, "IMAGE_RESOURCE_DIRECTORY.NumberOfNamedEntries");
        int ids = u16(directory + 14, "IMAGE_RESOURCE_DIRECTORY.NumberOfIdEntries");
        for (int i = 0; i < named + ids; i++) {
            long entry = directory + 16 + 8L * i;
            long name = u32(entry, "resource directory entry " + i);
            if (id < 0 || ((name & 0x8000_0000L) == 0 && name == id)) {
                u32(entry + 4, "resource directory entry " + i);
                return entry;
            }
        }
        return -1;
    }

    private long subdirectory(long root, long entry, Set<Long> visited) throws PeFormatException {
        long field = u32(entry + 4, "resource directory entry");
        if ((field & 0x8000_0000L) == 0) {
            throw error(entry + 4, "resource entry should point to a subdirectory but points to data");
        }
        long directory = root + (field & 0x7FFF_FFFFL);
        if (visited.contains(directory)) {
            throw error(entry + 4, String.format("resource directory loop: entry points back to 0x%x", directory));
        }
        return directory;
    }

    private static final class VersionResource {
        FileVersion fileVersion;
        FileVersion productVersion;
        List<Integer> translations = new ArrayList<>();
    }

    /** Parses VS_VERSIONINFO: the fixed file info, then VarFileInfo\Translation for languages. */
    private VersionResource readVersionResource(long start, long size) throws PeFormatException {
        VersionResource result = new VersionResource();
        long end = start + size;
        Block root = block(start, end, start, "VS_VERSIONINFO");
        if (!root.key.equals("VS_VERSION_INFO")) {
            throw error(start, "version resource key is '" + root.key + "', not VS_VERSION_INFO");
        }
        if (root.valueLength >= FIXED_FILE_INFO_SIZE) {
            if ((int) u32(root.value, "VS_FIXEDFILEINFO.dwSignature") != FIXED_FILE_INFO_SIGNATURE) {
                throw error(root.value, "VS_FIXEDFILEINFO signature is not 0xFEEF04BD");
            }
            result.fileVersion = FileVersion.fromDwords((int) u32(root.value + 8, "dwFileVersionMS"),
                    (int) u32(root.value + 12, "dwFileVersionLS"));
            result.productVersion = FileVersion.fromDwords((int) u32(root.value + 16, "dwProductVersionMS"),
                    (int) u32(root.value + 20, "dwProductVersionLS"));
        } else if (root.valueLength != 0) {
            throw error(root.value, "VS_FIXEDFILEINFO is " + root.valueLength + " bytes, expected " + FIXED_FILE_INFO_SIZE);
        }
        for (Block child : children(root, start)) {
            if (!child.key.equals("VarFileInfo")) {
                continue;
            }
            for (Block variable : children(child, start)) {
                if (variable.key.equals("Translation")) {
                    for (long p = variable.value; p + 4 <= variable.value + variable.valueLength; p += 4) {
                        result.translations.add(u16(p, "Translation language"));
                    }
                }
            }
        }
        return result;
    }

    /** One version-resource block: wLength, wValueLength, wType, szKey, padding, Value, Children. */
    private record Block(long start, long end, String key, long value, long valueLength, long childrenStart) {
    }

    private Block block(long start, long limit, long base, String what) throws PeFormatException {
        int length = u16(start, what + ".wLength");
        int valueLength = u16(start + 2, what + ".wValueLength");
        int type = u16(start + 4, what + ".wType");
        if (length < 6 || start + length > limit) {
            throw error(start, what + " length " + length + " does not fit in its parent (" + (limit - start) + " bytes left)");
        }
        long end = start + length;
        long p = start + 6;
        StringBuilder key = new StringBuilder();
        while (true) {
            if (p + 2 > end) {
                throw error(start, what + " key is not terminated within the block");
            }
            int c = u16(p, what + ".szKey");
            p += 2;
            if (c == 0) {
                break;
            }
            key.append((char) c);
        }
        long value = align4(p, base);
        long valueBytes = type == 1 ? 2L * valueLength : valueLength; // wType 1: text, length in WCHARs
        if (value + valueBytes > end) {
            throw error(start, what + " '" + key + "' value of " + valueBytes + " bytes runs past its block");
        }
        return new Block(start, end, key.toString(), value, valueBytes, align4(value + valueBytes, base));
    }

    private List<Block> children(Block parent, long base) throws PeFormatException {
        List<Block> result = new ArrayList<>();
        long p = parent.childrenStart;
        while (p + 6 <= parent.end) {
            Block child = block(p, parent.end, base, "block under '" + parent.key + "'");
            result.add(child);
            p = align4(child.end, base); // wLength >= 6, so p always advances
        }
        return result;
    }

    private static long align4(long offset, long base) {
        return base + ((offset - base + 3) & ~3L);
    }

    private int u16(long offset, String what) throws PeFormatException {
        if (offset < 0 || offset > data.length - 2L) {
            throw truncated(offset, 2, what);
        }
        int o = (int) offset;
        return (data[o] & 0xFF) | (data[o + 1] & 0xFF) << 8;
    }

    private long u32(long offset, String what) throws PeFormatException {
        if (offset < 0 || offset > data.length - 4L) {
            throw truncated(offset, 4, what);
        }
        int o = (int) offset;
        return (data[o] & 0xFFL) | (data[o + 1] & 0xFFL) << 8 | (data[o + 2] & 0xFFL) << 16 | (data[o + 3] & 0xFFL) << 24;
    }

    private PeFormatException truncated(long offset, int bytes, String what) {
        return error(offset, what + ": needs " + bytes + " bytes but the file has " + data.length
                + " (truncated or not a PE file)");
    }

    private PeFormatException error(long offset, String problem) {
        return new PeFormatException(file, offset, problem);
    }
}
