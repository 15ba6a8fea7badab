package io.inuse.packaging;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Verifies a built MSI, standing in for the ICE validation that Linux does not have.
 *
 * <p>Two kinds of check: explicit facts that must hold (File.Version and Language equal the
 * payload's version resource, every custom action is sequenced, per-machine x64), and golden
 * dumps: the tables that matter, exported with {@code msiinfo export}, normalised (generated
 * GUIDs, timestamps, the version, the names and GUIDs derived from the payload's name, and the
 * payload's size become placeholders), rows sorted, then
 * compared line by line with {@code packaging/golden/}, failing on the first difference.
 */
public final class PackageVerifier {
    /** The tables whose content is pinned; "_SummaryInformation" is the summary stream. */
    static final List<String> TABLES = List.of("_SummaryInformation", "Property", "Directory", "Component",
            "Feature", "FeatureComponents", "File", "MsiFileHash", "Media", "Upgrade", "LaunchCondition", "Binary",
            "CustomAction", "InstallExecuteSequence", "InstallUISequence", "AdminUISequence", "Registry", "AppSearch", "RegLocator",
            "Dialog", "Control", "ControlEvent", "EventMapping", "ListBox", "RadioButton", "TextStyle", "UIText");
    static final String UPDATE_HINT = "If the change is intended, regenerate the goldens with "
            + "'mvn -B package -Dinuse.updateGolden=true' and review 'git diff packaging/golden'.";

    private static final Set<String> SEQUENCE_TABLES = Set.of("InstallExecuteSequence", "InstallUISequence",
            "AdminExecuteSequence", "AdminUISequence", "AdvtExecuteSequence");
    private static final int SUMMARY_PACKAGE_CODE = 9;
    private static final int SUMMARY_CREATED = 12;
    private static final int SUMMARY_SAVED = 13;

    private final Toolchain tools;

    public PackageVerifier(Toolchain tools) {
        this.tools = tools;
    }

    /** A table as exported: three header lines (columns, types, keys) and the rows, split on tabs. */
    record Table(String name, List<String> header, List<String[]> rows) {
        int column(String columnName) {
            int index = Arrays.asList(header.get(0).split("\t", -1)).indexOf(columnName);
            if (index < 0) {
                throw new BuildException("table " + name + " has no column " + columnName + " (header: " + header.get(0) + ")");
            }
            return index;
        }

        String[] row(int keyColumn, String key) {
            return rows.stream().filter(r -> r[keyColumn].equals(key)).findFirst()
                    .orElseThrow(() -> new BuildException("table " + name + " has no row " + key));
        }
    }

    Table export(Path msi, String table) {
        String text = tools.run(msi.getParent(), Toolchain.MSIINFO, List.of("export", msi.toString(), table));
        List<String> lines = text.lines().collect(Collectors.toList());
        if (lines.size() < 3) {
            throw new BuildException(msi + ": 'msiinfo export' of table " + table + " printed no table header");
        }
        List<String[]> rows = new ArrayList<>();
        for (String line : lines.subList(3, lines.size())) {
            rows.add(line.split("\t", -1));
        }
        return new Table(table, lines.subList(0, 3), rows);
    }

    /** The keys of the package's File table, as {@code msiinfo export} shows them. */
    /** A stream of the Binary table as it is in the package (the broker DLL: {@code InuseBroker}), for reading its pak back. */
    public byte[] binary(Path msi, String name) {
        return tools.runForBytes(msi.toAbsolutePath().getParent(), Toolchain.MSIINFO, List.of("extract", msi.toString(), "Binary." + name));
    }

    public Set<String> fileKeys(Path msi) {
        Table file = export(msi, "File");
        int key = file.column("File");
        return file.rows().stream().map(r -> r[key]).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /**
     * The facts of the DLLs after the first (the Maven plugin's payloads): each File row ({@code TargetDll2}, ...) with the
     * DLL's long name, version, languages and size, no MsiFileHash row (ICE60), in its own component with this product's
     * GUID for it, in the staging folder.
     */
    public void checkExtras(Path msi, ProductIdentity product, java.util.List<Payload> extras) {
        if (extras.isEmpty()) {
            return;
        }
        Table file = export(msi, "File");
        Table component = export(msi, "Component");
        java.util.Set<String> hashed = new java.util.HashSet<>();
        for (String[] r : export(msi, "MsiFileHash").rows()) {
            hashed.add(r[0]);
        }
        for (int i = 0; i < extras.size(); i++) {
            Payload payload = extras.get(i);
            String key = PayloadFiles.fileKey(i);
            String[] row = file.row(0, key);
            String name = row[file.column("FileName")];
            expect(msi, "File.FileName (long) of " + key, payload.fileName(), name.substring(name.indexOf('|') + 1));
            expect(msi, "File.Version of " + key, payload.version().toString(), row[file.column("Version")]);
            expect(msi, "File.Language of " + key, payload.languages(), row[file.column("Language")]);
            expect(msi, "File.FileSize of " + key, String.valueOf(payload.size()), row[file.column("FileSize")]);
            if (hashed.contains(key)) {
                throw new BuildException(msi + ": the versioned " + key + " (" + payload.fileName() + ") has an MsiFileHash row (ICE60);"
                        + " the msibuild step did not remove it");
            }
            String[] comp = component.row(0, key);
            expect(msi, "Component.ComponentId of " + key, product.payloadComponentGuid(payload.fileName()), comp[component.column("ComponentId")]);
            expect(msi, "Component.Directory_ of " + key, "StagingFolder", comp[component.column("Directory_")]);
        }
    }

    /**
     * The facts every package must satisfy, whatever the goldens say; among them the values derived
     * from the payload's name, which the goldens show as placeholders.
     */
    public void checkFacts(Path msi, String productVersion, Payload payload) {
        ProductIdentity identity = payload.identity();
        Table file = export(msi, "File");
        String[] row = file.row(0, MsiBuild.FILE_KEY);
        expect(msi, "File.FileName of " + payload.fileName(), identity.fileTableName(), row[file.column("FileName")]);
        expect(msi, "File.Version of " + payload.fileName(), payload.version().toString(), row[file.column("Version")]);
        expect(msi, "File.Language of " + payload.fileName(), payload.languages(), row[file.column("Language")]);
        expect(msi, "File.FileSize of " + payload.fileName(), String.valueOf(payload.size()), row[file.column("FileSize")]);
        // the payload is versioned: no hash (ICE60); the command line's jars and inuse.exe are not, and keep theirs
        if (export(msi, "MsiFileHash").rows().stream().anyMatch(r -> r[0].equals(MsiBuild.FILE_KEY))) {
            throw new BuildException(msi + ": a versioned file has an MsiFileHash row (ICE60); the msibuild step did not remove it");
        }
        Table property = export(msi, "Property");
        expect(msi, "Property ProductVersion", productVersion, property.row(0, "ProductVersion")[1]);
        expect(msi, "Property ProductCode", identity.productCode(productVersion), property.row(0, "ProductCode")[1]);
        expect(msi, "Property UpgradeCode", identity.upgradeCode(), property.row(0, "UpgradeCode")[1]);
        expect(msi, "Property ProductName", identity.productName(), property.row(0, "ProductName")[1]);
        Table component = export(msi, "Component");
        expect(msi, "Component.ComponentId of " + MsiBuild.FILE_KEY, identity.componentGuid(),
                component.row(0, MsiBuild.FILE_KEY)[component.column("ComponentId")]);
        Table upgrade = export(msi, "Upgrade");
        for (String[] upgradeRow : upgrade.rows()) {
            expect(msi, "Upgrade.UpgradeCode of " + upgradeRow[upgrade.column("ActionProperty")], identity.upgradeCode(), upgradeRow[0]);
        }
        expect(msi, "Property ALLUSERS (per-machine)", "1", property.row(0, "ALLUSERS")[1]);
        expect(msi, "summary Template (platform;language)", "x64;1033", summary(msi).get(7));
        checkCustomActionsSequenced(msi);
        checkDialogs(msi);
    }

    /** The dialogs must keep the ICE rules {@link DialogRules} mirrors: a package that breaks one is refused, each rule on a line. */
    void checkDialogs(Path msi) {
        Set<String> tables = Set.copyOf(tools.run(msi.getParent(), Toolchain.MSIINFO, List.of("tables", msi.toString())).lines().toList());
        Map<String, String> texts = new TreeMap<>();
        DialogRules.TABLES.stream().filter(tables::contains).forEach(t ->
                texts.put(t, tools.run(msi.getParent(), Toolchain.MSIINFO, List.of("export", msi.toString(), t))));
        List<String> broken = DialogRules.check(texts);
        if (!broken.isEmpty()) {
            throw new BuildException("package check failed: " + msi + ": its dialogs break " + broken.size()
                    + " rule(s) (DialogRules: ICE rules of Windows Installer's validation, and the project's own):" + System.lineSeparator() + "  "
                    + String.join(System.lineSeparator() + "  ", broken));
        }
    }

    /** Every custom action must be scheduled with an explicit sequence row (wixl cannot be trusted to). */
    private void checkCustomActionsSequenced(Path msi) {
        Set<String> tables = Set.copyOf(tools.run(msi.getParent(), Toolchain.MSIINFO, List.of("tables", msi.toString())).lines().toList());
        Set<String> sequenced = SEQUENCE_TABLES.stream().filter(tables::contains)
                .flatMap(t -> export(msi, t).rows().stream().map(r -> r[0])).collect(Collectors.toSet());
        for (String[] action : export(msi, "CustomAction").rows()) {
            if (!sequenced.contains(action[0])) {
                throw new BuildException(msi + ": custom action " + action[0] + " is in no sequence table");
            }
        }
    }

    private Map<Integer, String> summary(Path msi) {
        Map<Integer, String> values = new TreeMap<>();
        for (String[] row : export(msi, "_SummaryInformation").rows()) {
            values.put(Integer.parseInt(row[0]), row.length > 1 ? row[1] : "");
        }
        return values;
    }

    private static void expect(Path msi, String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            throw new BuildException(msi + ": " + what + " is '" + actual + "', expected '" + expected + "'");
        }
    }

    /** The normalised dump of one table: header lines as exported, then the rows sorted. */
    List<String> dump(Path msi, String tableName, String productVersion, Payload payload) {
        Table table = export(msi, tableName);
        List<String> columns = Arrays.asList(table.header().get(0).split("\t", -1));
        List<String> rows = new ArrayList<>();
        for (String[] row : table.rows()) {
            String[] fields = row.clone();
            for (int i = 0; i < fields.length; i++) {
                fields[i] = normalise(tableName, i < columns.size() ? columns.get(i) : "", fields, i, productVersion, payload);
            }
            rows.add(String.join("\t", fields));
        }
        rows.sort(null);
        List<String> lines = new ArrayList<>(table.header());
        lines.addAll(rows);
        return lines;
    }

    private static String normalise(String table, String column, String[] row, int index, String productVersion, Payload payload) {
        String value = row[index];
        ProductIdentity identity = payload.identity();
        if (table.equals("_SummaryInformation") && column.equals("Value")) {
            int id = Integer.parseInt(row[0]);
            if (id == SUMMARY_PACKAGE_CODE) {
                return "${PackageCode}";
            }
            if (id == SUMMARY_CREATED || id == SUMMARY_SAVED) {
                return "${timestamp}";
            }
            return value.replace(identity.productName(), "${ProductName}").replace(productVersion, "${revision}");
        }
        if (table.equals("File") && !row[0].equals(MsiBuild.FILE_KEY)) {
            // the command line's files: their names are pinned, their sizes change with every change of the engine
            if (column.equals("FileSize")) {
                return "${size}";
            }
        } else if (table.equals("MsiFileHash") && index > 1) {
            return "${hash}";
        } else if (table.equals("Component") && value.equals(identity.cliComponentGuid())) {
            return "${CliComponentGuid}";
        } else if (table.equals("File")) {
            switch (column) {
                case "FileName": return "${payload.name}";
                case "FileSize": return "${payload.size}";
                case "Version": return "${payload.version}";
                case "Language": return "${payload.languages}";
                default: break;
            }
        }
        // the product's folder and registry key are named after the product id: any payload meets the same goldens
        String folder = identity.productId();
        if (table.equals("Directory") && column.equals("DefaultDir") && (value.equals(folder) || value.endsWith("|" + folder))) {
            return "${ProductFolder}";
        }
        if ((table.equals("Registry") || table.equals("RegLocator")) && value.equals("SOFTWARE\\inuse\\" + folder)) {
            return "SOFTWARE\\inuse\\${ProductFolder}";
        }
        if (value.equals(identity.productCode(productVersion))) {
            return "${ProductCode}";
        }
        if (value.equals(identity.upgradeCode())) {
            return "${UpgradeCode}";
        }
        if (value.equals(identity.componentGuid())) {
            return "${ComponentGuid}";
        }
        if (value.equals(identity.productName())) {
            return "${ProductName}";
        }
        return value.equals(productVersion) ? "${revision}" : value;
    }

    /**
     * Compares every pinned table with its golden file, or (update) rewrites the goldens.
     *
     * @return the names of the golden files written (update) or compared
     */
    public List<String> compareWithGoldens(Path msi, Path goldenDir, String productVersion, Payload payload, boolean update) {
        List<String> files = new ArrayList<>();
        for (String table : TABLES) {
            List<String> actual = dump(msi, table, productVersion, payload);
            Path golden = goldenDir.resolve(table + ".idt");
            files.add(golden.getFileName().toString());
            try {
                if (update) {
                    Files.createDirectories(goldenDir);
                    Files.write(golden, actual, StandardCharsets.UTF_8);
                    continue;
                }
                if (!Files.exists(golden)) {
                    throw new BuildException("golden dump " + golden + " is missing. " + UPDATE_HINT);
                }
                compare(table, Files.readAllLines(golden, StandardCharsets.UTF_8), actual);
            } catch (IOException e) {
                throw new BuildException("cannot " + (update ? "write " : "read ") + golden + ": " + e.getMessage(), e);
            }
        }
        return files;
    }

    static void compare(String table, List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String want = i < expected.size() ? expected.get(i) : "(no line)";
            String got = i < actual.size() ? actual.get(i) : "(no line)";
            if (!want.equals(got)) {
                throw new BuildException("package check failed: table " + table + ", line " + (i + 1) + " differs from packaging/golden/"
                        + table + ".idt" + System.lineSeparator() + "  golden: " + want.replace("\t", " | ")
                        + System.lineSeparator() + "  built:  " + got.replace("\t", " | ") + System.lineSeparator() + UPDATE_HINT);
            }
        }
    }
}
