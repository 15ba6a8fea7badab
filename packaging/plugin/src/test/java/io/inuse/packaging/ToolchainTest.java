package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool seam, with fake executables on a search path of the test's own. */
class ToolchainTest {
    @TempDir
    Path dir;

    private Path fakeTool(String name, String script) throws Exception {
        Path tool = dir.resolve(name);
        Files.writeString(tool, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tool;
    }

    @Test
    void aMissingToolNamesTheToolTheScriptAndTheDebianPackage() {
        Toolchain tools = new Toolchain(dir.toString());
        BuildException e = assertThrows(BuildException.class, () -> tools.find(Toolchain.WIXL));
        assertEquals("wixl was not found on the PATH. Install the toolchain with 'packaging/install-toolchain.sh' "
                + "(Debian package wixl), or name it with -Dinuse.tool.wixl=/path/to/wixl", e.getMessage());
        e = assertThrows(BuildException.class, () -> tools.find(Toolchain.GCC));
        assertTrue(e.getMessage().contains("gcc-mingw-w64-x86-64"), e.getMessage());
    }

    @Test
    void runsAToolFromTheSearchPathAndReturnsItsOutput() throws Exception {
        fakeTool("msiinfo", "echo \"args: $*\"; echo to-stderr >&2");
        String out = new Toolchain(dir.toString()).run(dir, "msiinfo", List.of("export", "a b.msi"));
        assertEquals("args: export a b.msi\nto-stderr\n", out);
    }

    @Test
    void aFailingToolIsAnErrorQuotingItsExitCodeAndOutput() throws Exception {
        fakeTool("wixl", "echo 'product.wxs:3: unhandled child UI'; exit 3");
        BuildException e = assertThrows(BuildException.class,
                () -> new Toolchain(dir.toString()).run(dir, "wixl", List.of("-o", "x.msi")));
        assertTrue(e.getMessage().startsWith("wixl failed with exit code 3: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("\nwixl printed:\nproduct.wxs:3: unhandled child UI"), e.getMessage());
    }

    @Test
    void aFailingToolIsQuotedByItsLastFortyLines() throws Exception {
        fakeTool("x86_64-w64-mingw32-gcc", "i=1; while [ $i -le 100 ]; do echo \"mapi32.c:$i: error: line $i\" >&2; i=$((i+1)); done; exit 1");
        BuildException e = assertThrows(BuildException.class,
                () -> new Toolchain(dir.toString()).run(dir, Toolchain.GCC, List.of("-c", "mapi32.c")));
        List<String> lines = e.getMessage().lines().toList();
        assertEquals(42, lines.size(), e.getMessage());
        assertTrue(lines.get(0).startsWith("x86_64-w64-mingw32-gcc failed with exit code 1: "), lines.get(0));
        assertTrue(lines.get(0).endsWith(" -c mapi32.c"), lines.get(0));
        assertEquals("x86_64-w64-mingw32-gcc printed 100 lines, the last 40:", lines.get(1));
        assertEquals("mapi32.c:61: error: line 61", lines.get(2));
        assertEquals("mapi32.c:100: error: line 100", lines.get(41));
    }

    @Test
    void aToolThatFailsSilentlyIsSaidToHavePrintedNothing() throws Exception {
        fakeTool("msibuild", "exit 1");
        BuildException e = assertThrows(BuildException.class, () -> new Toolchain(dir.toString()).run(dir, "msibuild", List.of()));
        assertTrue(e.getMessage().endsWith("\nmsibuild printed nothing."), e.getMessage());
    }

    @Test
    void toolsReadTheirArgumentsAsUtf8() throws Exception {
        // GLib takes CHARSET before the locale: without it wixl fails on a non-ASCII -D value
        fakeTool("wixl", "echo \"$CHARSET $1\"");
        assertEquals("UTF-8 PayloadPath=../pâyload/MAPI32.DLL\n",
                new Toolchain(dir.toString()).run(dir, "wixl", List.of("PayloadPath=../pâyload/MAPI32.DLL")));
    }

    @Test
    void aSystemPropertyOverridesTheSearchPath() throws Exception {
        Path tool = fakeTool("my-msibuild", "echo injected");
        System.setProperty("inuse.tool.msibuild", tool.toString());
        try {
            assertEquals("injected\n", new Toolchain("").run(dir, "msibuild", List.of()));
            System.setProperty("inuse.tool.msibuild", dir.resolve("absent").toString());
            BuildException e = assertThrows(BuildException.class, () -> new Toolchain("").find("msibuild"));
            assertTrue(e.getMessage().contains("-Dinuse.tool.msibuild=" + dir.resolve("absent") + " is not an executable"), e.getMessage());
        } finally {
            System.clearProperty("inuse.tool.msibuild");
        }
    }
}
