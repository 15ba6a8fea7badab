package io.inuse.packaging;

import io.inuse.pe.FileVersion;
import io.inuse.pe.PeFormatException;
import io.inuse.pe.PeInfo;
import io.inuse.pe.PeReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The DLL the package installs, checked with the PE reader: an x64 DLL with a version resource.
 * Its FileVersion and languages fill the File table, which wixl leaves empty; its file name names
 * the product ({@link ProductIdentity}).
 */
public record Payload(Path path, String fileName, FileVersion version, String languages, long size, ProductIdentity product) {

    public Payload(Path path, String fileName, FileVersion version, String languages, long size) {
        this(path, fileName, version, languages, size, null);
    }

    /** The same payload in a product whose UpgradeCode its project names ({@link ProductIdentity#withUpgradeCode}). */
    public Payload withUpgradeCode(String code) {
        return withIdentity(identity().withUpgradeCode(code));
    }

    /** The same payload as the first DLL of this product (its project's UpgradeCode, id, names). */
    public Payload withIdentity(ProductIdentity identity) {
        return new Payload(path, fileName, version, languages, size, identity);
    }

    public static Payload inspect(Path path) {
        String hint = " Give -Dinuse.payload the path of an x64 DLL with a VERSIONINFO resource, or drop it to build the demo MAPI32.DLL.";
        ProductIdentity.ofPayload(path);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new BuildException("payload " + path + " cannot be read (" + e + ")." + hint, e);
        }
        PeInfo info;
        try {
            info = PeReader.read(path.toString(), bytes);
        } catch (PeFormatException e) {
            throw new BuildException("payload is not a valid PE file: " + e.getMessage() + "." + hint, e);
        }
        if (!info.isX64()) {
            throw new BuildException("payload " + path + " is built for " + info.machineName()
                    + ", but the package installs into the 64-bit System32 folder and needs an x64 DLL." + hint);
        }
        if (!info.dll()) {
            throw new BuildException("payload " + path + " is an executable, not a DLL (IMAGE_FILE_DLL is not set)." + hint);
        }
        FileVersion version = info.fileVersion().orElseThrow(() -> new BuildException("payload " + path
                + " has no version resource (VS_FIXEDFILEINFO): Windows Installer would treat it as unversioned and"
                + " replace or keep it by date alone." + hint));
        String languages = info.languages().isEmpty() ? "0" : info.languageColumn();
        return new Payload(path, path.getFileName().toString(), version, languages, bytes.length);
    }

    /** The product this payload makes: UpgradeCode, component GUID, ProductName, MSI file name. */
    public ProductIdentity identity() {
        return product != null ? product : ProductIdentity.of(fileName);
    }
}
