package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dialog rules on the project's own tables (wix/ui/*.idt, and the Property and UI sequence rows
 * that MsiBuild inserts), then on copies broken one way at a time: each broken rule must be reported
 * with the ICE it mirrors, the dialog or control, and the fix.
 */
class DialogRulesTest {
    private static final Path UI = Path.of(System.getProperty("inuse.repo", "..")).toAbsolutePath().normalize().resolve("wix/ui");
    private final Map<String, List<String>> tables = new LinkedHashMap<>();

    /** The tables as the built package has them (msiinfo export's layout, rows in any order). */
    @BeforeEach
    void projectTables() throws Exception {
        for (String table : MsiBuild.UI_TABLES) {
            tables.put(table, new ArrayList<>(Files.readAllLines(UI.resolve(table + ".idt"))));
        }
        List<String> property = new ArrayList<>(List.of("Property\tValue", "s72\tl0", "Property\tProperty", "ProductName\tinuse MAPI32 replacement"));
        MsiBuild.UI_PROPERTIES.forEach(p -> property.add(p[0] + "\t" + p[1]));
        tables.put("Property", property);
        for (String sequence : DialogRules.UI_SEQUENCES) {
            List<String> rows = new ArrayList<>(List.of("Action\tCondition\tSequence", "s72\tS255\tI2", sequence + "\tAction",
                    "CostFinalize\t\t1000", "ExecuteAction\t\t1300"));
            MsiBuild.UI_SEQUENCE.stream().filter(r -> r[0].equals(sequence)).forEach(r -> rows.add(r[1] + "\t" + r[2] + "\t" + r[3]));
            tables.put(sequence, rows);
        }
    }

    private List<String> check() {
        Map<String, String> texts = new LinkedHashMap<>();
        // CRLF, as msiinfo export prints it
        tables.forEach((name, lines) -> texts.put(name, String.join("\r\n", lines) + "\r\n"));
        return DialogRules.check(texts);
    }

    /** Replaces the one row of a table that starts with these fields. */
    private void replace(String table, String rowStart, String row) {
        List<String> lines = tables.get(table);
        List<Integer> at = new ArrayList<>();
        for (int i = 3; i < lines.size(); i++) {
            if (lines.get(i).startsWith(rowStart)) {
                at.add(i);
            }
        }
        assertEquals(1, at.size(), "one row of " + table + " starts with " + rowStart.replace("\t", " | "));
        lines.set(at.get(0), row);
    }

    private void remove(String table, Predicate<String> row) {
        List<String> lines = tables.get(table);
        int before = lines.size();
        lines.subList(3, lines.size()).removeIf(row);
        assertTrue(lines.size() < before, "removed a row of " + table);
    }

    private void add(String table, String row) {
        tables.get(table).add(row);
    }

    @Test
    void theProjectsDialogsKeepEveryRule() {
        assertEquals(List.of(), check());
    }

    @Test
    void aMissingTargetDialogIsReported() {
        replace("ControlEvent", "WelcomeDlg\tCancel\t", "WelcomeDlg\tCancel\tSpawnDialog\tCancelDialog\t1\t1");
        assertEquals(List.of("ICE44: ControlEvent WelcomeDlg.Cancel is SpawnDialog of CancelDialog, which is not in the Dialog table;"
                + " author that dialog or name an existing one"), check());
    }

    @Test
    void anUnboundFilesInUseListIsReported() {
        replace("Control", "FilesInUse\tList\t", "FilesInUse\tList\tListBox\t25\t95\t320\t130\t7\t\t\tRetry\t");
        assertEquals(List.of("ICE20: dialog FilesInUse has no ListBox bound to FileInUseProcess (Windows Installer lists the processes"
                + " there); add a ListBox control whose Property is FileInUseProcess in wix/ui/Control.idt"), check());
    }

    @Test
    void anUnreachableDialogIsReported() {
        add("Dialog", "LicenseDlg\t50\t50\t370\t270\t7\t[ProductName] Setup\tNext\tNext\tNext");
        add("Control", "LicenseDlg\tNext\tPushButton\t304\t243\t56\t17\t3\t\t&Next\t\t");
        add("ControlEvent", "LicenseDlg\tNext\tEndDialog\tReturn\t1\t1");
        assertEquals(List.of("project rule (reachable dialogs): dialog LicenseDlg is never shown: no UI sequence row, no"
                + " NewDialog/SpawnDialog/SpawnWaitDialog of a shown dialog, not the ErrorDialog; sequence it in MsiBuild.UI_SEQUENCE,"
                + " open it from a shown dialog, or remove it"), check());
        // opened from a shown dialog, it is reachable
        replace("ControlEvent", "WelcomeDlg\tInstall\t", "WelcomeDlg\tInstall\tNewDialog\tLicenseDlg\t1\t1");
        assertEquals(List.of(), check());
    }

    @Test
    void aMissingExitDialogIsReported() {
        remove("AdminUISequence", r -> r.endsWith("\t-2"));
        assertEquals(List.of("ICE20: AdminUISequence shows no dialog at -2 (the UserExit (cancelled) dialog);"
                + " sequence a dialog at -2 in MsiBuild.UI_SEQUENCE"), check());
        remove("InstallUISequence", r -> r.startsWith("FatalErrorDlg\t"));
        add("InstallUISequence", "FatalErrorDialog\t\t-3");
        assertTrue(check().contains("ICE20: InstallUISequence shows no dialog at -3 (the FatalError (failed) dialog): [FatalErrorDialog]"
                + " is not in the Dialog table; sequence a dialog at -3 in MsiBuild.UI_SEQUENCE"), check().toString());
        tables.remove("InstallUISequence");
        assertTrue(check().contains("ICE20: the InstallUISequence table is missing; the exit dialogs must be sequenced in it"
                + " (MsiBuild.UI_SEQUENCE)"), check().toString());
    }

    @Test
    void filesInUseNeedsRetryIgnoreAndExit() {
        remove("ControlEvent", r -> r.startsWith("FilesInUse\tRetry\t"));
        assertEquals(List.of("ICE17: PushButton FilesInUse.Retry has no event in the ControlEvent table; give it an event"
                        + " (EndDialog, SpawnDialog, ...) in wix/ui/ControlEvent.idt",
                "ICE20: FilesInUse has no PushButton with EndDialog Retry; add the button and its ControlEvent row (EndDialog, Retry) in wix/ui"),
                check());
        tables.remove("ListBox");
        assertTrue(check().contains("ICE20: the ListBox table is missing; import wix/ui/ListBox.idt (no rows: Windows Installer fills"
                + " the list)"), check().toString());
    }

    @Test
    void missingFilesInUseDialogsAreReported() {
        remove("Dialog", r -> r.startsWith("FilesInUse\t") || r.startsWith("MsiRMFilesInUse\t"));
        remove("Control", r -> r.startsWith("FilesInUse\t") || r.startsWith("MsiRMFilesInUse\t"));
        remove("ControlEvent", r -> r.startsWith("FilesInUse\t") || r.startsWith("MsiRMFilesInUse\t"));
        assertEquals(List.of("ICE20: no FilesInUse dialog; author it in wix/ui (Windows Installer raises it by name when files are in use)",
                "project rule (ICE20 style): no MsiRMFilesInUse dialog; author it in wix/ui (Windows Installer raises it by name when"
                        + " Restart Manager finds files in use)"), check());
    }

    @Test
    void rmShutdownAndRestartOnlyFromMsiRMFilesInUse() {
        add("ControlEvent", "WelcomeDlg\tInstall\tRMShutdownAndRestart\t0\t1\t2");
        remove("ControlEvent", r -> r.startsWith("MsiRMFilesInUse\tCancel\t"));
        assertEquals(List.of("ICE17: PushButton MsiRMFilesInUse.Cancel has no event in the ControlEvent table; give it an event"
                        + " (EndDialog, SpawnDialog, ...) in wix/ui/ControlEvent.idt",
                "project rule (ICE20 style): MsiRMFilesInUse has no PushButton with EndDialog Exit; add the button and its ControlEvent"
                        + " row (EndDialog, Exit) in wix/ui",
                "project rule (ICE20 style): ControlEvent WelcomeDlg.Install publishes RMShutdownAndRestart; only a PushButton of"
                        + " MsiRMFilesInUse may publish it"), check());
    }

    @Test
    void rowsNamingMissingControlsAreReported() {
        add("ControlEvent", "ExitDlg\tClose\tEndDialog\tReturn\t1\t1");
        add("EventMapping", "ProgressDlg\tTimeLeft\tTimeRemaining\tTimeRemaining");
        replace("Dialog", "CancelDlg\t", "CancelDlg\t50\t50\t260\t85\t3\tCancel [ProductName] Setup\tNo\tMaybe\tNo");
        add("Control", "GhostDlg\tOK\tPushButton\t1\t1\t56\t17\t3\t\tOK\t\t");
        assertEquals(List.of("ICE03: Control row GhostDlg.OK names a dialog that is not in the Dialog table; add the dialog to"
                        + " wix/ui/Dialog.idt or remove the row",
                "ICE03: ControlEvent row ExitDlg.Close (EndDialog) names a control that dialog ExitDlg does not have; add the control to"
                        + " wix/ui/Control.idt or fix the row in wix/ui/ControlEvent.idt",
                "ICE03: EventMapping row ProgressDlg.TimeLeft (TimeRemaining) names a control that dialog ProgressDlg does not have;"
                        + " add the control to wix/ui/Control.idt or fix the row in wix/ui/EventMapping.idt",
                "ICE03: dialog CancelDlg: Control_Default Maybe is not one of its controls; name a control of CancelDlg in wix/ui/Dialog.idt",
                "ICE17: PushButton GhostDlg.OK has no event in the ControlEvent table; give it an event (EndDialog, SpawnDialog, ...) in"
                        + " wix/ui/ControlEvent.idt"), check());
    }

    @Test
    void theTabOrderMustBeOneLoopThroughEveryTabbableControl() {
        replace("Control", "FilesInUse\tExit\t", "FilesInUse\tExit\tPushButton\t304\t243\t56\t17\t3\t\tE&xit\t\t");
        assertEquals(List.of("ICE23: dialog FilesInUse has a dead-end tab order at Exit (no Control_Next); make the Control_Next links in"
                + " wix/ui/Control.idt one loop through Retry"), check());
        replace("Control", "FilesInUse\tExit\t", "FilesInUse\tExit\tPushButton\t304\t243\t56\t17\t3\t\tE&xit\tIgnore\t");
        assertEquals(List.of("ICE23: dialog FilesInUse has a malformed tab order at Exit: it goes back to Ignore, not to Control_First"
                + " Retry; make the Control_Next links in wix/ui/Control.idt one loop through Retry"), check());
        replace("Control", "FilesInUse\tExit\t", "FilesInUse\tExit\tPushButton\t304\t243\t56\t17\t3\t\tE&xit\tCancel\t");
        assertEquals(List.of("ICE23: Control_Next of FilesInUse.Exit is Cancel, which is not a control of FilesInUse; name a control of the"
                + " same dialog in wix/ui/Control.idt"), check());
        // the loop skips the list: Exit leads back to Retry, the list's own link goes nowhere in the loop
        replace("Control", "FilesInUse\tExit\t", "FilesInUse\tExit\tPushButton\t304\t243\t56\t17\t3\t\tE&xit\tRetry\t");
        assertEquals(List.of("ICE23: FilesInUse.List has a Control_Next but is not in the tab loop [Retry, Ignore, Exit]; link it into the"
                + " loop from Retry"), check());
        replace("Control", "FilesInUse\tList\t", "FilesInUse\tList\tListBox\t25\t95\t320\t130\t7\tFileInUseProcess\t\t\t");
        assertEquals(List.of("project rule (ICE23 style): ListBox FilesInUse.List cannot be reached with Tab: it is not in the loop"
                + " [Retry, Ignore, Exit]; add it to the Control_Next loop in wix/ui/Control.idt"), check());
        replace("Dialog", "ExitDlg\t", "ExitDlg\t50\t50\t370\t270\t7\t[ProductName] Setup Complete\tDone\tFinish\tFinish");
        assertTrue(check().contains("ICE23: dialog ExitDlg: Control_First Done is not one of its controls; name one of its controls as"
                + " Control_First in wix/ui/Dialog.idt"), check().toString());
    }

    @Test
    void theErrorDialogFollowsIce20() {
        replace("Dialog", "ErrorDlg\t", "ErrorDlg\t50\t50\t270\t105\t3\t[ProductName] Setup Information\tA\t\t");
        replace("Control", "ErrorDlg\tY\t", "ErrorDlg\tY\tPushButton\t100\t82\t56\t17\t3\t\t&Yes\tErrorText\t");
        remove("ControlEvent", r -> r.startsWith("ErrorDlg\tN\t"));
        add("Control", "ErrorDlg\tErrorIcon\tBitmap\t15\t15\t24\t24\t1\t\tWarn\t\t");
        assertEquals(List.of("ICE17: PushButton ErrorDlg.N has no event in the ControlEvent table; give it an event (EndDialog,"
                        + " SpawnDialog, ...) in wix/ui/ControlEvent.idt",
                "ICE20: error dialog ErrorDlg lacks the Error attribute (65536); add 65536 to its Attributes in wix/ui/Dialog.idt",
                "ICE20: error dialog ErrorDlg has Control_First 'A', not ErrorText; set Control_First to ErrorText in wix/ui/Dialog.idt",
                "ICE20: error dialog ErrorDlg needs a PushButton N with EndDialog ErrorNo; add the control and its ControlEvent row in wix/ui",
                "ICE20: the buttons of error dialog ErrorDlg differ in size or Y: [56x17 at Y 80, 56x17 at Y 82]; give A, C, I, N, O, R and Y"
                        + " one width, height and Y (Windows Installer sets their X)",
                "ICE20: control ErrorDlg.ErrorIcon is not an Icon control; make it an Icon or remove it"), check());
    }

    @Test
    void withoutErrorDialogPropertyFullUiHasNoMessageDialog() {
        remove("Property", r -> r.startsWith("ErrorDialog\t"));
        assertEquals(List.of("ICE20: the ErrorDialog property is not set, so full UI has no dialog for its messages; author the error dialog"
                        + " in wix/ui and name it in MsiBuild.UI_PROPERTIES",
                "project rule (reachable dialogs): dialog ErrorDlg is never shown: no UI sequence row, no NewDialog/SpawnDialog/SpawnWaitDialog"
                        + " of a shown dialog, not the ErrorDialog; sequence it in MsiBuild.UI_SEQUENCE, open it from a shown dialog, or"
                        + " remove it"), check());
    }

    @Test
    void textStylesMustExist() {
        replace("Control", "ExitDlg\tTitle\t", "ExitDlg\tTitle\tText\t15\t6\t340\t15\t196611\t\t{\\InuseFont_Huge}Done\t\t");
        replace("Control", "UserExitDlg\tTitle\t", "UserExitDlg\tTitle\tText\t15\t6\t340\t15\t196611\t\t{&InuseFont_Title Stopped\t\t");
        replace("Property", "DefaultUIFont\t", "DefaultUIFont\tInuseFont");
        assertEquals(List.of("ICE31: DefaultUIFont is InuseFont, which is not in the TextStyle table; add it to wix/ui/TextStyle.idt or fix"
                        + " MsiBuild.UI_PROPERTIES",
                "ICE31: control ExitDlg.Title uses TextStyle InuseFont_Huge, which is not in the TextStyle table; add it to"
                        + " wix/ui/TextStyle.idt or use an existing style",
                "ICE31: control UserExitDlg.Title has a style tag without its closing brace; close it in wix/ui/Control.idt"), check());
    }

    @Test
    void aRadioButtonGroupNeedsADefaultAmongItsValues() {
        replace("Property", "InuseRMOption\t", "InuseRMOption\tMaybe");
        assertEquals(List.of("ICE34: property InuseRMOption of RadioButtonGroup MsiRMFilesInUse.ShutdownOption has the default 'Maybe', not"
                + " one of its values [CloseAndRestart, DoNotClose]; set its default to one of them in MsiBuild.UI_PROPERTIES"), check());
        remove("RadioButton", r -> r.startsWith("InuseRMOption\t"));
        assertEquals(List.of("ICE34: RadioButtonGroup MsiRMFilesInUse.ShutdownOption has no buttons: no RadioButton row for InuseRMOption;"
                + " add its choices to wix/ui/RadioButton.idt"), check());
    }

    @Test
    void aTableThatIsNoIdtTextIsRefusedWithItsName() {
        List<String> dialog = tables.get("Dialog");
        tables.put("Dialog", List.of("Dialog\tTitle"));
        assertEquals("table Dialog is no IDT text: 1 line(s), fewer than the 3 header lines",
                assertThrows(BuildException.class, this::check).getMessage());
        tables.put("Dialog", List.of("Dialog\tTitle", "s72\tL128", "Dialog\tDialog"));
        assertTrue(assertThrows(BuildException.class, this::check).getMessage().startsWith("table Dialog has no column Attributes"));
        tables.put("Dialog", dialog);
        add("ControlEvent", "A\tB\tC\tD\tE\tF\tG");
        assertEquals("table ControlEvent, line " + tables.get("ControlEvent").size() + " has 7 fields for 6 columns: A | B | C | D | E | F | G",
                assertThrows(BuildException.class, this::check).getMessage());
    }
}
