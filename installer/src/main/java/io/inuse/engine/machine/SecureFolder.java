package io.inuse.engine.machine;

/**
 * What SECURE_FOLDER answers: what it found or did, the owner and DACL read back as SDDL ("" when
 * unreadable), and the reason when the folder is not verified secure ("" otherwise).
 */
public record SecureFolder(State state, String sddl, String reason) {
    /** The descriptor SECURE_FOLDER creates a folder with. */
    public static final String SDDL = "O:BAD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)";

    public enum State {
        /** created now with {@link #SDDL}; under Wine the reason says it cannot be read back */
        CREATED,
        /** it existed, with an owner and a protected DACL of Administrators and SYSTEM only */
        EXISTED_SECURE,
        /** another owner, an inherited DACL or another grantee: the reason names it */
        NOT_SECURE,
        /** it existed, and the platform (Wine, which keeps no DACL) cannot say */
        CANNOT_ANSWER
    }
}
