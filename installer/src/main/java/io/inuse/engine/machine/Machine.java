package io.inuse.engine.machine;

import java.util.List;
import java.util.Optional;

/**
 * The Windows primitives the engine may use, beside {@code Session} (the MSI): each one request of
 * the broker protocol (docs/protocol.md), answered by the broker's C with no decision in it. The
 * engine opens no file, process or registry key itself; it asks through this interface, which the
 * broker serves ({@code BrokerMachine}) and tests fake ({@code FakeMachine}). A failed call throws
 * {@code SessionException} with the Win32 error and the API's name.
 */
public interface Machine {
    /**
     * The path of a known folder, as {@code SHGetKnownFolderPath} gives it for
     * {@code FOLDERID_<name>}: one of {@link KnownFolder}'s names.
     */
    String knownFolder(KnownFolder folder);

    /**
     * What a path is: its long path and its identity (volume serial number and file index), so
     * that two spellings of one file (8.3 names, case, {@code \\?\} or {@code \??\} prefixes) compare
     * equal. Empty when nothing exists at the path.
     */
    Optional<FileIdentity> identify(String path);

    /** An open of the file with no sharing at all: whether anyone else has it open, and how. */
    OpenProbe openExclusive(String path);

    /**
     * Every process, with its image path, and the loaded modules whose file name (not path) is one
     * of {@code moduleNames}, compared without regard to case, in one round trip. A process that
     * cannot be opened or exits during the scan is in the list with the reason, never left out.
     */
    List<ProcessModules> processes(List<String> moduleNames);

    /** The running Win32 services, with the id of the process that hosts each. */
    List<Service> services();

    /**
     * The titles of the visible top-level windows without an owner of the given processes (at most
     * 1024), on the broker's desktop; windows with an empty title are left out.
     */
    List<WindowTitle> windowTitles(List<Long> pids);

    /** A new Restart Manager session ({@code RmStartSession}). */
    RmSession rmStart();

    /**
     * Joins the Restart Manager session of that key ({@code RmJoinSession}), Windows Installer's own
     * when {@code MsiRestartManagerSessionKey} is set. Under Wine 8 RmJoinSession aborts the calling
     * process: call this only when that property is set, which Wine never does (the broker refuses
     * it under Wine with 120 rather than call it).
     */
    RmSession rmJoin(String key);

    /** Registers files (full paths) and services (short names) with the session ({@code RmRegisterResources}). */
    void rmRegister(RmSession session, List<String> files, List<String> services);

    /** The processes using the session's registered resources ({@code RmGetList}). */
    RmList rmGetList(RmSession session);

    /** Ends the session ({@code RmEndSession}); the broker ends any still open when the action ends. */
    void rmEnd(RmSession session);
}
