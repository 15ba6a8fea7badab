package io.inuse.packaging;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.UUID;

/**
 * Who the package is. By default derived from the first payload's file name (the demo, -Dinuse.payload): packages
 * around differently named DLLs are different products (they install side by side), packages around the same name are
 * versions of one product (the newer upgrades the older). The Maven plugin names the UpgradeCode, and may name the
 * product id, the ProductName and the Manufacturer.
 *
 * <p>NAME is the payload's file name upper-cased (Windows names are case-insensitive), STEM is NAME
 * without its last extension, ID the product id (by default the file name without its extension, as it is cased)
 * upper-cased. Then:
 * <ul>
 * <li>UpgradeCode = as given, or UUID version 5 (RFC 4122, SHA-1) of "upgrade-id:ID" when the id is given, else of
 *     "upgrade:NAME", in the namespace {@link #NAMESPACE};
 * <li>the product id names the folder {@code Program Files\inuse\<id>}, the keys {@code SOFTWARE\inuse\<id>} and
 *     {@code SOFTWARE\Policies\inuse\<id>} and the Group Policy template (the engine's BuiltInProduct.checkId);
 * <li>the component GUIDs = UUID version 5 of "component:ID:NAME" (the first DLL), "cli-component:ID",
 *     "payload-component:ID:FILE" (the others), "runtime-component:ID:path": they follow the folder they install into;
 * <li>ProductName = as given, or "inuse STEM replacement"; Manufacturer = as given, or "inuse";
 * <li>the MSI's file name = inuse-id-VERSION-x64.msi, the id lower-cased with its spaces as '-';
 * <li>the ProductCode = a UUID (version 3) of the UpgradeCode and the version: a new one per version.
 * </ul>
 * The demo MAPI32.DLL gives the id MAPI32, "inuse MAPI32 replacement" and inuse-mapi32-1.1.0-x64.msi.
 */
public record ProductIdentity(String fileName, String upgradeCodeGiven, String idGiven, String nameGiven, String manufacturerGiven) {
    /** The identity derived from the payload's file name alone (the demo, -Dinuse.payload). */
    public ProductIdentity(String fileName) {
        this(fileName, null, null, null, null);
    }

    /**
     * The same product with the UpgradeCode its project names (the Maven plugin's mandatory upgradeCode): a GUID,
     * braces optional, any case; the ProductCode follows from it. IllegalArgumentException when it is not a GUID.
     */
    public ProductIdentity withUpgradeCode(String code) {
        String text = code == null ? "" : code.strip();
        String bare = text.startsWith("{") && text.endsWith("}") ? text.substring(1, text.length() - 1) : text;
        UUID uuid;
        try {
            uuid = UUID.fromString(bare);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + code + "' is not a GUID such as {A215EDDC-4037-5B29-805D-FF5E61F8A418}");
        }
        if (!uuid.toString().equalsIgnoreCase(bare)) {
            throw new IllegalArgumentException("'" + code + "' is not a GUID such as {A215EDDC-4037-5B29-805D-FF5E61F8A418}");
        }
        return new ProductIdentity(fileName, braced(uuid), idGiven, nameGiven, manufacturerGiven);
    }

    /**
     * The same product with the id, ProductName and Manufacturer its project names (null or blank: the default).
     * IllegalArgumentException naming the value when one cannot serve ({@link #checkId}, {@link #checkText}).
     */
    public ProductIdentity withNames(String id, String name, String manufacturer) {
        String i = blankToNull(id);
        String n = blankToNull(name);
        String m = blankToNull(manufacturer);
        if (i != null) {
            String why = io.inuse.engine.detect.BuiltInProduct.checkId(i);
            if (why != null) {
                throw new IllegalArgumentException(why);
            }
        }
        if (n != null) {
            checkText("the product name", n, MAX_PRODUCT_NAME);
        }
        if (m != null) {
            checkText("the manufacturer", m, MAX_MANUFACTURER);
        }
        return new ProductIdentity(fileName, upgradeCodeGiven, i, n, m);
    }

    /**
     * A ProductName or Manufacturer: printable ASCII (wixl writes a code-page-neutral package, which each machine reads in
     * its own ANSI code page), no brackets or braces (Windows Installer would read them as formatted text in the messages
     * that embed the name), at most {@code max} characters; IllegalArgumentException naming it otherwise.
     */
    static void checkText(String what, String text, int max) {
        if (text.length() > max) {
            throw new IllegalArgumentException(what + " '" + text + "' has " + text.length() + " characters; at most " + max);
        }
        for (int k = 0; k < text.length(); k++) {
            char c = text.charAt(k);
            if (c < 0x20 || c > 0x7E) {
                throw new IllegalArgumentException(what + " '" + text + "' has the character U+" + String.format("%04X", (int) c)
                        + ": only printable ASCII is shown alike on every machine (wixl writes a code-page-neutral package)");
            }
            if ("[]{}".indexOf(c) >= 0) {
                throw new IllegalArgumentException(what + " '" + text + "' has the character '" + c + "', which Windows Installer"
                        + " reads as formatted text in the messages that show the name");
            }
        }
        if (!text.equals(text.strip())) {
            throw new IllegalArgumentException(what + " '" + text + "' begins or ends with a space");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** The project's own namespace for the name-based UUIDs. Never change it: every UpgradeCode depends on it. */
    public static final UUID NAMESPACE = UUID.fromString("72482a43-70c7-4cef-b392-2e75b8b0719f");

    /** The longest ProductName: it is also the feature's title, a column of 64 characters. */
    static final int MAX_PRODUCT_NAME = 64;
    /** The longest Manufacturer (Add/Remove Programs' Publisher). */
    static final int MAX_MANUFACTURER = 64;
    /** Characters Windows does not allow in a file name (besides control characters). */
    private static final String WINDOWS_FORBIDDEN = "<>:\"/\\|?*";
    /** Characters allowed in an 8.3 short name besides letters and digits. */
    private static final String SHORT_NAME_EXTRA = "_-!#$%&()@^`{}~";

    /**
     * The identity of a payload file name, or a BuildException naming it when Windows Installer cannot
     * install a file of that name from a package that wixl 0.101 builds.
     */
    public static ProductIdentity of(String fileName) {
        return checked(fileName, "payload file name '" + fileName + "'");
    }

    /** The same for the payload file itself: a refusal names its whole path. */
    public static ProductIdentity ofPayload(Path payload) {
        Path name = payload.getFileName();
        return checked(name == null ? "" : name.toString(), "payload " + payload);
    }

    private static ProductIdentity checked(String fileName, String subject) {
        String hint = " Rename the DLL (its folder may have any name) and build again.";
        if (fileName.isBlank()) {
            throw new BuildException(subject + " has no file name." + hint);
        }
        for (int i = 0; i < fileName.length(); ) {
            int c = fileName.codePointAt(i);
            if (c >= 0x80) {
                throw new BuildException(subject + " has the non-ASCII character '" + new String(Character.toChars(c))
                        + "' (U+" + String.format("%04X", c) + ") in its file name: wixl 0.101 writes a code-page-neutral"
                        + " package (code page 0) with its strings in Windows-1252 (and crashes on characters outside it),"
                        + " which Windows Installer reads in each target machine's own ANSI code page, so only an ASCII name"
                        + " is installed as itself everywhere." + hint);
            }
            if (c < 0x20 || c == 0x7F || WINDOWS_FORBIDDEN.indexOf(c) >= 0) {
                throw new BuildException(subject + " has the character '" + (c < 0x20 || c == 0x7F ? String.format("\\u%04x", c)
                        : String.valueOf((char) c)) + "' in its file name, which Windows does not allow in a file name." + hint);
            }
            if (c == '\'') {
                throw new BuildException(subject + " has an apostrophe in its file name, which msibuild's SQL (the step that"
                        + " mends the File table) cannot quote." + hint);
            }
            i += Character.charCount(c);
        }
        if (fileName.endsWith(".") || fileName.endsWith(" ") || fileName.startsWith(" ")) {
            throw new BuildException(subject + ": a file name that begins or ends with a space or ends with a dot"
                    + " cannot be a Windows file name." + hint);
        }
        return new ProductIdentity(fileName);
    }

    /** NAME: the file name upper-cased. */
    public String name() {
        return fileName.toUpperCase(Locale.ROOT);
    }

    /** STEM: NAME without its last extension. */
    public String stem() {
        int dot = name().lastIndexOf('.');
        return dot > 0 ? name().substring(0, dot) : name();
    }

    /**
     * As given; else derived from the product id when one is given (two ids are two products, even around DLLs of one
     * name: they have two folders, and one must not upgrade the other), else from the first DLL's name.
     */
    public String upgradeCode() {
        if (upgradeCodeGiven != null) {
            return upgradeCodeGiven;
        }
        // an id given as the default one (MAPI32 for MAPI32.DLL) is the same product as without it
        boolean ownId = idGiven != null && !idGiven.equalsIgnoreCase(new ProductIdentity(fileName).productId());
        return braced(uuid5(NAMESPACE, ownId ? "upgrade-id:" + idKey() : "upgrade:" + name()));
    }

    /** The product id: as given, or the payload's file name without its extension, as it is cased. */
    public String productId() {
        if (idGiven != null) {
            return idGiven;
        }
        int dot = fileName.lastIndexOf('.');
        return dot > 0 ? fileName.substring(0, dot) : fileName;
    }

    /** The product id upper-cased: the key of every derived component GUID. */
    private String idKey() {
        return productId().toUpperCase(Locale.ROOT);
    }

    public String componentGuid() {
        return braced(uuid5(NAMESPACE, "component:" + idKey() + ":" + name()));
    }

    /** The component of the command line (bin\inuse.exe and its jars). */
    public String cliComponentGuid() {
        return braced(uuid5(NAMESPACE, "cli-component:" + idKey()));
    }

    /** The component of a DLL of the package after the first: this product's, by the DLL's name. */
    public String payloadComponentGuid(String fileName) {
        return braced(uuid5(NAMESPACE, "payload-component:" + idKey() + ":" + fileName.toUpperCase(Locale.ROOT)));
    }

    /** The component that creates a target's folder (a relative path in a known folder), by the folder and path. */
    public String folderComponentGuid(String knownFolder, String relative) {
        return braced(uuid5(NAMESPACE, "folder-component:" + idKey() + ":" + knownFolder.toUpperCase(Locale.ROOT) + "\\"
                + relative.toUpperCase(Locale.ROOT)));
    }

    /** The component of one file of the installed runtime, by its path inside the image ("bin/java.exe"). */
    public String runtimeComponentGuid(String relative) {
        return braced(uuid5(NAMESPACE, "runtime-component:" + idKey() + ":" + relative.toLowerCase(java.util.Locale.ROOT)));
    }

    public String productName() {
        return nameGiven != null ? nameGiven : "inuse " + stem() + " replacement";
    }

    public String manufacturer() {
        return manufacturerGiven != null ? manufacturerGiven : "inuse";
    }

    public String msiFileName(String productVersion) {
        // only characters no shell splits or expands (cmd's &, PowerShell's $ @ ( ) ,): the rest as '-'
        StringBuilder id = new StringBuilder();
        for (char c : productId().toLowerCase(Locale.ROOT).toCharArray()) {
            id.append((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ? c : '-');
        }
        return "inuse-" + id + "-" + productVersion + "-x64.msi";
    }

    /**
     * A ProductCode of its own for every version (a major upgrade needs a new one), derived from the
     * UpgradeCode and the version so that the same sources always build the same package.
     */
    public String productCode(String productVersion) {
        UUID id = UUID.nameUUIDFromBytes((upgradeCode() + "/" + productVersion).getBytes(StandardCharsets.UTF_8));
        return braced(id);
    }

    /**
     * The File table's FileName for the payload: the name itself when it is a valid 8.3 short name,
     * else "SHORT|long" as the Filename data type requires (wixl 0.101 writes the long name alone).
     * The short name is used only where long names are not (SHORTFILENAMES, a volume without them).
     */
    public String fileTableName() {
        if (isShortName(fileName)) {
            return fileName;
        }
        String upper = fileName.toUpperCase(Locale.ROOT);
        int dot = upper.lastIndexOf('.');
        String base = shortChars(dot > 0 ? upper.substring(0, dot) : upper);
        String extension = dot > 0 ? shortChars(upper.substring(dot + 1)) : "";
        base = (base.isEmpty() ? "FILE" : base.substring(0, Math.min(6, base.length()))) + "~1";
        return base + (extension.isEmpty() ? "" : "." + extension.substring(0, Math.min(3, extension.length()))) + "|" + fileName;
    }

    static boolean isShortName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String base = dot >= 0 ? fileName.substring(0, dot) : fileName;
        String extension = dot >= 0 ? fileName.substring(dot + 1) : "";
        return base.length() >= 1 && base.length() <= 8 && extension.length() <= 3 && (dot < 0 || !extension.isEmpty())
                && shortChars(base).equals(base.toUpperCase(Locale.ROOT)) && shortChars(extension).equals(extension.toUpperCase(Locale.ROOT));
    }

    private static String shortChars(String text) {
        StringBuilder out = new StringBuilder();
        for (char c : text.toUpperCase(Locale.ROOT).toCharArray()) {
            if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || SHORT_NAME_EXTRA.indexOf(c) >= 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** RFC 4122 section 4.3, version 5: SHA-1 of the namespace's 16 bytes and the name in UTF-8. */
    static UUID uuid5(UUID namespace, String name) {
        MessageDigest sha1;
        try {
            sha1 = MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-1", e);
        }
        sha1.update(ByteBuffer.allocate(16).putLong(namespace.getMostSignificantBits())
                .putLong(namespace.getLeastSignificantBits()).array());
        byte[] hash = sha1.digest(name.getBytes(StandardCharsets.UTF_8));
        hash[6] = (byte) ((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte) ((hash[8] & 0x3F) | 0x80);
        ByteBuffer bytes = ByteBuffer.wrap(hash, 0, 16);
        return new UUID(bytes.getLong(), bytes.getLong());
    }

    private static String braced(UUID id) {
        return "{" + id.toString().toUpperCase(Locale.ROOT) + "}";
    }
}
