package io.inuse.packaging;

import java.util.List;

/** The plugin's parameters checked, each refusal one line that names the parameter and what to do. */
public final class MojoChecks {
    /** One configured payload: the file, and where it goes (known folder, path inside it, name). */
    public record PayloadFile(java.io.File getFile, String getFolder, String getPath, String getName) {
    }

    private MojoChecks() {
    }

    /** The known folders a payload may go into: the 64-bit ones (32-bit targets wait until a 32-bit test bed exists). */
    static final List<String> FOLDERS = List.of("System", "Windows", "ProgramFiles", "ProgramFilesCommon", "ProgramData");

    /**
     * The payloads checked, each with where it goes: a file that exists, a known 64-bit folder, a path that stays inside
     * it, its own name; two with one name refused (the staging folder holds each under its name).
     */
    public static List<PayloadFile> payloads(List<PayloadFile> payloads) {
        if (payloads == null || payloads.isEmpty()) {
            throw new BuildException("<payloads>: give the DLL to install, <payloads><payload><file>path/YOUR.DLL</file></payload></payloads>");
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < payloads.size(); i++) {
            PayloadFile payload = payloads.get(i);
            String which = "<payloads><payload> " + (i + 1);
            if (payload.getFile() == null) {
                throw new BuildException(which + ": <file> is missing: the path of the x64 DLL to install");
            }
            if (!payload.getFile().isFile()) {
                throw new BuildException(which + ": <file>" + payload.getFile() + "</file>: no such file");
            }
            try {
                payload.getFile().toPath();
            } catch (java.nio.file.InvalidPathException e) {
                throw new BuildException(which + ": <file>" + payload.getFile() + "</file> cannot be opened: this JVM encodes file names in "
                        + System.getProperty("sun.jnu.encoding") + ", which cannot hold it (" + e.getReason() + "). Run Maven in a UTF-8"
                        + " locale, for example LANG=C.UTF-8 mvn -B package");
            }
            String folder = payload.getFolder() == null ? "System" : payload.getFolder();
            if (!FOLDERS.contains(folder)) {
                throw new BuildException(which + ": <folder>" + folder + "</folder> is not a folder the package installs into: use one of "
                        + String.join(", ", FOLDERS) + (folder.endsWith("X86") ? " (32-bit folders wait until a 32-bit test bed exists)" : ""));
            }
            String relative = payload.getPath() == null ? "" : payload.getPath();
            try {
                new io.inuse.engine.detect.Target(io.inuse.engine.machine.KnownFolder.named(folder), relative, payload.getFile().getName());
            } catch (IllegalArgumentException e) {
                throw new BuildException(which + ": <path>" + relative + "</path>: " + e.getMessage());
            }
            if (payload.getName() != null && !payload.getName().equalsIgnoreCase(payload.getFile().getName())) {
                throw new BuildException(which + ": <name>" + payload.getName() + "</name>: the DLL is installed under its own name ("
                        + payload.getFile().getName() + "); rename the file or leave <name> out");
            }
            if (!names.add(payload.getFile().getName().toUpperCase(java.util.Locale.ROOT))) {
                throw new BuildException(which + ": a second DLL named " + payload.getFile().getName() + ": the package's staging folder holds"
                        + " each under its name; give each payload a file name of its own");
            }
        }
        return payloads;
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

    /** {@code <upgradeCode>derived</upgradeCode>}: the UpgradeCode derived from the product id, or without one from the first DLL's file name (README, "Which product a package is"). */
    public static final String DERIVED = "derived";

    /**
     * The UpgradeCode, braced and upper-cased; empty for {@value #DERIVED} (the first DLL's name decides, as this
     * repository's demo build does); one line when it is missing or not a GUID.
     */
    public static java.util.Optional<String> upgradeCode(String code) {
        if (code == null || code.isBlank()) {
            throw new BuildException("<upgradeCode> is missing: it names the product for every version of it. Make one once (uuidgen)"
                    + " and keep it, or write <upgradeCode>derived</upgradeCode> to derive it from <productId> (or, without one, from the first DLL's file name)");
        }
        if (code.strip().equals(DERIVED)) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(ProductIdentity.of("X.DLL").withUpgradeCode(code).upgradeCode());
        } catch (IllegalArgumentException e) {
            throw new BuildException("<upgradeCode>: " + e.getMessage() + "; make one once (uuidgen) and keep it for every version");
        }
    }

    /**
     * The product's id, names and policy defaults as the POM gives them (null: the default), each checked; one line
     * naming the parameter otherwise.
     */
    public static PackageBuilder.Product product(String id, String name, String manufacturer, String whenLocked, String strategy,
            String forceEqual) {
        id = blank(id);
        name = blank(name);
        manufacturer = blank(manufacturer);
        ProductIdentity named = ProductIdentity.of("X.DLL");
        try {
            named.withNames(id, null, null);
        } catch (IllegalArgumentException e) {
            throw new BuildException("<productId>: " + e.getMessage());
        }
        try {
            named.withNames(null, name, null);
        } catch (IllegalArgumentException e) {
            throw new BuildException("<productName>: " + e.getMessage());
        }
        try {
            named.withNames(null, null, manufacturer);
        } catch (IllegalArgumentException e) {
            throw new BuildException("<manufacturer>: " + e.getMessage());
        }
        java.util.Map<String, String> defaults = new java.util.LinkedHashMap<>();
        if (whenLocked != null && !whenLocked.isBlank()) {
            List<String> allowed = java.util.Arrays.stream(io.inuse.engine.replace.Policy.WhenLocked.values())
                    .map(io.inuse.engine.replace.Policy.WhenLocked::text).toList();
            defaults.put(io.inuse.engine.replace.Policy.WHEN_LOCKED, oneOf("<whenLocked>", whenLocked, allowed));
        }
        if (strategy != null && !strategy.isBlank()) {
            List<String> allowed = java.util.Arrays.stream(io.inuse.engine.replace.Policy.Strategy.values())
                    .map(io.inuse.engine.replace.Policy.Strategy::text).toList();
            defaults.put(io.inuse.engine.replace.Policy.STRATEGY, oneOf("<strategy>", strategy, allowed));
        }
        if (forceEqual != null && !forceEqual.isBlank()) {
            String f = forceEqual.strip();
            if (!f.equalsIgnoreCase("true") && !f.equalsIgnoreCase("false")) {
                throw new BuildException("<forceEqual> is '" + forceEqual + "': use true (replace a DLL of the same version too) or false");
            }
            defaults.put(io.inuse.engine.replace.Policy.FORCE_EQUAL, f.equalsIgnoreCase("true") ? "1" : "0");
        }
        return new PackageBuilder.Product(id, name, manufacturer, defaults);
    }

    private static String oneOf(String parameter, String value, List<String> allowed) {
        for (String text : allowed) {
            if (text.equalsIgnoreCase(value.strip())) {
                return text;
            }
        }
        throw new BuildException(parameter + " is '" + value + "': use one of " + String.join(", ", allowed));
    }

    private static String blank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
