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
        assertNull(PayloadFiles.write(ProductIdentity.of("MAPI32.DLL"), List.of(), dir.resolve("out"), dir));
    }

    @Test
    void eachDllAfterTheFirstGetsItsComponentAndItsRowsMended() throws Exception {
        ProductIdentity product = ProductIdentity.of("LongProvider.dll");
        Path folder = Files.createDirectories(dir.resolve("R&D"));
        List<Payload> more = List.of(payload(folder.resolve("LongProviderAux.dll")), payload(folder.resolve("AUX2.DLL")));
        PayloadFiles.Result result = PayloadFiles.write(product, more, dir.resolve("out"), dir);
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
}
