package io.inuse.engine.protocol;

/**
 * The op numbers of the broker protocol (docs/protocol.md, "Requests"). Numbers are never reused
 * or renumbered: the broker's request table is indexed by them.
 */
public final class Ops {
    public static final int PROTOCOL_VERSION = 1;

    public static final int HELLO = 1;
    public static final int GET_PROPERTY = 2;
    public static final int SET_PROPERTY = 3;
    public static final int FORMAT_RECORD = 4;
    public static final int MESSAGE = 5;
    public static final int GET_MODE = 6;
    public static final int SET_MODE = 7;
    public static final int GET_LANGUAGE = 8;
    public static final int RESULT = 9;
    public static final int DB_QUERY = 10;
    public static final int KNOWN_FOLDER = 11;
    public static final int FILE_IDENTITY = 12;
    public static final int OPEN_EXCLUSIVE = 13;
    public static final int PROCESS_MODULES = 14;
    public static final int SERVICES = 15;
    public static final int WINDOW_TITLES = 16;
    public static final int RM_START = 17;
    /** RmJoinSession: aborts the calling process (msiexec) under Wine 8; see docs/protocol.md. */
    public static final int RM_JOIN = 18;
    public static final int RM_REGISTER = 19;
    public static final int RM_GET_LIST = 20;
    public static final int RM_END = 21;
    public static final int FILE_READ = 22;
    public static final int FILE_INFO = 23;
    public static final int FILE_COPY = 24;
    public static final int FILE_MOVE = 25;
    public static final int FILE_DELETE = 26;
    public static final int FILE_WRITE = 27;
    public static final int SECURE_FOLDER = 28;
    public static final int REG_READ = 29;
    public static final int REG_WRITE = 30;
    public static final int REG_DELETE_VALUE = 31;
    public static final int SFC_PROTECTED = 32;
    public static final int PATH_REMOTE = 33;
    public static final int CHECK_INSTALLED = 34;
    public static final int FOLDER_REMOVE = 35;
    public static final int SERVICE_QUERY = 36;
    public static final int SERVICE_STOP = 37;
    public static final int SERVICE_START = 38;
    public static final int REG_DELETE_KEY = 39;
    /** The command-line launcher's only own request: text for its stdout or stderr (refused inside an MSI). */
    public static final int CONSOLE_WRITE = 40;

    private Ops() {
    }

    /** The op's name for log lines; an op this version does not know is named by its number. */
    public static String name(int op) {
        return switch (op) {
            case HELLO -> "HELLO";
            case GET_PROPERTY -> "GET_PROPERTY";
            case SET_PROPERTY -> "SET_PROPERTY";
            case FORMAT_RECORD -> "FORMAT_RECORD";
            case MESSAGE -> "MESSAGE";
            case GET_MODE -> "GET_MODE";
            case SET_MODE -> "SET_MODE";
            case GET_LANGUAGE -> "GET_LANGUAGE";
            case RESULT -> "RESULT";
            case DB_QUERY -> "DB_QUERY";
            case KNOWN_FOLDER -> "KNOWN_FOLDER";
            case FILE_IDENTITY -> "FILE_IDENTITY";
            case OPEN_EXCLUSIVE -> "OPEN_EXCLUSIVE";
            case PROCESS_MODULES -> "PROCESS_MODULES";
            case SERVICES -> "SERVICES";
            case WINDOW_TITLES -> "WINDOW_TITLES";
            case RM_START -> "RM_START";
            case RM_JOIN -> "RM_JOIN";
            case RM_REGISTER -> "RM_REGISTER";
            case RM_GET_LIST -> "RM_GET_LIST";
            case RM_END -> "RM_END";
            case FILE_READ -> "FILE_READ";
            case FILE_INFO -> "FILE_INFO";
            case FILE_COPY -> "FILE_COPY";
            case FILE_MOVE -> "FILE_MOVE";
            case FILE_DELETE -> "FILE_DELETE";
            case FILE_WRITE -> "FILE_WRITE";
            case SECURE_FOLDER -> "SECURE_FOLDER";
            case REG_READ -> "REG_READ";
            case REG_WRITE -> "REG_WRITE";
            case REG_DELETE_VALUE -> "REG_DELETE_VALUE";
            case SFC_PROTECTED -> "SFC_PROTECTED";
            case PATH_REMOTE -> "PATH_REMOTE";
            case CHECK_INSTALLED -> "CHECK_INSTALLED";
            case FOLDER_REMOVE -> "FOLDER_REMOVE";
            case SERVICE_QUERY -> "SERVICE_QUERY";
            case SERVICE_STOP -> "SERVICE_STOP";
            case SERVICE_START -> "SERVICE_START";
            case REG_DELETE_KEY -> "REG_DELETE_KEY";
            case CONSOLE_WRITE -> "CONSOLE_WRITE";
            default -> "op " + op;
        };
    }
}
