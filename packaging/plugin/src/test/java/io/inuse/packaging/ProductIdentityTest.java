package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The product named after the payload: the derivation, fixed values, and the names refused. */
class ProductIdentityTest {
    @Test
    void uuid5IsRfc4122Version5() {
        // the example every implementation agrees on (Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org"))
        UUID dns = UUID.fromString("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        assertEquals(UUID.fromString("886313e1-3b8a-5372-9b90-0c9aee199e5d"), ProductIdentity.uuid5(dns, "python.org"));
        assertEquals(5, ProductIdentity.uuid5(ProductIdentity.NAMESPACE, "x").version());
        assertEquals(2, ProductIdentity.uuid5(ProductIdentity.NAMESPACE, "x").variant());
    }

    @Test
    void theDemoKeepsItsNamesAndGetsFixedGuids() {
        // values computed independently: Python uuid.uuid5(UUID("72482a43-..."), "upgrade:MAPI32.DLL"), "component:MAPI32:MAPI32.DLL"
        ProductIdentity demo = ProductIdentity.of("MAPI32.DLL");
        assertEquals("{A215EDDC-4037-5B29-805D-FF5E61F8A418}", demo.upgradeCode());
        assertEquals("{5BC81EE6-B86D-5B2C-A8EA-580C23BB01E5}", demo.componentGuid());
        assertEquals("inuse MAPI32 replacement", demo.productName());
        assertEquals("inuse-mapi32-1.1.0-x64.msi", demo.msiFileName("1.1.0"));
        assertEquals("MAPI32.DLL", demo.fileTableName());
        assertEquals("MAPI32", demo.productId());
        assertEquals("inuse", demo.manufacturer());
    }

    @Test
    void aProjectNamesItsProduct() {
        ProductIdentity named = ProductIdentity.of("MAPI32.DLL").withUpgradeCode("{0C7E61A2-5B4D-4E8F-9A1B-2C3D4E5F6071}")
                .withNames("Example Mail", "Example Mail MAPI update", "Example Corp. & Sons");
        assertEquals("Example Mail", named.productId());
        assertEquals("Example Mail MAPI update", named.productName());
        assertEquals("Example Corp. & Sons", named.manufacturer());
        assertEquals("inuse-example-mail-1.1.0-x64.msi", named.msiFileName("1.1.0"));
        assertEquals("{0C7E61A2-5B4D-4E8F-9A1B-2C3D4E5F6071}", named.upgradeCode(), "withNames keeps the UpgradeCode");
        // the component GUIDs follow the product id (the folder they install into), not the DLL's name alone
        assertNotEquals(ProductIdentity.of("MAPI32.DLL").componentGuid(), named.componentGuid());
        assertEquals(named.componentGuid(), ProductIdentity.of("mapi32.dll").withNames("EXAMPLE MAIL", null, null).componentGuid());
        // "derived" with a product id: the id's own UpgradeCode, not the DLL name's (two ids are two products with two
        // folders; one must not upgrade the other and leave its backups behind). Python: uuid5(ns, "upgrade-id:EXAMPLE MAIL")
        ProductIdentity derivedWithId = ProductIdentity.of("MAPI32.DLL").withNames("Example Mail", null, null);
        assertEquals("{72CCBCE0-7F75-5617-894A-365E19D261EA}", derivedWithId.upgradeCode());
        assertNotEquals(ProductIdentity.of("MAPI32.DLL").upgradeCode(), derivedWithId.upgradeCode());
        assertNotEquals(ProductIdentity.of("MAPI32.DLL").withNames("Other Mail", null, null).upgradeCode(), derivedWithId.upgradeCode());
        // naming the default id (mapi32 for MAPI32.DLL) keeps the product: its UpgradeCode is the one without the parameter
        assertEquals(ProductIdentity.of("MAPI32.DLL").upgradeCode(), ProductIdentity.of("MAPI32.DLL").withNames("mapi32", null, null).upgradeCode());
        // the MSI's file name has no character a shell splits or expands
        assertEquals("inuse-r-d--x64--1.1.0-x64.msi", ProductIdentity.of("MAPI32.DLL").withNames("R&D (x64)", null, null).msiFileName("1.1.0"));
        // blank is the default
        assertEquals("inuse MAPI32 replacement", ProductIdentity.of("MAPI32.DLL").withNames(" ", "", null).productName());
        String refusal = assertThrows(IllegalArgumentException.class, () -> ProductIdentity.of("MAPI32.DLL").withNames(null, "Mail [beta]", null))
                .getMessage();
        assertEquals("the product name 'Mail [beta]' has the character '[', which Windows Installer reads as formatted text in the messages"
                + " that show the name", refusal);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProductIdentity.of("MAPI32.DLL").withNames(null, null, "Ελένη AG"))
                .getMessage().startsWith("the manufacturer 'Ελένη AG' has the character U+0395"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProductIdentity.of("MAPI32.DLL").withNames(null, "x".repeat(65), null))
                .getMessage().endsWith("has 65 characters; at most 64"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProductIdentity.of("MAPI32.DLL").withNames("a\\b", null, null))
                .getMessage().contains("'\\'"));
    }

    @Test
    void theNameDecidesCaseInsensitively() {
        ProductIdentity lower = ProductIdentity.of("mapi32.dll");
        assertEquals(ProductIdentity.of("MAPI32.DLL").upgradeCode(), lower.upgradeCode());
        assertEquals(ProductIdentity.of("MAPI32.DLL").componentGuid(), lower.componentGuid());
        assertEquals(ProductIdentity.of("MAPI32.DLL").productCode("1.1.0"), lower.productCode("1.1.0"));
        assertEquals("mapi32.dll", lower.fileTableName(), "the File table keeps the name as given");
    }

    @Test
    void anotherNameIsAnotherProduct() {
        ProductIdentity demo = ProductIdentity.of("MAPI32.DLL");
        ProductIdentity other = ProductIdentity.of("InuseDemo.dll");
        assertEquals("{8DD18C2D-8586-5659-BDEF-89688E170F8B}", other.upgradeCode());
        assertEquals("{4A4227D8-6F00-5C9D-922B-0CB9558ED042}", other.componentGuid());
        assertNotEquals(demo.productCode("1.1.0"), other.productCode("1.1.0"));
        assertEquals("inuse INUSEDEMO replacement", other.productName());
        assertEquals("inuse-inusedemo-2.0.1-x64.msi", other.msiFileName("2.0.1"));
    }

    @Test
    void productCodesAreStablePerVersionAndDifferBetweenVersions() {
        ProductIdentity demo = ProductIdentity.of("MAPI32.DLL");
        assertEquals(demo.productCode("1.1.0"), demo.productCode("1.1.0"));
        assertNotEquals(demo.productCode("1.1.0"), demo.productCode("1.2.0"));
        assertTrue(demo.productCode("1.1.0").matches("\\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}}"));
    }

    @Test
    void aLongNameGetsAShortName() {
        assertEquals("INUSED~1.DLL|InuseDemo.dll", ProductIdentity.of("InuseDemo.dll").fileTableName());
        assertEquals("MYLIBV~1.DLL|my.lib.v2.dll", ProductIdentity.of("my.lib.v2.dll").fileTableName());
        assertEquals("MYLIB~1.DLL|My Lib.dll", ProductIdentity.of("My Lib.dll").fileTableName());
        assertEquals("CORE~1.DLL|core.dll_old", ProductIdentity.of("core.dll_old").fileTableName());
        assertEquals("NOEXTE~1|NOEXTENSIONDLL", ProductIdentity.of("NOEXTENSIONDLL").fileTableName());
        assertTrue(ProductIdentity.isShortName("A.B"));
        assertFalse(ProductIdentity.isShortName("ABCDEFGHI.DLL"));
        assertFalse(ProductIdentity.isShortName("A.DLLX"));
        assertFalse(ProductIdentity.isShortName("A B.DLL"));
    }

    @Test
    void aNonAsciiFileNameIsRefusedNamingTheFileAndWhy() {
        Path payload = Path.of("/tmp/pâyload/MAPİ32.DLL");
        BuildException e = assertThrows(BuildException.class, () -> ProductIdentity.ofPayload(payload));
        assertEquals("payload /tmp/pâyload/MAPİ32.DLL has the non-ASCII character 'İ' (U+0130) in its file name: wixl 0.101"
                + " writes a code-page-neutral package (code page 0) with its strings in Windows-1252 (and crashes on"
                + " characters outside it), which Windows Installer reads in each target machine's own ANSI code page, so"
                + " only an ASCII name is installed as itself everywhere. Rename the DLL (its folder may have any name) and"
                + " build again.", e.getMessage());
        // the folder may be anything
        assertEquals("MAPI32.DLL", ProductIdentity.ofPayload(Path.of("/tmp/pâyload/MAPI32.DLL")).fileName());
    }

    @Test
    void namesWindowsInstallerCannotTakeAreRefused() {
        assertTrue(refusal("a|b.dll").contains("has the character '|' in its file name, which Windows does not allow"), refusal("a|b.dll"));
        assertTrue(refusal("tab\t.dll").contains("has the character '\\u0009'"), refusal("tab\t.dll"));
        assertTrue(refusal("o'neil.dll").contains("has an apostrophe in its file name"), refusal("o'neil.dll"));
        assertTrue(refusal("trailing.dll.").contains("ends with a dot cannot be a Windows file name"), refusal("trailing.dll."));
        assertEquals(64, ProductIdentity.of("A".repeat(46) + ".DLL").productName().length());
    }

    private static String refusal(String fileName) {
        String message = assertThrows(BuildException.class, () -> ProductIdentity.of(fileName)).getMessage();
        assertTrue(message.startsWith("payload file name '" + fileName + "'"), message);
        assertTrue(message.endsWith("Rename the DLL (its folder may have any name) and build again."), message);
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }
}
