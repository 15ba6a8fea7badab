package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.UserExitException;
import io.inuse.engine.detect.Detection;
import io.inuse.engine.detect.Detector;
import io.inuse.engine.detect.Locker;
import io.inuse.engine.detect.LockersProperty;
import io.inuse.engine.detect.Target;
import io.inuse.engine.detect.UnscannedProcess;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.RmSession;
import io.inuse.engine.machine.Service;
import io.inuse.engine.session.Msi;
import io.inuse.engine.session.Session;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The detect action (issue 14), immediate, sequenced before InstallValidate: finds who holds the
 * files the install means to replace, logs it, publishes it in {@value LockersProperty#NAME}, and,
 * when a person can be asked, sends Windows Installer's FilesInUse message and honours Retry,
 * Ignore and Exit. Nothing on the machine has been changed yet when it runs, so Exit simply ends
 * the install (1602).
 *
 * <h2>Each detection</h2>
 * {@code new Detector(machine).detect(targets)}, then: one log line per target
 * ({@link Detection#finding()}), one per locker (pid, image path, kind, services), one per process
 * that could not be scanned, one per problem; and {@value LockersProperty#NAME} is set to
 * {@link LockersProperty#encode} of the lockers of all targets, one entry per pid, sorted by pid,
 * "" when there is none. It is set after every detection, so whatever the answer (Exit included),
 * it reflects the last one.
 *
 * <h2>When a target is LOCKED: asking, or not</h2>
 * Only a {@link Detection.Verdict#LOCKED LOCKED} target (the exclusive open met a sharing
 * violation) makes the action ask; UNKNOWN ones are logged and published, never asked about.
 * Whether a person can be asked is read from the {@code UILevel} property (INSTALLUILEVEL: 2 none
 * (/qn), 3 basic (/qb), 4 reduced, 5 full): only 4 and 5 ask. Basic UI shows progress but no
 * dialog, and nothing in a silent or basic install may wait for a person (DESIGN.md); below 4, or
 * when UILevel is not a number, the message is never sent, the action logs why, and goes on as if
 * Ignore had been answered.
 *
 * <p>In full UI, when Windows Installer has a Restart Manager session ({@code
 * MsiRestartManagerSessionKey} set, {@code MSIRESTARTMANAGERCONTROL} neither {@code Disable} nor
 * {@code DisableShutdown}), the action joins that session and registers the LOCKED targets and the
 * services holding them, and sends no FILESINUSE: Windows Installer's MsiRMFilesInUse dialog lists
 * them in InstallValidate and the person chooses there (see
 * {@link #registeredWithWindowsInstaller}). Wine never sets the key; this path is unit-tested
 * against the fake machine and unverified on Windows.
 *
 * <p>Windows Installer hands the FILESINUSE message to an external UI handler (a bootstrapper's
 * {@code MsiSetExternalUI[Record]}) first, whatever UILevel, and then to its own UI, which shows the
 * authored FilesInUse dialog in full UI. Because this action sends nothing below UILevel 4, a
 * bootstrapper that runs the package with internal UI "none" (UILevel 2) is not asked: it has
 * {@value LockersProperty#NAME} and the log instead. When the message is sent and nobody handles
 * it, {@code MsiProcessMessage} returns 0 ("no action taken"; Wine's internal UI does this too):
 * 0 means nobody is there, and the action goes on as Ignore, with a log line.
 *
 * <h2>The FILESINUSE record</h2>
 * Field 0 "", then one pair per row, as Windows Installer's FilesInUse dialog reads it (a process
 * name, then the description the list shows, a window title for Windows Installer's own rows): an
 * application {@code (image file name, "<window title> (pid N)")}, or
 * {@code (image file name, "<image file name> (pid N)")} when it has no window; a process hosting
 * services one row per service {@code ("Service: <display> (<short>)", "Service: <display>
 * (<short>), pid N")}, so that a windowless service reads as itself in either field; a LOCKED
 * target no process could be named for {@code (<target file name>, "held by a process that could
 * not be named")}. Rows come from the LOCKED targets only, one per pid across targets, in pid
 * order. Which field the rendered dialog shows on Windows is unverified here (Wine's internal UI
 * never shows this message): both name the locker.
 *
 * <h2>Answers</h2>
 * <ul>
 * <li>IDRETRY (4): detect again; ask again while a target is still LOCKED, at most
 * {@value #MAX_ASKS} times in all, then go on as Ignore with a log line; proceed when nothing is
 * LOCKED any more;</li>
 * <li>IDIGNORE (5): go on; the held file will be replaced at the next reboot (a later stage);</li>
 * <li>IDCANCEL (2), IDABORT (3) (Exit): {@link UserExitException}, which the entry wrapper maps to
 * 1602;</li>
 * <li>0 (nobody answered), -1 (the message failed) and any other answer: logged, then as Ignore.</li>
 * </ul>
 */
public final class Detect implements CustomAction {
    /** How many times FilesInUse is sent at most before the action goes on as if Ignore had been answered. */
    static final int MAX_ASKS = 100;

    /** The Windows Installer property with the UI level (INSTALLUILEVEL_*). */
    static final String UI_LEVEL = "UILevel";
    /** INSTALLUILEVEL_REDUCED: the lowest level at which a person is asked. */
    private static final int INSTALLUILEVEL_REDUCED = 4;

    // winuser.h: the answers MsiProcessMessage passes back (Msi has none of them)
    private static final int IDOK = 1;
    private static final int IDCANCEL = 2;
    private static final int IDABORT = 3;
    private static final int IDRETRY = 4;
    private static final int IDIGNORE = 5;
    private static final int NO_ANSWER = 0;
    private static final int FAILED = -1;

    /** INSTALLUILEVEL_FULL, the only level at which Windows Installer's MsiRMFilesInUse dialog asks. */
    private static final String FULL_UI = "5";
    /** Set by Windows Installer when it has a Restart Manager session (Windows Vista and later; never under Wine). */
    static final String RM_SESSION_KEY = "MsiRestartManagerSessionKey";
    static final String RM_CONTROL = "MSIRESTARTMANAGERCONTROL";

    private static final String LATER = "the held file will be replaced at the next reboot (a later stage)";

    private final Machine machine;
    private final List<Target> targets;
    private int lockedAtEnd;

    /**
     * @param machine the broker's Machine of this action
     * @param targets the files the install means to replace (the package's built-in list)
     */
    public Detect(Machine machine, List<Target> targets) {
        this.machine = machine;
        this.targets = List.copyOf(targets);
    }

    @Override
    public void run(Session session) throws UserExitException {
        Detector detector = new Detector(machine);
        List<Detection> detections = detectOnce(session, detector);
        lockedAtEnd = countLocked(detections);
        if (countLocked(detections) == 0) {
            return;
        }
        String uiLevel = session.property(UI_LEVEL);
        if (!asks(uiLevel)) {
            session.log(countLocked(detections) + " target(s) locked; UILevel '" + uiLevel
                    + "': no UI to ask (only reduced (4) and full (5) UI ask a person): FilesInUse not sent; continuing as Ignore: " + LATER);
            return;
        }
        if (FULL_UI.equals(uiLevel.trim()) && registeredWithWindowsInstaller(session, detections)) {
            return;
        }
        for (int asked = 1; ; asked++) {
            int answer = session.message(Msi.INSTALLMESSAGE_FILESINUSE, filesInUseRecord(detections));
            switch (answer) {
                case IDRETRY:
                    session.log("Retry chosen in FilesInUse: detecting again");
                    detections = detectOnce(session, detector);
                    lockedAtEnd = countLocked(detections);
                    if (countLocked(detections) == 0) {
                        session.log("no target is locked any more: continuing");
                        return;
                    }
                    if (asked >= MAX_ASKS) {
                        session.log("still locked after " + MAX_ASKS + " Retry answers: FilesInUse not sent again; continuing as Ignore: " + LATER);
                        return;
                    }
                    break;
                case IDIGNORE:
                    session.log("Ignore chosen in FilesInUse: continuing: " + LATER);
                    return;
                case IDCANCEL:
                case IDABORT:
                    throw new UserExitException("Exit chosen in FilesInUse");
                case NO_ANSWER:
                    session.log("nobody answered FilesInUse (answer 0: no UI handled the message): continuing as Ignore: " + LATER);
                    return;
                case FAILED:
                    session.log("FilesInUse could not be shown (answer -1): continuing as Ignore: " + LATER);
                    return;
                default:
                    session.log("unexpected answer " + answer + (answer == IDOK ? " (OK)" : "")
                            + " to FilesInUse: continuing as Ignore: " + LATER);
                    return;
            }
        }
    }

    /** How many targets were still held when the action ended (after the person's Retry answers, if any). */
    public int lockedAtEnd() {
        return lockedAtEnd;
    }

    /**
     * In full UI, when Windows Installer has a Restart Manager session of its own and the package
     * lets it use it, the locked targets and the services holding them are registered with that
     * session, and its MsiRMFilesInUse dialog asks the person in InstallValidate: true then, and
     * FILESINUSE is not sent. False (and FILESINUSE is sent) when there is no session key, when
     * {@code MSIRESTARTMANAGERCONTROL} is {@code Disable} or {@code DisableShutdown} (Windows
     * Installer then shows FilesInUse), or when joining or registering failed (logged).
     * Never below full UI: in a silent install Windows Installer's Restart Manager shuts down
     * what is registered without asking anyone, and this product never closes anything by itself.
     */
    private boolean registeredWithWindowsInstaller(Session session, List<Detection> detections) {
        String key = session.property(RM_SESSION_KEY).trim();
        if (key.isEmpty()) {
            return false;
        }
        String control = session.property(RM_CONTROL).trim();
        if (control.equalsIgnoreCase("Disable") || control.equalsIgnoreCase("DisableShutdown")) {
            session.log(RM_CONTROL + " is '" + control + "': Windows Installer shows FilesInUse, not MsiRMFilesInUse: sending FILESINUSE");
            return false;
        }
        List<String> files = new ArrayList<>();
        Map<String, String> services = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Detection d : detections) {
            if (d.verdict() != Detection.Verdict.LOCKED) {
                continue;
            }
            files.add(d.path());
            for (Locker locker : d.lockers()) {
                for (Service service : locker.services()) {
                    services.putIfAbsent(service.shortName(), service.shortName());
                }
            }
        }
        RmSession joined;
        try {
            joined = machine.rmJoin(key);
        } catch (SessionException e) {
            session.log("cannot join Windows Installer's Restart Manager session: " + e.getMessage() + ": sending FILESINUSE instead");
            return false;
        }
        try {
            machine.rmRegister(joined, files, new ArrayList<>(services.values()));
        } catch (SessionException e) {
            session.log("cannot register with Windows Installer's Restart Manager session: " + e.getMessage() + ": sending FILESINUSE instead");
            return false;
        } finally {
            try {
                machine.rmEnd(joined);
            } catch (SessionException e) {
                session.log("leaving Windows Installer's Restart Manager session: " + e.getMessage());
            }
        }
        session.log("registered " + files + " and services " + services.values()
                + " with Windows Installer's Restart Manager session: its MsiRMFilesInUse dialog asks in InstallValidate; FILESINUSE not sent");
        return true;
    }

    /** Whether a person can be asked at this UILevel: reduced (4) or full (5) UI. */
    static boolean asks(String uiLevel) {
        String text = uiLevel.trim();
        if (text.isEmpty() || text.length() > 9) {
            return false;
        }
        int level = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
            level = level * 10 + (c - '0');
        }
        return level >= INSTALLUILEVEL_REDUCED;
    }

    /** One detection: logged, and published in INUSE_LOCKERS. */
    private List<Detection> detectOnce(Session session, Detector detector) {
        List<Detection> detections = detector.detect(targets);
        Map<Long, Locker> lockers = new TreeMap<>();
        for (Detection d : detections) {
            log(session, d);
            for (Locker locker : d.lockers()) {
                lockers.putIfAbsent(locker.pid(), locker);
            }
        }
        session.setProperty(LockersProperty.NAME, LockersProperty.encode(new ArrayList<>(lockers.values())));
        return detections;
    }

    private static void log(Session session, Detection d) {
        String target = d.target().toString();
        session.log(target + (d.path().isEmpty() ? "" : " (" + d.path() + ")") + ": " + d.finding());
        String verb = d.verdict() == Detection.Verdict.LOCKED ? " is held by " : " is loaded by ";
        String where = d.target().name() + " in " + folderOf(d.path());
        for (Locker locker : d.lockers()) {
            session.log(where + verb + describe(locker));
        }
        for (UnscannedProcess process : d.unscanned()) {
            session.log(target + ": could not scan " + process.describe());
        }
        for (String problem : d.problems()) {
            session.log(target + ": problem: " + problem);
        }
    }

    /** The locker for a log line: image name, then pid, image path, kind, services and window title in parentheses. */
    static String describe(Locker locker) {
        StringBuilder text = new StringBuilder();
        text.append(locker.name()).append(" (pid ").append(locker.pid()).append(", ")
                .append(locker.imagePath().isEmpty() ? "image path unknown" : locker.imagePath()).append(", ");
        switch (locker.kind()) {
            case APPLICATION -> text.append("application");
            case SERVICE -> text.append(locker.services().size() == 1 ? "service " : "services ");
            case CRITICAL -> text.append("critical system process: only a reboot frees what it holds")
                    .append(locker.services().isEmpty() ? "" : locker.services().size() == 1 ? "; service " : "; services ");
        }
        for (int i = 0; i < locker.services().size(); i++) {
            text.append(i == 0 ? "" : ", ").append(locker.services().get(i).describe());
        }
        if (!locker.windowTitle().isEmpty()) {
            text.append("; window \"").append(locker.windowTitle()).append('"');
        }
        return text.append(')').toString();
    }

    /**
     * The FILESINUSE record of the LOCKED targets: field 0 "", then (name, description) pairs (see
     * the class comment).
     */
    static Object[] filesInUseRecord(List<Detection> detections) {
        List<Object> fields = new ArrayList<>();
        fields.add("");
        Map<Long, Locker> lockers = new TreeMap<>();
        for (Detection d : detections) {
            if (d.verdict() != Detection.Verdict.LOCKED) {
                continue;
            }
            if (d.heldByUnnamedProcess()) {
                fields.add(d.target().name());
                fields.add(Detection.UNNAMED_HOLDER);
            }
            for (Locker locker : d.lockers()) {
                lockers.putIfAbsent(locker.pid(), locker);
            }
        }
        for (Locker locker : lockers.values()) {
            String pid = "pid " + locker.pid();
            if (locker.services().isEmpty()) {
                fields.add(locker.name());
                fields.add((locker.windowTitle().isEmpty() ? locker.name() : locker.windowTitle()) + " (" + pid + ")");
            }
            for (Service service : locker.services()) {
                String name = "Service: " + service.describe();
                fields.add(name);
                fields.add(name + ", " + pid);
            }
        }
        return fields.toArray();
    }

    private static int countLocked(List<Detection> detections) {
        int n = 0;
        for (Detection d : detections) {
            n += d.verdict() == Detection.Verdict.LOCKED ? 1 : 0;
        }
        return n;
    }

    private static String folderOf(String path) {
        int slash = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
        return slash < 0 ? path : path.substring(0, slash);
    }
}
