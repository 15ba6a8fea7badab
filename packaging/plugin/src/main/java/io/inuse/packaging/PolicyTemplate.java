package io.inuse.packaging;

import io.inuse.engine.replace.Policy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Group Policy administrative template of a product (issue 17): an ADMX file and its en-US ADML,
 * shipped next to the MSI ({@code policy/inuse-<id>.admx}, {@code policy/en-US/inuse-<id>.adml}; copy
 * both into a PolicyDefinitions folder or the central store). Generated from the engine's own
 * {@link Policy}: one policy per value it reads under {@code HKLM\SOFTWARE\Policies\inuse\<product id>},
 * each a drop-down list of exactly the values it accepts, so the template and the code cannot drift
 * apart (PolicyTemplateTest checks both ways).
 */
public final class PolicyTemplate {
    /** A policy of the template: the registry value, its display name, help text and choices. */
    record Entry(String valueName, String name, String display, String help, List<Choice> choices) {
    }

    /** One choice: the string written to the registry and its label. */
    record Choice(String value, String label) {
    }

    private PolicyTemplate() {
    }

    /** The policies, from the engine's names and values. */
    static List<Entry> entries() {
        List<Choice> whenLocked = new ArrayList<>();
        for (Policy.WhenLocked w : Policy.WhenLocked.values()) {
            whenLocked.add(new Choice(w.text(), switch (w) {
                case DEFER -> "Replace it at the next reboot (exit code 3010)";
                case FAIL -> "Stop the install (1603) before anything changes";
                case STOP_SERVICES -> "Stop the services holding it, replace it, start them again";
            }));
        }
        List<Choice> strategy = new ArrayList<>();
        for (Policy.Strategy s : Policy.Strategy.values()) {
            strategy.add(new Choice(s.text(), switch (s) {
                case REBOOT -> "Move the new file in at the next reboot";
                case RENAME_ASIDE -> "Rename the held file aside and put the new one in place at once";
            }));
        }
        return List.of(
                new Entry(Policy.WHEN_LOCKED, "WhenLocked", "When the file is held by a running program or service",
                        "What the install does when a process or service still holds the file it replaces. Replace it at the next"
                                + " reboot (the default): the install ends with 3010 and never restarts the machine itself. Stop the"
                                + " install: 1603 before anything is changed; close what holds the file and install again. Stop the"
                                + " services: when only services hold it, they are stopped (their dependents first), the file is"
                                + " replaced at once and they are started again; nothing is ever killed, and anything else holding"
                                + " the file leaves it to the next reboot. A policy value wins over the install's"
                                + " INUSE_WHEN_LOCKED property.", whenLocked),
                new Entry(Policy.STRATEGY, "Strategy", "How a held file is replaced",
                        "At the next reboot (the default), or at once by renaming the held file aside: programs started from"
                                + " then on load the new file, running ones keep the old one until they end, and the old one is"
                                + " deleted at the next reboot (3010). A policy value wins over the install's INUSE_STRATEGY"
                                + " property.", strategy),
                new Entry(Policy.FORCE_EQUAL, "ForceEqual", "Replace a file of the same version",
                        "Whether a file whose version equals the package's is replaced too (never an older one over a newer)."
                                + " A policy value wins over the install's INUSE_FORCE_EQUAL property.",
                        List.of(new Choice("0", "No: leave a file of the same version as it is"),
                                new Choice("1", "Yes: replace it too"))));
    }

    /** Writes the template for a product without policy defaults of its own. */
    public static Path write(Path outDir, String productId, String productName) {
        return write(outDir, productId, productName, java.util.Map.of());
    }

    /**
     * Writes the template for a product into {@code outDir/policy}; the ADMX file's path. {@code defaults}: the package's
     * own defaults by property name (BuiltInProduct), which each policy's help names and its list offers first.
     */
    public static Path write(Path outDir, String productId, String productName, java.util.Map<String, String> defaults) {
        Path folder = outDir.resolve("policy");
        Path admx = folder.resolve("inuse-" + productId + ".admx");
        Path adml = folder.resolve("en-US").resolve("inuse-" + productId + ".adml");
        try {
            Files.createDirectories(adml.getParent());
            Files.writeString(admx, admx(productId), StandardCharsets.UTF_8);
            Files.writeString(adml, adml(productId, productName, defaults), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Group Policy template into " + folder, e);
        }
        return admx;
    }

    static String admx(String productId) {
        String prefix = "inuse" + namePart(productId);
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        x.append("<policyDefinitions xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
                .append(" revision=\"1.0\" schemaVersion=\"1.0\" xmlns=\"http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions\">\n");
        x.append("  <policyNamespaces>\n    <target prefix=\"").append(prefix).append("\" namespace=\"inuse.Policies.")
                .append(namePart(productId)).append("\"/>\n  </policyNamespaces>\n");
        x.append("  <resources minRequiredRevision=\"1.0\"/>\n");
        x.append("  <supportedOn>\n    <definitions>\n      <definition name=\"SUPPORTED_inuse\" displayName=\"$(string.SUPPORTED_inuse)\"/>\n")
                .append("    </definitions>\n  </supportedOn>\n");
        x.append("  <categories>\n    <category name=\"inuse\" displayName=\"$(string.inuse)\"/>\n")
                .append("    <category name=\"product\" displayName=\"$(string.product)\">\n      <parentCategory ref=\"inuse\"/>\n")
                .append("    </category>\n  </categories>\n");
        x.append("  <policies>\n");
        for (Entry e : entries()) {
            x.append("    <policy name=\"").append(e.name()).append("\" class=\"Machine\" displayName=\"$(string.").append(e.name())
                    .append(")\" explainText=\"$(string.").append(e.name()).append("_Help)\" presentation=\"$(presentation.")
                    .append(e.name()).append(")\" key=\"").append(xml(Policy.key(productId))).append("\">\n");
            x.append("      <parentCategory ref=\"product\"/>\n      <supportedOn ref=\"SUPPORTED_inuse\"/>\n      <elements>\n");
            x.append("        <enum id=\"").append(e.valueName()).append("\" valueName=\"").append(e.valueName()).append("\" required=\"true\">\n");
            for (int i = 0; i < e.choices().size(); i++) {
                x.append("          <item displayName=\"$(string.").append(e.name()).append('_').append(i).append(")\"><value><string>")
                        .append(xml(e.choices().get(i).value())).append("</string></value></item>\n");
            }
            x.append("        </enum>\n      </elements>\n    </policy>\n");
        }
        x.append("  </policies>\n</policyDefinitions>\n");
        return x.toString();
    }

    static String adml(String productId, String productName) {
        return adml(productId, productName, java.util.Map.of());
    }

    static String adml(String productId, String productName, java.util.Map<String, String> defaults) {
        StringBuilder x = new StringBuilder();
        x.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        x.append("<policyDefinitionResources xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"")
                .append(" revision=\"1.0\" schemaVersion=\"1.0\" xmlns=\"http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions\">\n");
        x.append("  <displayName>").append(xml(productName)).append("</displayName>\n");
        x.append("  <description>Policies of ").append(xml(productName)).append(" (product id ").append(xml(productId))
                .append("), read by its installer's custom actions</description>\n");
        x.append("  <resources>\n    <stringTable>\n");
        string(x, "SUPPORTED_inuse", "Windows with inuse " + productId + " installed by its MSI package");
        string(x, "inuse", "inuse");
        string(x, "product", productName + " (" + productId + ")");
        for (Entry e : entries()) {
            string(x, e.name(), e.display());
            string(x, e.name() + "_Help", e.help() + packageDefault(e, defaults) + "\n\nRegistry: HKLM\\" + Policy.key(productId) + "\\"
                    + e.valueName() + " (REG_SZ).");
            for (int i = 0; i < e.choices().size(); i++) {
                string(x, e.name() + "_" + i, e.choices().get(i).label() + " (" + e.choices().get(i).value() + ")");
            }
        }
        x.append("    </stringTable>\n    <presentationTable>\n");
        for (Entry e : entries()) {
            x.append("      <presentation id=\"").append(e.name()).append("\">\n        <dropdownList refId=\"").append(e.valueName())
                    .append("\" noSort=\"true\" defaultItem=\"").append(defaultItem(e, defaults)).append("\">").append(xml(e.display())).append("</dropdownList>\n      </presentation>\n");
        }
        x.append("    </presentationTable>\n  </resources>\n</policyDefinitionResources>\n");
        return x.toString();
    }

    /** The help's sentence on the package's own default, when it has one for this value. */
    private static String packageDefault(Entry e, java.util.Map<String, String> defaults) {
        String value = defaults.get(e.valueName());
        if (value == null) {
            return "";
        }
        for (Choice c : e.choices()) {
            if (c.value().equalsIgnoreCase(value.strip())) {
                return " Without a policy or a property, this package does: " + c.label() + " (" + c.value() + "), its own default in place of inuse's.";
            }
        }
        return "";
    }

    /** The drop-down's first choice when the policy is enabled: the package's own default, else inuse's (the first). */
    private static int defaultItem(Entry e, java.util.Map<String, String> defaults) {
        String value = defaults.get(e.valueName());
        for (int i = 0; value != null && i < e.choices().size(); i++) {
            if (e.choices().get(i).value().equalsIgnoreCase(value.strip())) {
                return i;
            }
        }
        return 0;
    }

    private static void string(StringBuilder x, String id, String text) {
        x.append("      <string id=\"").append(id).append("\">").append(xml(text)).append("</string>\n");
    }

    /**
     * The product id as part of an XML name and a namespace: its letters and digits, every other character as {@code _}
     * and its code in hex, so that ids differing only in punctuation ("Example Mail", "Example-Mail") get namespaces of
     * their own (the Group Policy editor refuses two templates with one namespace).
     */
    static String namePart(String productId) {
        StringBuilder out = new StringBuilder();
        for (char c : productId.toCharArray()) {
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                out.append(c);
            } else {
                out.append('_').append(String.format("%02X", (int) c));
            }
        }
        return out.length() == 0 ? "product" : out.toString();
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
