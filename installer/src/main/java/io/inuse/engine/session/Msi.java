package io.inuse.engine.session;

/** Windows Installer constants the engine uses (msi.h, msiquery.h, winerror.h). */
public final class Msi {
    public static final int ERROR_SUCCESS = 0;
    public static final int ERROR_INSTALL_USEREXIT = 1602;
    public static final int ERROR_INSTALL_FAILURE = 1603;

    public static final int INSTALLMESSAGE_ERROR = 0x01000000;
    public static final int INSTALLMESSAGE_WARNING = 0x02000000;
    public static final int INSTALLMESSAGE_USER = 0x03000000;
    public static final int INSTALLMESSAGE_INFO = 0x04000000;
    public static final int INSTALLMESSAGE_FILESINUSE = 0x05000000;

    public static final int MSIRUNMODE_REBOOTATEND = 6;
    public static final int MSIRUNMODE_REBOOTNOW = 7;
    public static final int MSIRUNMODE_SCHEDULED = 16;
    public static final int MSIRUNMODE_ROLLBACK = 17;
    public static final int MSIRUNMODE_COMMIT = 18;

    private Msi() {
    }

    /** Text that MsiFormatRecord turns back into itself: '[' and ']' become [\[] and [\]]. */
    public static String escapeFormat(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (char c : text.toCharArray()) {
            switch (c) {
                case '[' -> out.append("[\\[]");
                case ']' -> out.append("[\\]]");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
