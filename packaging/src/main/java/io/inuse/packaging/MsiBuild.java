package io.inuse.packaging;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Compiles wix/product.wxs with wixl, then mends with msibuild what wixl 0.101 gets wrong
 * (../shared/MSITOOLS.md): File.Version and File.Language are filled from the payload's version
 * resource, and the MsiFileHash row is removed (a versioned file must not have one, ICE60).
 */
final class MsiBuild {
    /** The product's UpgradeCode, as in wix/product.wxs; also the namespace of the ProductCodes. */
    static final String UPGRADE_CODE = "{6F1D3C2A-8B4E-4D7A-9C15-2E0B7A4F9D31}";
    static final String FILE_KEY = "TargetDll";

    private final Toolchain tools;

    MsiBuild(Toolchain tools) {
        this.tools = tools;
    }

    /**
     * A ProductCode of its own for every version (a major upgrade needs a new one), derived from
     * the UpgradeCode and the version so that the same sources always build the same package.
     */
    static String productCode(String productVersion) {
        UUID id = UUID.nameUUIDFromBytes((UPGRADE_CODE + "/" + productVersion).getBytes(StandardCharsets.UTF_8));
        return "{" + id.toString().toUpperCase(Locale.ROOT) + "}";
    }

    /**
     * Properties a standard user's command line may pass to an elevated install (wixl drops
     * Property/@Secure). INUSE_JAVA_HOME is deliberately not among them: it names a program that an
     * elevated action starts, so only an administrator, a transform or the package sets it.
     */
    static final String SECURE_PROPERTIES = "INUSE_ENGINE_TIMEOUT";

    Path build(Path wxs, String productVersion, Payload payload, Path broker, Path msi) {
        String productCode = productCode(productVersion);
        Path workDir = msi.toAbsolutePath().getParent();
        // wixl 0.101 cannot open an absolute Source path: give it one relative to its working folder
        Path source = workDir.relativize(payload.path().toAbsolutePath());
        tools.run(workDir, Toolchain.WIXL, List.of("-a", "x64",
                "-D", "Version=" + productVersion,
                "-D", "ProductCode=" + productCode.substring(1, productCode.length() - 1),
                "-D", "PayloadPath=" + source,
                "-D", "PayloadName=" + payload.fileName(),
                "-D", "BrokerPath=" + workDir.relativize(broker.toAbsolutePath()),
                "-o", msi.toString(), wxs.toString()));
        tools.run(msi.getParent(), Toolchain.MSIBUILD, List.of(msi.toString(), "-q",
                "UPDATE `File` SET `Version`='" + payload.version() + "', `Language`='" + payload.languages()
                        + "' WHERE `File`='" + FILE_KEY + "'",
                "DELETE FROM `MsiFileHash` WHERE `File_`='" + FILE_KEY + "'",
                "UPDATE `Property` SET `Value`='WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;" + SECURE_PROPERTIES
                        + "' WHERE `Property`='SecureCustomProperties'"));
        return msi;
    }
}
