package io.inuse.engine.detect;

import io.inuse.engine.machine.KnownFolder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The package's targets, built into it: the build (packaging's PackageTargets) writes them as the
 * class-path resource {@code io/inuse/engine/detect/targets.txt} of {@code engine/inuse-targets.jar},
 * an entry of the broker's pak that is SHA-256-checked on extraction like the engine itself
 * (docs/pak.md). Immediate and deferred actions read the same list from there; nothing about a
 * target comes from a property or CustomActionData.
 *
 * <p>Format (UTF-8, lines ending in LF): the first line is {@value #HEADER}; then one target per line,
 * four fields separated by tabs: the File row key that carries the new file, the known folder
 * ({@link KnownFolder}, as SHGetKnownFolderPath names it), the path relative to that folder (empty for
 * the folder itself) and the file name. At least one target; no two with the same File row or the
 * same path.
 */
public final class BuiltInTargets {
    /** The first line of the list, the format's version. */
    public static final String HEADER = "inuse-targets 1";
    /** The resource's name, relative to this class's package. */
    public static final String RESOURCE = "targets.txt";

    /** One target of the package and the File row (its key in the File table) that carries the new file. */
    public record BuiltIn(String fileKey, Target target) {
        public BuiltIn {
            if (fileKey == null || !isIdentifier(fileKey)) {
                throw new IllegalArgumentException("'" + fileKey + "' is not a File row key (an MSI identifier: a letter"
                        + " or '_', then letters, digits, '_' or '.', at most 72 characters)");
            }
            if (target == null) {
                throw new IllegalArgumentException("a built-in target needs a target");
            }
        }

        /** The target's line in the list. */
        public String line() {
            return fileKey + "\t" + target.folder().name() + "\t" + target.relative() + "\t" + target.name();
        }
    }

    private BuiltInTargets() {
    }

    /** The list built into the package, read from the class path; an IllegalStateException when it is missing or malformed. */
    public static List<BuiltIn> load() {
        return load(RESOURCE);
    }

    static List<BuiltIn> load(String resource) {
        try (InputStream in = BuiltInTargets.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the package's target list (" + where(resource) + ") is not on the engine's"
                        + " class path: the broker starts the engine with inuse-targets.jar beside inuse-engine.jar");
            }
            byte[] bytes = in.readAllBytes();
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalStateException("the package's target list (" + where(resource) + ") is not UTF-8", e);
            }
            return parse(text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the package's target list (" + where(resource) + "): " + e.getMessage(), e);
        }
    }

    private static String where(String resource) {
        return BuiltInTargets.class.getPackageName().replace('.', '/') + "/" + resource;
    }

    /**
     * Parses a target list; an IllegalStateException naming the line (number and text) when a line is
     * malformed, and when the list names no target.
     */
    public static List<BuiltIn> parse(String text) {
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        String[] lines = body.split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw new IllegalStateException("target list, line 1 ('" + visible(lines[0]) + "'): the list must begin with the line '"
                    + HEADER + "'");
        }
        List<BuiltIn> targets = new ArrayList<>();
        Map<String, Integer> keys = new HashMap<>();
        Map<String, Integer> paths = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int number = i + 1;
            String[] fields = line.split("\t", -1);
            if (fields.length != 4) {
                throw malformed(number, line, "a target is four fields separated by tabs (File row, known folder, relative path,"
                        + " file name), this line has " + fields.length);
            }
            BuiltIn builtIn;
            try {
                builtIn = new BuiltIn(fields[0], new Target(KnownFolder.named(fields[1]), fields[2], fields[3]));
            } catch (IllegalArgumentException e) {
                throw malformed(number, line, e.getMessage());
            }
            Integer sameKey = keys.putIfAbsent(builtIn.fileKey(), number);
            if (sameKey != null) {
                throw malformed(number, line, "the File row " + builtIn.fileKey() + " already carries the target of line " + sameKey);
            }
            Integer samePath = paths.putIfAbsent(builtIn.target().toString().toUpperCase(Locale.ROOT), number);
            if (samePath != null) {
                throw malformed(number, line, builtIn.target() + " is already the target of line " + samePath);
            }
            targets.add(builtIn);
        }
        if (targets.isEmpty()) {
            throw new IllegalStateException("target list: it names no target, so the package would replace nothing");
        }
        return List.copyOf(targets);
    }

    private static IllegalStateException malformed(int number, String line, String why) {
        return new IllegalStateException("target list, line " + number + " ('" + visible(line) + "'): " + why);
    }

    /** The line as a log can show it: tabs as " | ", other control characters escaped. */
    static String visible(String line) {
        StringBuilder out = new StringBuilder();
        for (char c : line.toCharArray()) {
            if (c == '\t') {
                out.append(" | ");
            } else if (c < 0x20 || c == 0x7F) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    static boolean isIdentifier(String key) {
        if (key.isEmpty() || key.length() > 72) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
            if (!(letter || (i > 0 && ((c >= '0' && c <= '9') || c == '.')))) {
                return false;
            }
        }
        return true;
    }
}
