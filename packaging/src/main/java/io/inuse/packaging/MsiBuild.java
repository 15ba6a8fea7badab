package io.inuse.packaging;

import java.nio.file.Path;
import java.util.List;

/**
 * Compiles wix/product.wxs with wixl, then mends with msibuild what wixl 0.101 gets wrong
 * (msitools 0.101): File.Version and File.Language are filled from the payload's version
 * resource, File.FileName gets a short name when the payload's is not 8.3 ("SHORT~1.DLL|LongName.dll",
 * wixl writes the long name alone), and the MsiFileHash row is removed (a versioned file must not
 * have one, ICE60). The product's names and GUIDs come from the payload's name ({@link ProductIdentity}).
 */
final class MsiBuild {
    static final String FILE_KEY = "TargetDll";

    private final Toolchain tools;

    MsiBuild(Toolchain tools) {
        this.tools = tools;
    }

    /**
     * Properties a standard user's command line may pass to an elevated install (wixl drops
     * Property/@Secure). INUSE_JAVA_HOME is deliberately not among them: it names a program that an
     * elevated action starts, so only an administrator, a transform or the package sets it.
     */
    static final String SECURE_PROPERTIES = "INUSE_ENGINE_TIMEOUT";

    Path build(Path wxs, String productVersion, Payload payload, Path broker, Path msi) {
        ProductIdentity identity = payload.identity();
        String productCode = identity.productCode(productVersion);
        Path workDir = msi.toAbsolutePath().getParent();
        // wixl 0.101 cannot open an absolute Source path: give it one relative to its working folder
        Path source = workDir.relativize(payload.path().toAbsolutePath());
        tools.run(workDir, Toolchain.WIXL, List.of("-a", "x64",
                "-D", "Version=" + productVersion,
                "-D", "ProductCode=" + unbraced(productCode),
                "-D", "UpgradeCode=" + unbraced(identity.upgradeCode()),
                "-D", "ComponentGuid=" + unbraced(identity.componentGuid()),
                "-D", "ProductName=" + identity.productName(),
                "-D", "PayloadPath=" + source,
                "-D", "PayloadName=" + payload.fileName(),
                "-D", "BrokerPath=" + workDir.relativize(broker.toAbsolutePath()),
                "-o", msi.toString(), wxs.toString()));
        tools.run(msi.getParent(), Toolchain.MSIBUILD, List.of(msi.toString(), "-q",
                "UPDATE `File` SET `Version`='" + payload.version() + "', `Language`='" + payload.languages()
                        + "' WHERE `File`='" + FILE_KEY + "'",
                "UPDATE `File` SET `FileName`='" + identity.fileTableName() + "' WHERE `File`='" + FILE_KEY + "'",
                "DELETE FROM `MsiFileHash` WHERE `File_`='" + FILE_KEY + "'",
                "UPDATE `Property` SET `Value`='WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;" + SECURE_PROPERTIES
                        + "' WHERE `Property`='SecureCustomProperties'"));
        return msi;
    }

    private static String unbraced(String guid) {
        return guid.substring(1, guid.length() - 1);
    }
}
