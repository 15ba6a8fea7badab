package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.FileVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fragment and the SQL for the DLLs after the first: components, escaping, short names, the rows mended. */
class PayloadFilesTest {
    @TempDir
    Path dir;

    static Payload payload(Path path) {
        return new Payload(path, path.getFileName().toString(), new FileVersion(1, 1, 0, 0), "1033", 4096);
    }

    @Test
    void oneDllNeedsNoFragment() {
        assertNull(PayloadFiles.write(ProductIdentity.of("MAPI32.DLL"), List.of(),
                List.of(new PackageTargets.Entry("TargetDll", "System", "", "MAPI32.DLL")), dir.resolve("out"), dir));
    }

    @Test
    void eachDllAfterTheFirstGetsItsComponentAndItsRowsMended() throws Exception {
        ProductIdentity product = ProductIdentity.of("LongProvider.dll");
        Path folder = Files.createDirectories(dir.resolve("R&D"));
        List<Payload> more = List.of(payload(folder.resolve("LongProviderAux.dll")), payload(folder.resolve("AUX2.DLL")));
        PayloadFiles.Result result = PayloadFiles.write(product, more, List.of(new PackageTargets.Entry("TargetDll", "System", "", "LongProvider.dll")),
                dir.resolve("out"), dir);
        String wxs = Files.readString(result.wxs());
        assertTrue(wxs.contains("<Component Id=\"TargetDll2\" Guid=\"" + product.payloadComponentGuid("LongProviderAux.dll").replace("{", "")
                .replace("}", "") + "\""), wxs);
        assertTrue(wxs.contains("Name=\"LongProviderAux.dll\" Source=\"R&amp;D/LongProviderAux.dll\""), "escaped: " + wxs);
        assertTrue(wxs.contains("<ComponentRef Id=\"TargetDll3\"/>"), wxs);
        List<String> sql = result.sql();
        assertTrue(sql.contains("UPDATE `File` SET `Version`='1.1.0.0', `Language`='1033' WHERE `File`='TargetDll2'"), sql.toString());
        assertTrue(sql.contains("DELETE FROM `MsiFileHash` WHERE `File_`='TargetDll3'"), sql.toString());
        // the first DLL is LONGPR~1.DLL in the same folder: the second may not take that short name
        assertEquals("LONGPR~1.DLL|LongProvider.dll", product.fileTableName());
        assertTrue(sql.contains("UPDATE `File` SET `FileName`='LONGPR~2.DLL|LongProviderAux.dll' WHERE `File`='TargetDll2'"), sql.toString());
        assertTrue(sql.stream().noneMatch(q -> q.contains("`FileName`") && q.contains("TargetDll3")), "AUX2.DLL is 8.3 already: " + sql);
    }

    /** Targets in folders of their own: each folder created by a CreateFolder component, shared parents once, short names. */
    @Test
    void aTargetInAFolderOfItsOwnGetsTheFolderCreated() throws Exception {
        ProductIdentity product = ProductIdentity.of("MAPI32.DLL").withNames("Example Mail", null, null);
        List<PackageTargets.Entry> targets = List.of(new PackageTargets.Entry("TargetDll", "System", "", "MAPI32.DLL"),
                new PackageTargets.Entry("TargetDll2", "ProgramFiles", "Example Mail\\bin", "MAPIAUX.DLL"),
                new PackageTargets.Entry("TargetDll3", "ProgramFiles", "example mail\\lib", "MAPIX.DLL"),
                new PackageTargets.Entry("TargetDll4", "ProgramFilesCommon", "R&D", "MAPIY.DLL"),
                new PackageTargets.Entry("TargetDll6", "ProgramData", "Example Mail", "MAPIW.DLL"),   // no folder made there
                new PackageTargets.Entry("TargetDll5", "ProgramFiles", "Example Mail\\bin", "MAPIZ.DLL"));
        PayloadFiles.Result result = PayloadFiles.write(product, List.of(), targets, dir.resolve("out"), dir);
        String wxs = Files.readString(result.wxs());
        assertEquals("""
                <DirectoryRef Id="ProgramFiles64Folder">
                <Directory Id="InuseTargetDir1" Name="Example Mail">
                <Component Id="InuseTargetFolder1" Guid="%s" Win64="yes"><CreateFolder/></Component>
                <Directory Id="InuseTargetDir2" Name="bin">
                <Component Id="InuseTargetFolder2" Guid="%s" Win64="yes"><CreateFolder/></Component>
                </Directory>
                <Directory Id="InuseTargetDir3" Name="lib">
                <Component Id="InuseTargetFolder3" Guid="%s" Win64="yes"><CreateFolder/></Component>
                </Directory>
                </Directory>
                </DirectoryRef>
                <DirectoryRef Id="TARGETDIR">
                <Directory Id="CommonFiles64Folder">
                <Directory Id="InuseTargetDir4" Name="R&amp;D">
                <Component Id="InuseTargetFolder4" Guid="%s" Win64="yes"><CreateFolder/></Component>
                </Directory>
                </Directory>
                </DirectoryRef>
                <ComponentGroup Id="Payloads">
                <ComponentRef Id="InuseTargetFolder1"/>
                <ComponentRef Id="InuseTargetFolder2"/>
                <ComponentRef Id="InuseTargetFolder3"/>
                <ComponentRef Id="InuseTargetFolder4"/>
                </ComponentGroup>
                """.formatted(unbraced(product.folderComponentGuid("ProgramFiles", "EXAMPLE MAIL")),
                unbraced(product.folderComponentGuid("ProgramFiles", "EXAMPLE MAIL\\BIN")),
                unbraced(product.folderComponentGuid("ProgramFiles", "EXAMPLE MAIL\\LIB")), unbraced(product.folderComponentGuid("ProgramFilesCommon", "R&D"))),
                wxs.substring(wxs.indexOf("<DirectoryRef"), wxs.indexOf("</Fragment>")));
        assertEquals(List.of("UPDATE `Directory` SET `DefaultDir`='EXAMPL~1|Example Mail' WHERE `Directory`='InuseTargetDir1'"), result.sql());
        // the product id keys every derived component GUID: another product's folder component differs
        assertTrue(!product.folderComponentGuid("ProgramFiles", "X").equals(ProductIdentity.of("MAPI32.DLL").folderComponentGuid("ProgramFiles", "X")));
    }

    private static String unbraced(String guid) {
        return guid.substring(1, guid.length() - 1);
    }
}
