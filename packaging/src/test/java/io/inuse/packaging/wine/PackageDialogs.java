package io.inuse.packaging.wine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Dialog and Control tables of a built package ({@code msiinfo export}), for a test that finds a
 * dialog's window by its title and clicks a control where the package puts it: positions are
 * installer units, which Windows Installer (and Wine's msi) scale alike in both directions.
 */
final class PackageDialogs {
    /** A rectangle in installer units. */
    record Box(int x, int y, int width, int height) {
    }

    private final Map<String, String> titles = new HashMap<>();
    private final Map<String, Box> dialogSizes = new HashMap<>();
    private final Map<String, Box> controls = new HashMap<>();

    static PackageDialogs read(Path msi) throws IOException, InterruptedException {
        PackageDialogs dialogs = new PackageDialogs();
        for (Map<String, String> d : export(msi, "Dialog")) {
            dialogs.titles.put(d.get("Dialog"), d.get("Title"));
            dialogs.dialogSizes.put(d.get("Dialog"), new Box(0, 0, Integer.parseInt(d.get("Width")), Integer.parseInt(d.get("Height"))));
        }
        for (Map<String, String> c : export(msi, "Control")) {
            dialogs.controls.put(c.get("Dialog_") + "." + c.get("Control"), new Box(Integer.parseInt(c.get("X")),
                    Integer.parseInt(c.get("Y")), Integer.parseInt(c.get("Width")), Integer.parseInt(c.get("Height"))));
        }
        return dialogs;
    }

    private static List<Map<String, String>> export(Path msi, String table) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("msiinfo", "export", msi.toString(), table).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("msiinfo export " + msi + " " + table + " failed: " + text);
        }
        List<String> lines = text.lines().toList();
        List<String> columns = List.of(lines.get(0).split("\t", -1));
        return lines.subList(3, lines.size()).stream().map(line -> {
            String[] fields = line.split("\t", -1);
            Map<String, String> row = new HashMap<>();
            for (int i = 0; i < columns.size(); i++) {
                row.put(columns.get(i), i < fields.length ? fields[i] : "");
            }
            return row;
        }).toList();
    }

    /** The dialog's window title as Windows Installer formats it (only [ProductName] is used in titles). */
    String title(String dialog, String productName) {
        String title = titles.get(dialog);
        if (title == null) {
            throw new IllegalArgumentException("the package has no dialog " + dialog + ": " + titles.keySet());
        }
        String formatted = title.replace("[ProductName]", productName);
        if (formatted.contains("[")) {
            throw new IllegalStateException("the title of " + dialog + " uses a property other than [ProductName]: " + title);
        }
        return formatted;
    }

    Box size(String dialog) {
        return dialogSizes.get(dialog);
    }

    Box control(String dialog, String control) {
        Box box = controls.get(dialog + "." + control);
        if (box == null) {
            throw new IllegalArgumentException("the package has no control " + dialog + "." + control);
        }
        return box;
    }
}
