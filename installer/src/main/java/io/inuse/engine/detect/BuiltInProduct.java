package io.inuse.engine.detect;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who the package is and what it does by default, built into it beside its targets: the build (packaging's
 * PackageTargets) writes the class-path resource {@code io/inuse/engine/detect/product.txt} into
 * {@code engine/inuse-targets.jar} (docs/pak.md), checked on extraction like the engine.
 *
 * <p>Format (UTF-8, lines ending in LF): the first line is {@value #HEADER}; then {@code id<TAB><product id>}; then at
 * most one line for each of the policy values (INUSE_WHEN_LOCKED, INUSE_STRATEGY, INUSE_FORCE_EQUAL), name and value
 * separated by a tab: the package's own default, which a property of the install and a policy value both override.
 * Whether a value is understood is the policy's to say (Policy.resolve names it as "the package's default").
 *
 * @param id       the product id: the product's folder under {@code Program Files\inuse}, its registry and policy keys,
 *                 its Group Policy template's name ({@link #checkId})
 * @param defaults the package's defaults by property name, in the order written
 */
public record BuiltInProduct(String id, Map<String, String> defaults) {
    /** The first line, the format's version. */
    public static final String HEADER = "inuse-product 1";
    /** The resource's name, relative to this class's package. */
    public static final String RESOURCE = "product.txt";
    /** The names a default may be given for: the policy's (kept here, not imported: the detect package is below replace). */
    public static final List<String> DEFAULT_NAMES = List.of("INUSE_WHEN_LOCKED", "INUSE_STRATEGY", "INUSE_FORCE_EQUAL");
    /** The longest product id. */
    public static final int MAX_ID = 40;
    /**
     * The punctuation a product id may have: what a folder name, a registry key, a Formatted column of the package (no
     * brackets or braces), msibuild's SQL (no apostrophe) and a reboot record's key ({@code #}) all take; no {@code ~},
     * which makes 8.3 names ({@code EXAMPL~1} would open another product's {@code Example Mail} folder).
     */
    public static final String PUNCTUATION = "._-+()&,!@$";
    private static final String RESERVED = "CON PRN AUX NUL COM1 COM2 COM3 COM4 COM5 COM6 COM7 COM8 COM9 LPT1 LPT2 LPT3 LPT4 LPT5 LPT6 LPT7 LPT8 LPT9";

    public BuiltInProduct {
        String why = checkId(id);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
        defaults = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
    }

    /**
     * Why a product id cannot serve, or null when it can. It names a folder, a registry key (in Formatted columns of the
     * package: no brackets or braces), a file and part of a reboot record's key name ({@code #}): letters, digits,
     * spaces and {@value #PUNCTUATION}, 1 to {@value #MAX_ID} characters, beginning with a letter or digit, not
     * ending with a dot or space, not a device name such as CON or NUL.
     */
    public static String checkId(String id) {
        if (id == null || id.isEmpty()) {
            return "the product id is empty: give one (letters, digits, spaces and " + PUNCTUATION + "; for example Example Mail)";
        }
        String quoted = "the product id '" + visible(id) + "'";
        if (id.length() > MAX_ID) {
            return quoted + " has " + id.length() + " characters; at most " + MAX_ID;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ' ' || PUNCTUATION.indexOf(c) >= 0;
            if (!ok) {
                return quoted + " has the character '" + visible(String.valueOf(c)) + "', which a product id cannot have (it names a folder,"
                        + " a registry key and a file): use letters, digits, spaces and " + PUNCTUATION;
            }
        }
        char first = id.charAt(0);
        if (!((first >= 'A' && first <= 'Z') || (first >= 'a' && first <= 'z') || (first >= '0' && first <= '9'))) {
            return quoted + " must begin with a letter or a digit";
        }
        if (id.endsWith(".") || id.endsWith(" ")) {
            return quoted + " ends with a dot or a space, which Windows drops from a folder's name";
        }
        String base = (id.indexOf('.') < 0 ? id : id.substring(0, id.indexOf('.'))).strip().toUpperCase(Locale.ROOT);
        for (String reserved : RESERVED.split(" ")) {
            if (reserved.equals(base)) {
                return quoted + " is the device name " + reserved + ", which Windows does not allow as a folder's name";
            }
        }
        return null;
    }

    /** The product built into the package, read from the class path; an IllegalStateException when missing or malformed. */
    public static BuiltInProduct load() {
        return load(RESOURCE);
    }

    static BuiltInProduct load(String resource) {
        String where = BuiltInProduct.class.getPackageName().replace('.', '/') + "/" + resource;
        try (InputStream in = BuiltInProduct.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the package's product (" + where + ") is not on the engine's class path: the broker"
                        + " starts the engine with inuse-targets.jar beside inuse-engine.jar");
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(java.nio.ByteBuffer.wrap(in.readAllBytes())).toString();
            } catch (CharacterCodingException e) {
                throw new IllegalStateException("the package's product (" + where + ") is not UTF-8", e);
            }
            return parse(text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the package's product (" + where + "): " + e.getMessage(), e);
        }
    }

    /** Parses the resource's text; an IllegalStateException naming the line (number and text) when one is malformed. */
    public static BuiltInProduct parse(String text) {
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        String[] lines = body.split("\n", -1);
        if (!lines[0].equals(HEADER)) {
            throw malformed(1, lines[0], "it must begin with the line '" + HEADER + "'");
        }
        if (lines.length < 2 || !lines[1].startsWith("id\t")) {
            throw malformed(2, lines.length < 2 ? "" : lines[1], "the second line is 'id', a tab and the product id");
        }
        String id = lines[1].substring(3);
        String why = checkId(id);
        if (why != null) {
            throw malformed(2, lines[1], why);
        }
        Map<String, String> defaults = new LinkedHashMap<>();
        for (int i = 2; i < lines.length; i++) {
            String[] fields = lines[i].split("\t", -1);
            if (fields.length != 2 || !DEFAULT_NAMES.contains(fields[0])) {
                throw malformed(i + 1, lines[i], "a default is one of " + String.join(", ", DEFAULT_NAMES) + ", a tab and its value");
            }
            if (fields[1].isBlank()) {
                throw malformed(i + 1, lines[i], "the default of " + fields[0] + " is empty: leave the line out instead");
            }
            if (defaults.putIfAbsent(fields[0], fields[1]) != null) {
                throw malformed(i + 1, lines[i], fields[0] + " has a default already");
            }
        }
        return new BuiltInProduct(id, defaults);
    }

    /** The resource's text for this product (the build writes it; {@link #parse} reads it back). */
    public String text() {
        StringBuilder out = new StringBuilder(HEADER).append("\nid\t").append(id).append('\n');
        for (Map.Entry<String, String> d : defaults.entrySet()) {
            out.append(d.getKey()).append('\t').append(d.getValue()).append('\n');
        }
        return out.toString();
    }

    private static IllegalStateException malformed(int number, String line, String why) {
        return new IllegalStateException("product description, line " + number + " ('" + visible(line) + "'): " + why);
    }

    private static String visible(String line) {
        return BuiltInTargets.visible(line);
    }
}
