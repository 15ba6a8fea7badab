package io.inuse.engine.machine;

/**
 * One entry of {@code RmGetList} ({@code RM_PROCESS_INFO}): the process id, the application's name,
 * the service's short name ("" when it is not a service), {@code RM_APP_TYPE} (0 unknown, 1 main
 * window, 2 other window, 3 service, 4 Explorer, 5 console, 1000 critical), {@code RM_APP_STATUS}
 * flags, the Terminal Services session id, and whether Restart Manager can restart it.
 */
public record RmProcess(long pid, String appName, String serviceShortName, long applicationType, long appStatus, long sessionId,
        boolean restartable) {
    public static final long RM_UNKNOWN_APP = 0;
    public static final long RM_MAIN_WINDOW = 1;
    public static final long RM_OTHER_WINDOW = 2;
    public static final long RM_SERVICE = 3;
    public static final long RM_EXPLORER = 4;
    public static final long RM_CONSOLE = 5;
    public static final long RM_CRITICAL = 1000;
}
