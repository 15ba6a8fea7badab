package io.inuse.packaging;

import io.inuse.engine.detect.BuiltInProduct;
import io.inuse.engine.detect.BuiltInTargets;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.KnownFolder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The package's targets, built into it (docs/pak.md, "The target list"): one entry per file the
 * product replaces, written as the engine's {@link BuiltInTargets} list into
 * {@code engine/inuse-targets.jar}, a pak entry of its own that the broker checks like the engine jar
 * and puts on the engine's class path. The build refuses an empty list, a known folder inuse does not
 * know, a path that leaves its folder, two entries for one File row or one path, and a File row the built package does not have, each with one
 * line naming the entry.
 */
public final class PackageTargets {
    /** The list's resource inside the jar, where {@code BuiltInTargets.load()} looks for it. */
    static final String RESOURCE = BuiltInTargets.class.getPackageName().replace('.', '/') + "/" + BuiltInTargets.RESOURCE;
    /** The product's resource inside the same jar, where {@code BuiltInProduct.load()} looks for it. */
    static final String PRODUCT_RESOURCE = BuiltInProduct.class.getPackageName().replace('.', '/') + "/" + BuiltInProduct.RESOURCE;
    /** Fixed time of the jar's entries, so that the same sources build the same broker. */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(2000, 1, 1, 0, 0);
    private static final String HINT = " Fix the package's target list (packaging's PackageTargets) and build again.";

    /**
     * One target as the build names it: the File row key that carries the new file, the known folder's
     * name (as SHGetKnownFolderPath names it: System, ProgramFiles, ...), the path relative to it ("" for
     * the folder itself) and the file name.
     */
    public record Entry(String fileKey, String folder, String relative, String name) {
        /** For refusals: {@code TargetDll -> [System]\MAPI32.DLL}. */
        @Override
        public String toString() {
            return fileKey + " -> [" + folder + "]\\" + (relative == null || relative.isEmpty() ? "" : relative + "\\") + name;
        }

        String line() {
            return fileKey + "\t" + folder + "\t" + (relative == null ? "" : relative) + "\t" + name;
        }
    }

    private PackageTargets() {
    }

    /** The targets of a package around this payload alone, in System (the 64-bit System32). */
    public static List<Entry> of(Payload payload) {
        return List.of(new Entry(MsiBuild.FILE_KEY, KnownFolder.System.name(), "", payload.identity().name()));
    }

    /**
     * The targets of a package around several DLLs: the first ({@code TargetDll}) where {@code place} says, the others
     * ({@code TargetDll2}, ...) where theirs say. Two with one name are refused: the staging folder holds each under its name.
     */
    public static List<Entry> of(Payload first, PackageBuilder.Place place, List<Payload> more, List<PackageBuilder.Extra> places) {
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry(MsiBuild.FILE_KEY, place.folder(), place.relative(), first.identity().name()));
        java.util.Set<String> names = new java.util.HashSet<>();
        names.add(first.identity().name());
        for (int i = 0; i < more.size(); i++) {
            String name = more.get(i).identity().name();
            if (!names.add(name)) {
                throw new BuildException("two payloads are named " + name + ": the package's staging folder holds each DLL under its"
                        + " name; give each payload a file name of its own");
            }
            entries.add(new Entry(PayloadFiles.fileKey(i), places.get(i).place().folder(), places.get(i).place().relative(), name));
        }
        return entries;
    }

    /**
     * Checks what can be checked before the package exists: the list is not empty, every known folder
     * is one inuse knows, every relative path and name stays inside its folder, and the engine reads the
     * list back as written.
     */
    public static void check(List<Entry> targets) {
        if (targets.isEmpty()) {
            throw new BuildException("the package names no target: it would replace no file. Give it at least one target"
                    + " (a File row, a known folder, a relative path and a file name)." + HINT);
        }
        Map<String, Integer> keys = new HashMap<>();
        Map<String, Integer> paths = new HashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            Entry entry = targets.get(i);
            String subject = "package target " + (i + 1) + " (" + entry + ")";
            for (String field : new String[] {entry.fileKey(), entry.folder(), entry.relative(), entry.name()}) {
                if (field == null || field.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
                    throw new BuildException(subject + " has a missing field or a control character in a field." + HINT);
                }
            }
            KnownFolder folder;
            try {
                folder = KnownFolder.named(entry.folder());
            } catch (IllegalArgumentException e) {
                throw new BuildException(subject + ": " + e.getMessage() + " (as SHGetKnownFolderPath names them)." + HINT);
            }
            Target target;
            try {
                target = new BuiltInTargets.BuiltIn(entry.fileKey(), new Target(folder, entry.relative(), entry.name())).target();
            } catch (IllegalArgumentException e) {
                throw new BuildException(subject + ": " + e.getMessage() + "." + HINT);
            }
            Integer sameKey = keys.putIfAbsent(entry.fileKey(), i + 1);
            if (sameKey != null) {
                throw new BuildException(subject + ": the File row " + entry.fileKey() + " already carries package target "
                        + sameKey + "; one File row carries one file." + HINT);
            }
            Integer samePath = paths.putIfAbsent(target.toString().toUpperCase(Locale.ROOT), i + 1);
            if (samePath != null) {
                throw new BuildException(subject + ": " + target + " is already package target " + samePath + "." + HINT);
            }
        }
        String text = text(targets);
        try {
            BuiltInTargets.parse(text);
        } catch (IllegalStateException e) {
            throw new BuildException("the package's target list would not be read by the engine: " + e.getMessage() + "." + HINT);
        }
    }

    /**
     * Checks the list against the built package as well: every entry's File row is a row of its File
     * table ({@code fileKeys}, the keys {@code msiinfo export} shows).
     */
    public static void check(List<Entry> targets, Set<String> fileKeys) {
        check(targets);
        for (int i = 0; i < targets.size(); i++) {
            Entry entry = targets.get(i);
            if (!fileKeys.contains(entry.fileKey())) {
                throw new BuildException("package target " + (i + 1) + " (" + entry + ") names the File row " + entry.fileKey()
                        + ", which the package's File table does not have (it has " + String.join(", ", new TreeSet<>(fileKeys))
                        + "). Name the File row that carries the new file (File/@Id in wix/product.wxs) and build again.");
            }
        }
    }

    /** The list as the engine reads it ({@link BuiltInTargets}): the version line, then one line per target. */
    public static String text(List<Entry> targets) {
        StringBuilder out = new StringBuilder(BuiltInTargets.HEADER).append('\n');
        for (Entry entry : targets) {
            out.append(entry.line()).append('\n');
        }
        return out.toString();
    }

    /**
     * The pak entry: {@code engine/inuse-targets.jar} holding the list and the product (BuiltInProduct: its id and
     * policy defaults); the same bytes for the same list and product.
     */
    public static EnginePak.Entry jar(List<Entry> targets, BuiltInProduct product) {
        check(targets);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
            put(zip, RESOURCE, text(targets));
            put(zip, PRODUCT_RESOURCE, product.text());
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory does not fail", e);
        }
        return EnginePak.Entry.of(EnginePak.TARGETS_JAR, bytes.toByteArray());
    }

    private static void put(ZipOutputStream zip, String name, String text) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setTimeLocal(ENTRY_TIME);
        zip.putNextEntry(entry);
        zip.write(text.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }

    /**
     * The pak with the target list: the given entries with {@code engine/inuse-targets.jar} right after
     * the engine jar, unless they hold one already (a test's own list).
     */
    static List<EnginePak.Entry> addTo(List<EnginePak.Entry> pak, List<Entry> targets, BuiltInProduct product) {
        if (pak.stream().anyMatch(e -> e.name().equals(EnginePak.TARGETS_JAR))) {
            return pak;
        }
        List<EnginePak.Entry> entries = new ArrayList<>(pak);
        int engine = 0;
        while (engine < entries.size() && !entries.get(engine).name().equals(EnginePak.ENGINE_JAR)) {
            engine++;
        }
        entries.add(engine < entries.size() ? engine + 1 : 0, jar(targets, product));
        return entries;
    }

    /** The list inside an {@code inuse-targets.jar} (tests, and anyone who wants to see what a package replaces). */
    public static String read(byte[] jar) {
        return read(jar, RESOURCE);
    }

    /** The product description (BuiltInProduct's text) inside an {@code inuse-targets.jar}. */
    public static String readProduct(byte[] jar) {
        return read(jar, PRODUCT_RESOURCE);
    }

    private static String read(byte[] jar, String resource) {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar), StandardCharsets.UTF_8)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals(resource)) {
                    return new String(zip.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new BuildException("the target jar cannot be read: " + e.getMessage(), e);
        }
        throw new BuildException("the target jar has no " + resource);
    }
}
