package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.maven.MsiMojoTerms;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugin's parameter checks, each refusal one line naming the parameter; the UpgradeCode a project names. */
class MojoChecksTest {
    @TempDir
    Path dir;

    @Test
    void aQualifiedVersionIsRefusedWithHowToMapIt() {
        assertEquals("1.2.3", MojoChecks.version("1.2.3"));
        BuildException e = assertThrows(BuildException.class, () -> MojoChecks.version("1.2.3-SNAPSHOT"));
        assertTrue(e.getMessage().startsWith("<productVersion> is '1.2.3-SNAPSHOT' (by default the project's version)"), e.getMessage());
        assertTrue(e.getMessage().contains("(1638). Set <productVersion>1.2.3</productVersion> explicitly"), e.getMessage());
        assertTrue(io.inuse.maven.MsiMojoTerms.of(assertThrows(BuildException.class, () -> MojoChecks.version("")).getMessage())
                .startsWith("<productVersion> is '' (by default the project's version), which is not a Windows Installer version: <productVersion> is empty"));
        assertThrows(BuildException.class, () -> MojoChecks.version("256.0.0"));
    }

    @Test
    void theUpgradeCodeIsAGuidKeptAsGiven() {
        assertEquals(java.util.Optional.of("{6B3A2C55-1D2E-4F60-9A7B-3C4D5E6F7A8B}"), MojoChecks.upgradeCode("6b3a2c55-1d2e-4f60-9a7b-3c4d5e6f7a8b"));
        assertEquals(java.util.Optional.empty(), MojoChecks.upgradeCode("derived"), "derived: the first DLL's name decides");
        assertTrue(assertThrows(BuildException.class, () -> MojoChecks.upgradeCode(null)).getMessage().startsWith("<upgradeCode> is missing"));
        BuildException e = assertThrows(BuildException.class, () -> MojoChecks.upgradeCode("{not-a-guid}"));
        assertTrue(e.getMessage().startsWith("<upgradeCode>: '{not-a-guid}' is not a GUID"), e.getMessage());
        ProductIdentity derived = ProductIdentity.of("MAPI32.DLL");
        ProductIdentity named = derived.withUpgradeCode("{6B3A2C55-1D2E-4F60-9A7B-3C4D5E6F7A8B}");
        assertEquals("{6B3A2C55-1D2E-4F60-9A7B-3C4D5E6F7A8B}", named.upgradeCode());
        assertNotEquals(derived.productCode("1.0.0"), named.productCode("1.0.0"), "the ProductCode follows the UpgradeCode");
        assertEquals(derived.componentGuid(), named.componentGuid(), "the component stays the DLL's");
    }

    @Test
    void payloadsGoIntoKnown64BitFoldersUnderNamesOfTheirOwn() throws Exception {
        File dll = Files.writeString(dir.resolve("MAPIX.DLL"), "x").toFile();
        File other = Files.writeString(dir.resolve("OTHER.DLL"), "x").toFile();
        assertEquals(2, MojoChecks.payloads(List.of(new MojoChecks.PayloadFile(dll, "System", "", null),
                new MojoChecks.PayloadFile(other, "ProgramFiles", "Example Mail\\bin", null))).size());
        assertTrue(refusal(List.of()).startsWith("<payloads>: give the DLL to install"));
        assertEquals("<payloads><payload> 1: <file> is missing: the path of the x64 DLL to install",
                refusal(List.of(new MojoChecks.PayloadFile(null, "System", "", null))));
        assertTrue(refusal(List.of(new MojoChecks.PayloadFile(dir.resolve("GONE.DLL").toFile(), "System", "", null))).endsWith("GONE.DLL</file>: no such file"));
        assertTrue(refusal(List.of(new MojoChecks.PayloadFile(dll, "Fonts", "", null))).startsWith("<payloads><payload> 1: <folder>Fonts</folder>"));
        assertTrue(refusal(List.of(new MojoChecks.PayloadFile(dll, "SystemX86", "", null))).endsWith("(32-bit folders wait until a 32-bit test bed exists)"));
        assertTrue(refusal(List.of(new MojoChecks.PayloadFile(dll, "System", "..\\up", null))).startsWith("<payloads><payload> 1: <path>..\\up</path>: "));
        assertTrue(refusal(List.of(new MojoChecks.PayloadFile(dll, "System", "", "OTHER.DLL"))).startsWith("<payloads><payload> 1: <name>OTHER.DLL"));
        assertTrue(refusal(List.of(new MojoChecks.PayloadFile(dll, "System", "", null), new MojoChecks.PayloadFile(dll, "ProgramData", "x", null)))
                .startsWith("<payloads><payload> 2: a second DLL named MAPIX.DLL"));
    }

    @Test
    void theBuildsMessagesNameThePluginsParameters() {
        assertEquals("payload is not a valid PE file: x. Give <payloads><payload><file> the path of an x64 DLL with a VERSIONINFO resource.",
                MsiMojoTerms.of("payload is not a valid PE file: x. Give -Dinuse.payload the path of an x64 DLL with a VERSIONINFO resource,"
                        + " or drop it to build the demo MAPI32.DLL."));
        assertEquals("<signingCertificate>=/x cannot be read", MsiMojoTerms.of("-Dinuse.sign.certificate=/x cannot be read"));
        assertEquals("version 1.0-x is refused.", MsiMojoTerms.of("-Drevision=1.0-x is refused. Build with -Drevision=MAJOR.MINOR.BUILD, for example -Drevision=1.2.3"));
    }

    private static String refusal(List<MojoChecks.PayloadFile> payloads) {
        return assertThrows(BuildException.class, () -> MojoChecks.payloads(payloads)).getMessage();
    }

    @Test
    void theProductsNamesAndPolicyDefaultsAreCheckedByParameter() {
        PackageBuilder.Product product = MojoChecks.product(" Example Mail ", "Example Mail MAPI update", "Example Corp", "FAIL", "renameaside",
                "true");
        assertEquals("Example Mail", product.id());
        assertEquals(new java.util.LinkedHashMap<>(java.util.Map.of("INUSE_WHEN_LOCKED", "fail", "INUSE_STRATEGY", "renameaside",
                "INUSE_FORCE_EQUAL", "1")), new java.util.LinkedHashMap<>(product.defaults()));
        assertEquals(List.of("INUSE_WHEN_LOCKED", "INUSE_STRATEGY", "INUSE_FORCE_EQUAL"), List.copyOf(product.defaults().keySet()));
        PackageBuilder.Product none = MojoChecks.product(null, null, null, null, null, null);
        assertEquals(PackageBuilder.Product.DERIVED, none);
        assertEquals("<whenLocked> is 'sometimes': use one of defer, fail, stopservices",
                assertThrows(BuildException.class, () -> MojoChecks.product(null, null, null, "sometimes", null, null)).getMessage());
        assertEquals("<strategy> is 'later': use one of reboot, renameaside",
                assertThrows(BuildException.class, () -> MojoChecks.product(null, null, null, null, "later", null)).getMessage());
        assertEquals("<forceEqual> is 'yes': use true (replace a DLL of the same version too) or false",
                assertThrows(BuildException.class, () -> MojoChecks.product(null, null, null, null, null, "yes")).getMessage());
        assertTrue(assertThrows(BuildException.class, () -> MojoChecks.product("Mail/2", null, null, null, null, null)).getMessage()
                .startsWith("<productId>: the product id 'Mail/2' has the character '/'"));
        assertTrue(assertThrows(BuildException.class, () -> MojoChecks.product(null, "{x}", null, null, null, null)).getMessage()
                .startsWith("<productName>: the product name '{x}' has the character '{'"));
        assertTrue(assertThrows(BuildException.class, () -> MojoChecks.product(null, null, "Corp\u00e9", null, null, null)).getMessage()
                .startsWith("<manufacturer>: the manufacturer"));
    }

    @Test
    void aDerivedProductIdThatCannotServeNamesTheParameter() {
        Payload plus = new Payload(dir.resolve("mail#helper.dll"), "mail#helper.dll", new io.inuse.pe.FileVersion(1, 0, 0, 0), "0", 1);
        PackageBuilder.Spec spec = new PackageBuilder.Spec("1.0.0", java.util.Optional.empty(), List.of());
        String message = MsiMojoTerms.of(assertThrows(BuildException.class, () -> PackageBuilder.named(plus, spec)).getMessage());
        assertEquals("the product id is derived from the first DLL's name mail#helper.dll, and the product id 'mail#helper' has the character"
                + " '#', which a product id cannot have (it names a folder, a registry key and a file): use letters, digits, spaces and"
                + " ._-+()&,!@$: name the product with <productId> (or rename the DLL) and build again", message);
        Payload named = PackageBuilder.named(plus, spec.withProduct(new PackageBuilder.Product("MailHelper", null, null, java.util.Map.of())));
        assertEquals("MailHelper", named.identity().productId());
        // a DLL whose derived ProductName would be too long for the Feature title: fine when the POM names the product
        Payload longName = new Payload(dir.resolve("A".repeat(47) + ".DLL"), "A".repeat(47) + ".DLL", new io.inuse.pe.FileVersion(1, 0, 0, 0), "0", 1);
        assertEquals("payload " + longName.path() + ": the file name is too long to name the product: 'inuse " + "A".repeat(47) + " replacement'"
                + " has 65 characters, and the Feature table's Title holds 64. Name the product with <productName> (or rename the DLL) and"
                + " build again", MsiMojoTerms.of(assertThrows(BuildException.class, () -> PackageBuilder.named(longName,
                spec.withProduct(new PackageBuilder.Product("Long", null, null, java.util.Map.of())))).getMessage()));
        assertEquals("Long name", PackageBuilder.named(longName, spec.withProduct(new PackageBuilder.Product("Long", "Long name", null,
                java.util.Map.of()))).identity().productName());
        // a default the engine would refuse is not built into a package
        assertEquals("the package's default INUSE_WHEN_LOCKED is 'later', which is not understood: use defer (replace a held file at the"
                + " next reboot, the default), fail (stop the install instead) or stopservices (stop the services that hold it, replace it,"
                + " start them again)", assertThrows(BuildException.class, () -> PackageBuilder.builtIn(ProductIdentity.of("MAPI32.DLL"),
                java.util.Map.of("INUSE_WHEN_LOCKED", "later"))).getMessage());
    }
}
