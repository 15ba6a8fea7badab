package io.inuse.packaging;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiles wix/product.wxs with wixl, then mends with msibuild what wixl 0.101 gets wrong
 * (msitools 0.101): File.Version and File.Language are filled from the payload's version
 * resource, File.FileName gets a short name when the payload's is not 8.3 ("SHORT~1.DLL|LongName.dll",
 * wixl writes the long name alone), and the MsiFileHash row is removed (a versioned file must not
 * have one, ICE60). The product's names and GUIDs come from {@link ProductIdentity}.
 *
 * <p>wixl aborts on any UI element, so the dialogs that full UI needs are IDT files in wix/ui/
 * (its README): they are imported with {@code msibuild -i} (only tables wixl leaves alone: -i
 * replaces a whole table), and their rows in Property, InstallUISequence and AdminUISequence,
 * tables wixl fills, are inserted with SQL. {@link DialogRules} checks the result.
 */
final class MsiBuild {
    static final String FILE_KEY = "TargetDll";

    private final Toolchain tools;

    MsiBuild(Toolchain tools) {
        this.tools = tools;
    }

    /**
     * Properties a standard user's command line may pass to an elevated install (wixl drops
     * Property/@Secure). INUSE_JAVA_HOME is deliberately not among them: it names a program that an
     * elevated action starts, so only an administrator, a transform or the package sets it.
     */
    static final String SECURE_PROPERTIES = "INUSE_ENGINE_TIMEOUT;INUSE_FORCE_EQUAL;INUSE_WHEN_LOCKED;INUSE_STRATEGY";

    /** The UI tables in wix/ui/, one IDT file each; none of them is a table wixl writes. */
    static final List<String> UI_TABLES = List.of("Dialog", "Control", "ControlEvent", "EventMapping", "TextStyle",
            "UIText", "ListBox", "RadioButton");

    /** Property rows the dialogs need: the font, the error dialog, the default of MsiRMFilesInUse's choice (ICE34). */
    static final List<String[]> UI_PROPERTIES = List.of(
            new String[] {"DefaultUIFont", "InuseFont_Normal"},
            new String[] {"ErrorDialog", "ErrorDlg"},
            new String[] {"InuseRMOption", "DoNotClose"});

    /**
     * Dialog rows of both UI sequences: the exit dialogs at -1, -2, -3 (ICE20) and the progress dialog
     * before ExecuteAction (1300). WelcomeDlg, install sequence only, asks once before a first install.
     */
    static final List<String[]> UI_SEQUENCE = List.of(
            new String[] {"InstallUISequence", "WelcomeDlg", "NOT Installed", "1250"},
            new String[] {"InstallUISequence", "ProgressDlg", "", "1280"},
            new String[] {"InstallUISequence", "ExitDlg", "", "-1"},
            new String[] {"InstallUISequence", "UserExitDlg", "", "-2"},
            new String[] {"InstallUISequence", "FatalErrorDlg", "", "-3"},
            new String[] {"AdminUISequence", "ProgressDlg", "", "1280"},
            new String[] {"AdminUISequence", "ExitDlg", "", "-1"},
            new String[] {"AdminUISequence", "UserExitDlg", "", "-2"},
            new String[] {"AdminUISequence", "FatalErrorDlg", "", "-3"});

    Path build(Path wxs, String productVersion, Payload payload, Path broker, Path cli, RuntimeFiles.Result runtime, PayloadFiles.Result more,
            Path msi) {
        ProductIdentity identity = payload.identity();
        String productCode = identity.productCode(productVersion);
        Path workDir = msi.toAbsolutePath().getParent();
        // wixl 0.101 cannot open an absolute Source path: give it one relative to its working folder
        Path source = workDir.relativize(payload.path().toAbsolutePath());
        List<String> wixlArgs = new ArrayList<>(List.of("-a", "x64",
                "-D", "Version=" + productVersion,
                "-D", "ProductCode=" + unbraced(productCode),
                "-D", "UpgradeCode=" + unbraced(identity.upgradeCode()),
                "-D", "ComponentGuid=" + unbraced(identity.componentGuid()),
                "-D", "ProductName=" + identity.productName(),
                "-D", "PayloadPath=" + source,
                "-D", "PayloadName=" + payload.fileName(),
                "-D", "ProductFolder=" + identity.productId(),
                "-D", "Manufacturer=" + identity.manufacturer(),
                "-D", "BrokerPath=" + workDir.relativize(broker.toAbsolutePath()),
                "-D", "CliPath=" + workDir.relativize(cli.toAbsolutePath()),
                "-D", "CliComponentGuid=" + unbraced(identity.cliComponentGuid()),
                "-D", "Runtime=" + (runtime == null ? "no" : "yes"),
                "-D", "Payloads=" + (more == null ? "no" : "yes"),
                "-o", msi.toString(), wxs.toString()));
        if (runtime != null) {
            wixlArgs.add(runtime.wxs().toString());
        }
        if (more != null) {
            wixlArgs.add(more.wxs().toString());
        }
        tools.run(workDir, Toolchain.WIXL, wixlArgs);
        tools.run(msi.getParent(), Toolchain.MSIBUILD, List.of(msi.toString(), "-q",
                "UPDATE `File` SET `Version`='" + payload.version() + "', `Language`='" + payload.languages()
                        + "' WHERE `File`='" + FILE_KEY + "'",
                "UPDATE `File` SET `FileName`='" + identity.fileTableName() + "' WHERE `File`='" + FILE_KEY + "'",
                "DELETE FROM `MsiFileHash` WHERE `File_`='" + FILE_KEY + "'",
                // the command line's jars: short names beside the long ones, as for the payload (wixl writes the long alone)
                "UPDATE `File` SET `FileName`='INUSEE~1.JAR|inuse-engine.jar' WHERE `File`='InuseEngineJar'",
                "UPDATE `File` SET `FileName`='INUSET~1.JAR|inuse-targets.jar' WHERE `File`='InuseTargetsJar'",
                // wixl writes a rollback action as immediate (MSITOOLS.md): 3329 = 1 (DLL in Binary) + 256 (rollback)
                // + 1024 (in script) + 2048 (no impersonation)
                "UPDATE `CustomAction` SET `Type`=3329 WHERE `Action`='InuseReplaceRollback' OR `Action`='InuseRestoreRollback'",
                // and a commit action too: 3649 = 1 + 64 (its return ignored: the uninstall is committed by then) + 512
                // (commit) + 1024 + 2048
                "UPDATE `CustomAction` SET `Type`=3649 WHERE `Action`='InuseRestoreCommit'",
                "UPDATE `Property` SET `Value`='WIX_DOWNGRADE_DETECTED;WIX_UPGRADE_DETECTED;" + SECURE_PROPERTIES
                        + "' WHERE `Property`='SecureCustomProperties'"));
        List<String> mend = new ArrayList<>(List.of(msi.toString(), "-q"));
        // the product's folder: a short name beside a long one, as for the files (wixl writes the long alone)
        String folderShort = RuntimeFiles.shortName(identity.productId(), new java.util.HashSet<>(List.of("INUSE")));
        if (folderShort != null) {
            mend.add("UPDATE `Directory` SET `DefaultDir`='" + folderShort + "|" + identity.productId() + "' WHERE `Directory`='ProductFolder'");
        }
        mend.addAll(runtime == null ? List.of() : runtime.sql());
        mend.addAll(more == null ? List.of() : more.sql());
        if (mend.size() > 2) {
            tools.run(msi.getParent(), Toolchain.MSIBUILD, mend);
        }
        addDialogs(wxs.toAbsolutePath().getParent().resolve("ui"), msi);
        return msi;
    }

    /** Imports wix/ui/*.idt and inserts the dialogs' Property and sequence rows. */
    void addDialogs(Path uiDir, Path msi) {
        List<String> args = new ArrayList<>(List.of(msi.toString(), "-i"));
        for (String table : UI_TABLES) {
            Path idt = uiDir.resolve(table + ".idt");
            if (!Files.isRegularFile(idt)) {
                throw new BuildException("the UI table " + idt + " is missing: every table of " + UI_TABLES
                        + " must be in " + uiDir + " (see its README.md); restore it from git");
            }
            args.add(idt.toAbsolutePath().toString());
        }
        tools.run(msi.getParent(), Toolchain.MSIBUILD, args);
        List<String> sql = new ArrayList<>(List.of(msi.toString(), "-q"));
        for (String[] property : UI_PROPERTIES) {
            sql.add("INSERT INTO `Property` (`Property`, `Value`) VALUES ('" + property[0] + "', '" + property[1] + "')");
        }
        for (String[] row : UI_SEQUENCE) {
            // libmsi's SQL has no NULL literal: a row without a condition leaves the column out
            sql.add(row[2].isEmpty()
                    ? "INSERT INTO `" + row[0] + "` (`Action`, `Sequence`) VALUES ('" + row[1] + "', " + row[3] + ")"
                    : "INSERT INTO `" + row[0] + "` (`Action`, `Condition`, `Sequence`) VALUES ('" + row[1] + "', '"
                            + row[2] + "', " + row[3] + ")");
        }
        tools.run(msi.getParent(), Toolchain.MSIBUILD, sql);
    }

    private static String unbraced(String guid) {
        return guid.substring(1, guid.length() - 1);
    }
}
