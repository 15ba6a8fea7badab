package io.inuse.packaging;

import java.util.List;

/** The plugin's parameters checked, each refusal one line that names the parameter and what to do. */
public final class MojoChecks {
    /** One configured payload: the file, and where it goes (known folder, path inside it, name). */
    public record PayloadFile(java.io.File getFile, String getFolder, String getPath, String getName) {
    }

    private MojoChecks() {
    }

    /** The one payload this version builds a package around: a file that exists, in System. */
    public static PayloadFile onePayload(List<PayloadFile> payloads) {
        if (payloads == null || payloads.isEmpty()) {
            throw new BuildException("<payloads>: give the DLL to install, <payloads><payload><file>path/YOUR.DLL</file></payload></payloads>");
        }
        if (payloads.size() > 1) {
            throw new BuildException("<payloads>: " + payloads.size() + " DLLs given; this version of the plugin builds a package around one"
                    + " DLL in System (several DLLs in several folders are not built yet)");
        }
        PayloadFile payload = payloads.get(0);
        if (payload.getFile() == null) {
            throw new BuildException("<payloads><payload>: <file> is missing: the path of the x64 DLL to install");
        }
        if (!payload.getFile().isFile()) {
            throw new BuildException("<payloads><payload><file>" + payload.getFile() + "</file>: no such file");
        }
        if (!"System".equals(payload.getFolder())) {
            throw new BuildException("<payloads><payload><folder>" + payload.getFolder() + "</folder> is not a folder this version installs"
                    + " into: use System (the 64-bit System32)");
        }
        if (payload.getPath() != null && !payload.getPath().isEmpty()) {
            throw new BuildException("<payloads><payload><path>" + payload.getPath() + "</path>: this version installs into System itself;"
                    + " leave <path> out");
        }
        if (payload.getName() != null && !payload.getName().equalsIgnoreCase(payload.getFile().getName())) {
            throw new BuildException("<payloads><payload><name>" + payload.getName() + "</name>: this version installs the DLL under its"
                    + " own name (" + payload.getFile().getName() + "); rename the file or leave <name> out");
        }
        return payload;
    }

    /** The ProductVersion: a Windows Installer version, else one line that says how to map it. */
    public static String version(String version) {
        String text = version == null ? "" : version.strip();
        try {
            Revision.parse(text);
            return text;
        } catch (BuildException e) {
            throw new BuildException("<productVersion> is '" + text + "' (by default the project's version), which is not a Windows Installer"
                    + " version: " + e.getMessage() + (text.contains("-") ? " A qualifier such as -SNAPSHOT cannot be kept: two builds of one"
                    + " version would share a ProductCode and Windows Installer would refuse the second (1638). Set"
                    + " <productVersion>1.2.3</productVersion> explicitly" : ""));
        }
    }

    /** The UpgradeCode, braced and upper-cased; one line when it is not a GUID. */
    public static String upgradeCode(String code) {
        try {
            return ProductIdentity.of("X.DLL").withUpgradeCode(code).upgradeCode();
        } catch (IllegalArgumentException e) {
            throw new BuildException("<upgradeCode>: " + e.getMessage() + "; make one once (uuidgen) and keep it for every version");
        }
    }
}
