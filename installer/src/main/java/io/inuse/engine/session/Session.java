package io.inuse.engine.session;

import io.inuse.engine.CustomActionData;

/**
 * The Windows Installer session of one custom action, as the engine sees it: typed calls that the
 * broker turns into MSI API calls (docs/protocol.md). Record fields are Strings, Integers or null,
 * field 0 (the template) first. The product talks to the installation only through this
 * interface; tests give it {@code FakeSession}.
 */
public interface Session {
    /** The custom action this engine runs for, as the broker named it. */
    String actionName();

    /**
     * True in a deferred (also rollback or commit) action. As on Windows, it may read only the
     * properties CustomActionData, ProductCode and UserSID, and may not set properties or run
     * modes or query the database: the broker refuses those there (docs/protocol.md).
     */
    boolean deferred();

    /** A property's value; "" when it is not set (MsiGetProperty). */
    String property(String name);

    void setProperty(String name, String value);

    /** MsiFormatRecord of the fields (field 0 is the template). */
    String format(Object... fields);

    /** MsiProcessMessage: the answer (IDOK, IDRETRY, ...), 0 when nobody answered, -1 on error. */
    int message(int type, Object... fields);

    boolean mode(int runMode);

    void setMode(int runMode, boolean on);

    /** MsiGetLanguage. */
    int language();

    /**
     * A SELECT on the installation's own database (immediate actions only: a deferred action has no
     * database). Each row is a list of String, Long or null, in the order of the selected columns.
     */
    java.util.List<java.util.List<Object>> query(String select);

    /**
     * A line in the MSI log (INSTALLMESSAGE_INFO), prefixed with the action's name. The text is the
     * record's template with its brackets escaped: Wine formats the text of a field again, Windows
     * does not, and a template is formatted exactly once by both.
     */
    default void log(String text) {
        message(Msi.INSTALLMESSAGE_INFO, Msi.escapeFormat("inuse: " + actionName() + ": " + text));
    }

    /**
     * Windows Installer asks for a reboot at the end of the install (3010). Immediate actions only:
     * Windows lets no deferred action set a run mode, and the broker refuses it there.
     */
    default void requestReboot() {
        setMode(Msi.MSIRUNMODE_REBOOTATEND, true);
    }

    /** This deferred action's CustomActionData, decoded (docs/custom-action-data.md). */
    default CustomActionData customActionData() {
        return CustomActionData.decode(property("CustomActionData"));
    }
}
