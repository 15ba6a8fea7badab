package io.inuse.engine.machine;

/**
 * Whether a path is on another machine (PATH_REMOTE): a UNC path by its syntax ({@code driveType}
 * {@link #NOT_ASKED}, root "UNC"), a drive path by {@code GetDriveTypeW} of its root ("C:\").
 */
public record PathLocation(boolean remote, long driveType, String root) {
    public static final long NOT_ASKED = -1;
    public static final long DRIVE_NO_ROOT_DIR = 1;
    public static final long DRIVE_FIXED = 3;
    public static final long DRIVE_REMOTE = 4;

    public boolean unc() {
        return driveType == NOT_ASKED;
    }
}
