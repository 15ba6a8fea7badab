package io.inuse.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The engine reaches the machine only through the broker (DESIGN.md): no class of it may refer to
 * a file, process, registry, network or native-code API of the JDK. Read from the constant pools
 * of the compiled classes, so no way of writing the call escapes it.
 */
class EngineRulesTest {
    /** Whole packages, and single classes (with their nested classes). */
    private static final List<String> FORBIDDEN_PACKAGES = List.of(
            "java/nio/file/", "java/nio/channels/", "java/util/prefs/", "java/net/", "java/lang/foreign/", "sun/", "jdk/internal/");
    private static final List<String> FORBIDDEN_CLASSES = List.of(
            "java/io/File", "java/io/FileInputStream", "java/io/FileOutputStream", "java/io/FileReader", "java/io/FileWriter",
            "java/io/FileDescriptor", "java/io/RandomAccessFile", "java/lang/ProcessBuilder", "java/lang/Process",
            "java/lang/ProcessHandle", "java/lang/Runtime");

    static boolean forbidden(String name) {
        return FORBIDDEN_PACKAGES.stream().anyMatch(name::startsWith)
                || FORBIDDEN_CLASSES.stream().anyMatch(c -> name.equals(c) || name.startsWith(c + "$"));
    }

    @Test
    void noEngineClassRefersToAMachineApi() throws Exception {
        Path classes = classesFolder();
        List<String> violations = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                checked++;
                for (String used : classReferences(file)) {
                    if (forbidden(used)) {
                        violations.add(classes.relativize(file) + " uses " + used);
                    }
                }
            }
        }
        assertTrue(checked > 10, "the engine's classes were found: " + checked);
        assertEquals(List.of(), violations);
    }

    @Test
    void theCheckSeesAForbiddenReference() throws Exception {
        // this test class itself uses java.nio.file: the reader must notice
        Path self = Path.of(EngineRulesTest.class.getResource("EngineRulesTest.class").toURI());
        assertTrue(classReferences(self).contains("java/nio/file/Files"));
        assertTrue(forbidden("java/nio/file/Files"));
        assertTrue(forbidden("java/lang/ProcessBuilder$Redirect"));
        assertTrue(forbidden("java/lang/Runtime"));
        assertTrue(!forbidden("java/lang/RuntimeException"));
    }

    private static Path classesFolder() throws URISyntaxException {
        Path main = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return main;
    }

    /** Class names in a class file's constant pool, plus those inside descriptors (JVMS 4.4). */
    static Set<String> classReferences(Path classFile) throws IOException {
        Set<String> names = new TreeSet<>();
        try (InputStream in = Files.newInputStream(classFile); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            data.readUnsignedShort();
            data.readUnsignedShort();
            int count = data.readUnsignedShort();
            List<String> utf8 = new ArrayList<>();
            for (int i = 1; i < count; i++) {
                int tag = data.readUnsignedByte();
                switch (tag) {
                    case 1 -> utf8.add(data.readUTF());
                    case 3, 4, 9, 10, 11, 12, 17, 18 -> data.skipBytes(4);
                    case 5, 6 -> {
                        data.skipBytes(8);
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> data.skipBytes(2);
                    case 15 -> data.skipBytes(3);
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag);
                }
            }
            for (String text : utf8) {
                // a class name ("java/io/File") or a descriptor ("(Ljava/io/File;)V")
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|L)((?:[a-z]+/)+[A-Za-z0-9_$]+)").matcher(text);
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }
}
