package io.inuse.maven;

/** The build's messages, written for this repository's own command line (-D options), in the plugin's parameter names. */
public final class MsiMojoTerms {
    private MsiMojoTerms() {
    }

    /**
     * The build's message (written for this repository's own command line, -D options) with the plugin's parameter names:
     * one place for every message, whoever runs the build.
     */
    public static String of(String message) {
        return message
                .replace(" Give -Dinuse.payload the path of an x64 DLL with a VERSIONINFO resource, or drop it to build the demo MAPI32.DLL.",
                        " Give <payloads><payload><file> the path of an x64 DLL with a VERSIONINFO resource.")
                .replace(". Build with -Drevision=MAJOR.MINOR.BUILD, for example -Drevision=1.2.3", ".")
                .replace("-Drevision is empty", "<productVersion> is empty")
                .replace("-Drevision=", "version ")
                .replace("-Dinuse.payload", "<payloads><payload><file>")
                .replace("Name the product with -Dinuse.productId, -Dinuse.productName, -Dinuse.manufacturer",
                        "Name the product with <productId>, <productName>, <manufacturer>")
                .replace("-Dinuse.productId", "<productId>")
                .replace("-Dinuse.productName", "<productName>")
                .replace("-Dinuse.runtimeImage", "<runtimeImage>")
                .replace("-Dinuse.sign.certificate", "<signingCertificate>")
                .replace("-Dinuse.sign.passwordFile", "<signingPasswordFile>")
                .replace("-Dinuse.sign.timestampUrl", "<timestampUrl>")
                .replace("-Dinuse.sign.payload", "<signPayloads>")
                .replace("drop the -Dinuse.sign.* options", "drop the signing parameters");
    }

}
