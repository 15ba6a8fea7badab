package io.inuse.packaging;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules a package's dialogs must follow, checked on the tables as {@code msiinfo export} prints
 * them (IDT text: three header lines, then tab-separated rows). Linux has no ICE validator: each rule
 * mirrors the ICE named in its comment, or says that it is the project's own. A broken rule is one
 * line naming the ICE, the dialog, control or row, and what to do.
 *
 * <p>Sources: Microsoft's pages on ICE03, ICE17, ICE20, ICE23, ICE31, ICE34 and ICE44, the FilesInUse
 * and MsiRMFilesInUse dialogs and the RmShutdownAndRestart ControlEvent.
 */
final class DialogRules {
    /** The tables the rules read; a missing one counts as empty, and is reported where a rule needs it. */
    static final List<String> TABLES = List.of("Dialog", "Control", "ControlEvent", "EventMapping", "ListBox",
            "RadioButton", "TextStyle", "Property", "InstallUISequence", "AdminUISequence");
    static final List<String> UI_SEQUENCES = List.of("InstallUISequence", "AdminUISequence");
    /** Dialogs Windows Installer raises by name (InstallValidate, a custom action's FILESINUSE message). */
    static final List<String> RAISED_BY_NAME = List.of("FilesInUse", "MsiRMFilesInUse");
    private static final String RM_RULE = "project rule (ICE20 style)";
    private static final Set<String> DIALOG_EVENTS = Set.of("NewDialog", "SpawnDialog", "SpawnWaitDialog");
    /** Control types that take the keyboard focus, and so belong in a dialog's tab order. */
    private static final Set<String> TABBABLE = Set.of("PushButton", "CheckBox", "RadioButtonGroup", "ListBox", "ComboBox",
            "Edit", "MaskedEdit", "PathEdit", "ListView", "SelectionTree", "DirectoryList", "DirectoryCombo", "VolumeCostList",
            "VolumeSelectCombo", "ScrollableText");
    private static final int VISIBLE_ENABLED = 0x3;
    private static final int INDIRECT = 0x8;
    private static final int ERROR_DIALOG_BIT = 0x10000;
    /** ICE20's error dialog buttons: control name to EndDialog argument. */
    private static final Map<String, String> ERROR_BUTTONS = ordered("A", "ErrorAbort", "C", "ErrorCancel", "I", "ErrorIgnore",
            "N", "ErrorNo", "O", "ErrorOk", "R", "ErrorRetry", "Y", "ErrorYes");
    /** ICE20's exit dialogs: sequence number to role. */
    private static final Map<String, String> EXIT_DIALOGS = ordered("-1", "Exit (success)", "-2", "UserExit (cancelled)",
            "-3", "FatalError (failed)");
    /** The columns the rules read, per table. */
    private static final Map<String, List<String>> COLUMNS = Map.of(
            "Dialog", List.of("Dialog", "Attributes", "Control_First", "Control_Default", "Control_Cancel"),
            "Control", List.of("Dialog_", "Control", "Type", "Y", "Width", "Height", "Attributes", "Property", "Text", "Control_Next"),
            "ControlEvent", List.of("Dialog_", "Control_", "Event", "Argument"),
            "EventMapping", List.of("Dialog_", "Control_", "Event"),
            "RadioButton", List.of("Property", "Value"),
            "TextStyle", List.of("TextStyle"),
            "Property", List.of("Property", "Value"),
            "InstallUISequence", List.of("Action", "Sequence"),
            "AdminUISequence", List.of("Action", "Sequence"));
    private static final Pattern STYLE_TAG = Pattern.compile("\\{[\\\\&]([^}]*)(\\}?)");

    /** One table in IDT form: the column names of its first header line, and its rows by column name. */
    record Idt(String name, List<String> columns, List<Map<String, String>> rows) {
        static Idt parse(String name, String text) {
            List<String> lines = new ArrayList<>(Arrays.asList(text.split("\r?\n", -1)));
            while (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
                lines.remove(lines.size() - 1);
            }
            if (lines.size() < 3) {
                throw new BuildException("table " + name + " is no IDT text: " + lines.size() + " line(s), fewer than the 3 header lines");
            }
            List<String> columns = List.of(lines.get(0).split("\t", -1));
            for (String column : COLUMNS.getOrDefault(name, List.of())) {
                if (!columns.contains(column)) {
                    throw new BuildException("table " + name + " has no column " + column + " (its columns: " + columns + ")");
                }
            }
            List<Map<String, String>> rows = new ArrayList<>();
            for (int i = 3; i < lines.size(); i++) {
                String[] fields = lines.get(i).split("\t", -1);
                if (fields.length > columns.size()) {
                    throw new BuildException("table " + name + ", line " + (i + 1) + " has " + fields.length + " fields for "
                            + columns.size() + " columns: " + lines.get(i).replace("\t", " | "));
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (int c = 0; c < columns.size(); c++) {
                    row.put(columns.get(c), c < fields.length ? fields[c] : "");
                }
                rows.add(row);
            }
            return new Idt(name, columns, rows);
        }
    }

    private final Map<String, Idt> tables = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> dialogs = new LinkedHashMap<>();
    private final Map<String, Map<String, Map<String, String>>> controls = new LinkedHashMap<>();
    private final Map<String, String> properties = new LinkedHashMap<>();
    private final List<String> broken = new ArrayList<>();

    private DialogRules(Map<String, String> idtTexts) {
        TABLES.stream().filter(idtTexts::containsKey).forEach(t -> tables.put(t, Idt.parse(t, idtTexts.get(t))));
        rows("Dialog").forEach(d -> dialogs.put(d.get("Dialog"), d));
        rows("Control").forEach(c -> controls.computeIfAbsent(c.get("Dialog_"), k -> new LinkedHashMap<>()).put(c.get("Control"), c));
        rows("Property").forEach(p -> properties.put(p.get("Property"), p.get("Value")));
    }

    /**
     * Every broken rule, one line each; empty when the dialogs pass.
     *
     * @param idtTexts table name to its text as {@code msiinfo export} prints it; a table the package lacks is left out
     */
    static List<String> check(Map<String, String> idtTexts) {
        DialogRules rules = new DialogRules(idtTexts);
        rules.foreignKeys();
        rules.pushButtonsHaveEvents();
        rules.dialogEventTargets();
        rules.filesInUse();
        rules.rmFilesInUse();
        rules.errorDialog();
        rules.exitDialogs();
        rules.reachable();
        rules.tabOrder();
        rules.textStyles();
        rules.radioButtonGroups();
        return List.copyOf(rules.broken);
    }

    private List<Map<String, String>> rows(String table) {
        Idt idt = tables.get(table);
        return idt == null ? List.of() : idt.rows();
    }

    private void fail(String rule, String what, String fix) {
        broken.add(rule + ": " + what + "; " + fix);
    }

    /** Where the project authors a table's rows, for the fix of a broken rule. */
    private static String source(String table) {
        if (table.equals("Property")) {
            return "MsiBuild.UI_PROPERTIES";
        }
        return UI_SEQUENCES.contains(table) ? "MsiBuild.UI_SEQUENCE" : "wix/ui/" + table + ".idt";
    }

    private Map<String, String> control(String dialog, String name) {
        return controls.getOrDefault(dialog, Map.of()).get(name);
    }

    private boolean isA(String dialog, String name, String type) {
        Map<String, String> c = control(dialog, name);
        return c != null && c.get("Type").equals(type);
    }

    private List<Map<String, String>> events(String dialog) {
        return rows("ControlEvent").stream().filter(e -> e.get("Dialog_").equals(dialog)).toList();
    }

    private static int attributes(Map<String, String> row) {
        try {
            return row.get("Attributes").isEmpty() ? 0 : Integer.parseInt(row.get("Attributes"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** ICE03 (the foreign keys that _Validation declares): rows name dialogs and controls that exist. */
    private void foreignKeys() {
        rows("Control").stream().filter(c -> !dialogs.containsKey(c.get("Dialog_"))).forEach(c -> fail("ICE03", "Control row "
                + c.get("Dialog_") + "." + c.get("Control") + " names a dialog that is not in the Dialog table",
                "add the dialog to wix/ui/Dialog.idt or remove the row"));
        for (String table : List.of("ControlEvent", "EventMapping")) {
            rows(table).stream().filter(e -> control(e.get("Dialog_"), e.get("Control_")) == null).forEach(e -> fail("ICE03", table
                    + " row " + e.get("Dialog_") + "." + e.get("Control_") + " (" + e.get("Event") + ") names a control that dialog "
                    + e.get("Dialog_") + " does not have", "add the control to wix/ui/Control.idt or fix the row in " + source(table)));
        }
        for (Map<String, String> d : dialogs.values()) {
            for (String column : List.of("Control_Default", "Control_Cancel")) {
                String name = d.get(column);
                if (!name.isEmpty() && control(d.get("Dialog"), name) == null) {
                    fail("ICE03", "dialog " + d.get("Dialog") + ": " + column + " " + name + " is not one of its controls",
                            "name a control of " + d.get("Dialog") + " in wix/ui/Dialog.idt");
                }
            }
        }
    }

    /** ICE17: a PushButton does nothing without a ControlEvent row. */
    private void pushButtonsHaveEvents() {
        controls.forEach((dialog, byName) -> byName.values().stream().filter(c -> c.get("Type").equals("PushButton"))
                .filter(c -> events(dialog).stream().noneMatch(e -> e.get("Control_").equals(c.get("Control"))))
                .forEach(c -> fail("ICE17", "PushButton " + dialog + "." + c.get("Control") + " has no event in the ControlEvent table",
                        "give it an event (EndDialog, SpawnDialog, ...) in wix/ui/ControlEvent.idt")));
    }

    /** ICE44: NewDialog, SpawnDialog and SpawnWaitDialog name a dialog of the Dialog table. */
    private void dialogEventTargets() {
        rows("ControlEvent").stream().filter(e -> DIALOG_EVENTS.contains(e.get("Event")) && !dialogs.containsKey(e.get("Argument")))
                .forEach(e -> fail("ICE44", "ControlEvent " + e.get("Dialog_") + "." + e.get("Control_") + " is " + e.get("Event")
                        + " of " + e.get("Argument") + ", which is not in the Dialog table", "author that dialog or name an existing one"));
    }

    /** Whether a PushButton of the dialog ends it with EndDialog of this argument. */
    private boolean endsWith(String dialog, String argument) {
        return events(dialog).stream().anyMatch(e -> e.get("Event").equals("EndDialog") && e.get("Argument").equals(argument)
                && isA(dialog, e.get("Control_"), "PushButton"));
    }

    /** A FilesInUse-like dialog: exists, lists FileInUseProcess, and has EndDialog buttons of these arguments. */
    private void filesInUseLike(String rule, String dialog, String raisedWhen, List<String> buttons) {
        if (!dialogs.containsKey(dialog)) {
            fail(rule, "no " + dialog + " dialog", "author it in wix/ui (Windows Installer raises it by name " + raisedWhen + ")");
            return;
        }
        if (controls.getOrDefault(dialog, Map.of()).values().stream()
                .noneMatch(c -> c.get("Type").equals("ListBox") && c.get("Property").equals("FileInUseProcess"))) {
            fail(rule, "dialog " + dialog + " has no ListBox bound to FileInUseProcess (Windows Installer lists the processes there)",
                    "add a ListBox control whose Property is FileInUseProcess in wix/ui/Control.idt");
        }
        buttons.stream().filter(b -> !endsWith(dialog, b)).forEach(b -> fail(rule, dialog + " has no PushButton with EndDialog " + b,
                "add the button and its ControlEvent row (EndDialog, " + b + ") in wix/ui"));
    }

    /** ICE20: FilesInUse lists FileInUseProcess, has Retry, Ignore and Exit buttons, and the ListBox table exists. */
    private void filesInUse() {
        filesInUseLike("ICE20", "FilesInUse", "when files are in use", List.of("Retry", "Ignore", "Exit"));
        if (!tables.containsKey("ListBox")) {
            fail("ICE20", "the ListBox table is missing", "import wix/ui/ListBox.idt (no rows: Windows Installer fills the list)");
        }
    }

    /**
     * The project's rule, modelled on ICE20 (no ICE covers it): MsiRMFilesInUse lists the processes,
     * goes on with EndDialog Return and stops with EndDialog Exit; only its push buttons publish
     * RMShutdownAndRestart (Microsoft's page on that event).
     */
    private void rmFilesInUse() {
        filesInUseLike(RM_RULE, "MsiRMFilesInUse", "when Restart Manager finds files in use", List.of("Return", "Exit"));
        rows("ControlEvent").stream().filter(e -> e.get("Event").equals("RMShutdownAndRestart"))
                .filter(e -> !e.get("Dialog_").equals("MsiRMFilesInUse") || !isA(e.get("Dialog_"), e.get("Control_"), "PushButton"))
                .forEach(e -> fail(RM_RULE, "ControlEvent " + e.get("Dialog_") + "." + e.get("Control_") + " publishes RMShutdownAndRestart",
                        "only a PushButton of MsiRMFilesInUse may publish it"));
    }

    /** ICE20's error dialog; that ErrorDialog is set at all is the project's rule: full UI shows its messages there. */
    private void errorDialog() {
        String name = properties.getOrDefault("ErrorDialog", "");
        Map<String, String> dialog = dialogs.get(name);
        if (dialog == null) {
            fail("ICE20", name.isEmpty() ? "the ErrorDialog property is not set, so full UI has no dialog for its messages"
                    : "the ErrorDialog property names " + name + ", which is not in the Dialog table",
                    "author the error dialog in wix/ui and name it in " + source("Property"));
            return;
        }
        if ((attributes(dialog) & ERROR_DIALOG_BIT) == 0) {
            fail("ICE20", "error dialog " + name + " lacks the Error attribute (65536)", "add 65536 to its Attributes in wix/ui/Dialog.idt");
        }
        if (!isA(name, "ErrorText", "Text")) {
            fail("ICE20", "error dialog " + name + " has no Text control named ErrorText", "add it in wix/ui/Control.idt");
        }
        if (!dialog.get("Control_First").equals("ErrorText")) {
            fail("ICE20", "error dialog " + name + " has Control_First '" + dialog.get("Control_First") + "', not ErrorText",
                    "set Control_First to ErrorText in wix/ui/Dialog.idt");
        }
        Set<String> geometry = new LinkedHashSet<>();
        ERROR_BUTTONS.forEach((button, argument) -> {
            boolean ends = events(name).stream().anyMatch(e -> e.get("Control_").equals(button) && e.get("Event").equals("EndDialog")
                    && e.get("Argument").equals(argument));
            if (!isA(name, button, "PushButton") || !ends) {
                fail("ICE20", "error dialog " + name + " needs a PushButton " + button + " with EndDialog " + argument,
                        "add the control and its ControlEvent row in wix/ui");
            } else {
                Map<String, String> c = control(name, button);
                geometry.add(c.get("Width") + "x" + c.get("Height") + " at Y " + c.get("Y"));
            }
        });
        if (geometry.size() > 1) {
            fail("ICE20", "the buttons of error dialog " + name + " differ in size or Y: " + geometry,
                    "give A, C, I, N, O, R and Y one width, height and Y (Windows Installer sets their X)");
        }
        if (control(name, "ErrorIcon") != null && !isA(name, "ErrorIcon", "Icon")) {
            fail("ICE20", "control " + name + ".ErrorIcon is not an Icon control", "make it an Icon or remove it");
        }
    }

    /** ICE20: both UI sequences show a dialog at -1 (success), -2 (cancelled) and -3 (failed). */
    private void exitDialogs() {
        for (String table : UI_SEQUENCES) {
            if (!tables.containsKey(table)) {
                fail("ICE20", "the " + table + " table is missing", "the exit dialogs must be sequenced in it (" + source(table) + ")");
                continue;
            }
            EXIT_DIALOGS.forEach((sequence, role) -> {
                List<String> shown = rows(table).stream().filter(r -> r.get("Sequence").equals(sequence)).map(r -> r.get("Action")).toList();
                if (shown.stream().noneMatch(dialogs::containsKey)) {
                    fail("ICE20", table + " shows no dialog at " + sequence + " (the " + role + " dialog)" + (shown.isEmpty() ? ""
                            : ": " + shown + " is not in the Dialog table"), "sequence a dialog at " + sequence + " in " + source(table));
                }
            });
        }
    }

    /**
     * The project's rule (no ICE): a dialog nothing shows is dead authoring. Shown are the dialogs of
     * the UI sequences, the ErrorDialog, the dialogs Windows Installer raises by name, and what a
     * NewDialog, SpawnDialog or SpawnWaitDialog event of a shown dialog opens.
     */
    private void reachable() {
        Set<String> shown = new LinkedHashSet<>();
        Deque<String> todo = new ArrayDeque<>(RAISED_BY_NAME);
        UI_SEQUENCES.forEach(table -> rows(table).forEach(r -> todo.add(r.get("Action"))));
        todo.add(properties.getOrDefault("ErrorDialog", ""));
        while (!todo.isEmpty()) {
            String dialog = todo.poll();
            if (dialogs.containsKey(dialog) && shown.add(dialog)) {
                events(dialog).stream().filter(e -> DIALOG_EVENTS.contains(e.get("Event"))).forEach(e -> todo.add(e.get("Argument")));
            }
        }
        dialogs.keySet().stream().filter(d -> !shown.contains(d)).forEach(d -> fail("project rule (reachable dialogs)", "dialog " + d
                + " is never shown: no UI sequence row, no NewDialog/SpawnDialog/SpawnWaitDialog of a shown dialog, not the ErrorDialog",
                "sequence it in " + source("InstallUISequence") + ", open it from a shown dialog, or remove it"));
    }

    /**
     * ICE23: Control_First is a control of the dialog; a Control_Next names a control of the same
     * dialog; following Control_Next from Control_First makes one closed loop through every control
     * that has a Control_Next. The project adds: when a dialog has a tab order at all, every visible,
     * enabled control that takes the focus is in it.
     */
    private void tabOrder() {
        for (Map<String, String> d : dialogs.values()) {
            String dialog = d.get("Dialog");
            String first = d.get("Control_First");
            Map<String, Map<String, String>> byName = controls.getOrDefault(dialog, Map.of());
            if (!byName.containsKey(first)) {
                fail("ICE23", "dialog " + dialog + (first.isEmpty() ? " has no Control_First" : ": Control_First " + first
                        + " is not one of its controls"), "name one of its controls as Control_First in wix/ui/Dialog.idt");
                continue;
            }
            List<Map<String, String>> linked = byName.values().stream().filter(c -> !c.get("Control_Next").isEmpty()).toList();
            List<Map<String, String>> dangling = linked.stream().filter(c -> !byName.containsKey(c.get("Control_Next"))).toList();
            dangling.forEach(c -> fail("ICE23", "Control_Next of " + dialog + "." + c.get("Control") + " is " + c.get("Control_Next")
                    + ", which is not a control of " + dialog, "name a control of the same dialog in wix/ui/Control.idt"));
            if (!linked.isEmpty() && dangling.isEmpty()) {
                walkTabLoop(dialog, byName, first, linked);
            }
        }
    }

    private void walkTabLoop(String dialog, Map<String, Map<String, String>> byName, String first, List<Map<String, String>> linked) {
        Set<String> loop = new LinkedHashSet<>();
        for (String at = first; loop.add(at); ) {
            String next = byName.get(at).get("Control_Next");
            if (next.isEmpty() || (loop.contains(next) && !next.equals(first))) {
                fail("ICE23", "dialog " + dialog + " has a " + (next.isEmpty() ? "dead-end tab order at " + at + " (no Control_Next)"
                        : "malformed tab order at " + at + ": it goes back to " + next + ", not to Control_First " + first),
                        "make the Control_Next links in wix/ui/Control.idt one loop through " + first);
                return;
            }
            at = next;
        }
        linked.stream().filter(c -> !loop.contains(c.get("Control"))).forEach(c -> fail("ICE23", dialog + "." + c.get("Control")
                + " has a Control_Next but is not in the tab loop " + loop, "link it into the loop from " + first));
        // a control outside the loop with a Control_Next of its own was reported just above
        byName.values().stream().filter(c -> TABBABLE.contains(c.get("Type")) && (attributes(c) & VISIBLE_ENABLED) == VISIBLE_ENABLED)
                .filter(c -> !loop.contains(c.get("Control")) && c.get("Control_Next").isEmpty())
                .forEach(c -> fail("project rule (ICE23 style)", c.get("Type") + " " + dialog + "." + c.get("Control")
                        + " cannot be reached with Tab: it is not in the loop " + loop, "add it to the Control_Next loop in wix/ui/Control.idt"));
    }

    /** ICE31: a style tag ({\Name} or {&Name}) is closed and names a TextStyle row; so does DefaultUIFont. */
    private void textStyles() {
        Set<String> styles = new LinkedHashSet<>();
        rows("TextStyle").forEach(s -> styles.add(s.get("TextStyle")));
        String font = properties.get("DefaultUIFont");
        if (font != null && !styles.contains(font)) {
            fail("ICE31", "DefaultUIFont is " + font + ", which is not in the TextStyle table",
                    "add it to wix/ui/TextStyle.idt or fix " + source("Property"));
        }
        for (Map<String, String> c : rows("Control")) {
            Matcher m = STYLE_TAG.matcher(c.get("Type").equals("ScrollableText") ? "" : c.get("Text"));
            while (m.find()) {
                String where = c.get("Dialog_") + "." + c.get("Control");
                if (m.group(2).isEmpty()) {
                    fail("ICE31", "control " + where + " has a style tag without its closing brace", "close it in wix/ui/Control.idt");
                } else if (!styles.contains(m.group(1))) {
                    fail("ICE31", "control " + where + " uses TextStyle " + m.group(1) + ", which is not in the TextStyle table",
                            "add it to wix/ui/TextStyle.idt or use an existing style");
                }
            }
        }
    }

    /** ICE34: a RadioButtonGroup has a property, buttons for it, and a default in Property that is one of their values. */
    private void radioButtonGroups() {
        for (Map<String, String> c : rows("Control")) {
            if (!c.get("Type").equals("RadioButtonGroup") || (attributes(c) & INDIRECT) != 0) {
                continue;
            }
            String where = c.get("Dialog_") + "." + c.get("Control");
            String property = c.get("Property");
            List<String> values = rows("RadioButton").stream().filter(r -> r.get("Property").equals(property)).map(r -> r.get("Value")).toList();
            if (property.isEmpty()) {
                fail("ICE34", "RadioButtonGroup " + where + " has no Property", "bind it to a property in wix/ui/Control.idt");
            } else if (values.isEmpty()) {
                fail("ICE34", "RadioButtonGroup " + where + " has no buttons: no RadioButton row for " + property,
                        "add its choices to wix/ui/RadioButton.idt");
            } else if (!values.contains(properties.get(property))) {
                fail("ICE34", "property " + property + " of RadioButtonGroup " + where + " has the default '"
                        + properties.getOrDefault(property, "(none)") + "', not one of its values " + values,
                        "set its default to one of them in " + source("Property"));
            }
        }
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
