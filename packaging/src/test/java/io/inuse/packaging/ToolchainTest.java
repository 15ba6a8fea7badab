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
        assertTrue(e.getMessage().endsWith("product.wxs:3: unhandled child UI"), e.getMessage());
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
