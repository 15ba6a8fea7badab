package io.inuse.engine.detect;

import io.inuse.engine.machine.FileIdentity;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.OpenProbe;
import io.inuse.engine.machine.ProcessModules;
import io.inuse.engine.machine.RmList;
import io.inuse.engine.machine.RmProcess;
import io.inuse.engine.machine.RmSession;
import io.inuse.engine.machine.Service;
import io.inuse.engine.machine.WindowTitle;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Names every process and service that holds a target (DESIGN.md, "Lockers and the FilesInUse
 * message"), over {@link Machine} alone.
 *
 * <ol>
 * <li>Each target's path is resolved through its known folder and identified. A target with no
 * file is ABSENT: nothing can hold it, and it is not probed. A target whose identify call failed
 * is still probed, but no module can be matched to it.</li>
 * <li>One {@code processes(names)} call, with the distinct file names of the existing targets,
 * gives the candidate modules. A module (or a process image of the target's name) holds a target
 * only when {@code identify} says it is the same file ({@link FileIdentity#sameFileAs}): a DLL of
 * the same name elsewhere is not a holder, the same file under an 8.3 name, another case or a
 * {@code \\?\} prefix is. {@code identify} is asked once per distinct path per detection.</li>
 * <li>A process that could not be scanned is kept among the detection's unscanned processes with
 * its error, unless its partial module list already proves it a holder.</li>
 * <li>Restart Manager is asked too, in a session of its own per existing target
 * ({@code rmStart}, {@code rmRegister} of the target's path, {@code rmGetList}, {@code rmEnd}):
 * a process it names that the module lists did not is a holder as well (a process the scan could
 * not open, for one), with its image path from the process list, its services, and its
 * application name as window title when it is a windowed application. Its answer only adds:
 * an empty list proves nothing (Wine's stub always answers none), and non-zero reboot reasons are
 * noted among the problems.</li>
 * <li>One {@code services()} call (only when some holder was found) names the services each
 * holder hosts; the kind follows {@link Locker.Kind}'s rule.</li>
 * <li>The exclusive open is the judge: SHARING_VIOLATION is LOCKED, with or without named
 * lockers; FREE makes the holders "loaded, not locked"; ACCESS_DENIED, NOT_A_FILE and other
 * errors are UNKNOWN (holders are kept as lockers: they have it loaded); NOT_FOUND is ABSENT.</li>
 * <li>A failed call ({@link SessionException}) becomes a line of the detection's problems,
 * naming the step, the API and the Win32 error, and the other steps still run.</li>
 * <li>Lockers are unique by pid and sorted by pid, then image path.</li>
 * <li>One {@code windowTitles} call for the pids of all lockers of all targets gives each its
 * window title (the first visible top-level window the machine lists for it); a failure is a
 * problem of every detection with lockers, and the titles stay as they were.</li>
 * </ol>
 *
 * Each {@link #detect} call asks the machine afresh (nothing is kept between calls), so a Retry
 * simply detects again.
 */
public final class Detector {
    private static final Set<String> CRITICAL_IMAGES = Set.of("csrss.exe", "wininit.exe", "smss.exe", "lsass.exe", "services.exe");
    private static final long SYSTEM_PID = 4;
    private static final Comparator<Service> BY_SHORT_NAME = new Orders.ServiceOrder();
    private static final Comparator<Locker> BY_PID_THEN_IMAGE = new Orders.LockerOrder();

    private final Machine machine;

    public Detector(Machine machine) {
        this.machine = machine;
    }

    /** One detection per target, in the targets' order. */
    public List<Detection> detect(List<Target> targets) {
        return new Run().detect(targets, new String[targets.size()]);
    }

    /**
     * One detection of any file by its full path (the command line's {@code who}), with no target of the
     * package: its {@link Detection#target()} only carries the file name (in {@code target}'s folder).
     */
    public Detection detectFile(Target target, String path) {
        return new Run().detect(List.of(target), new String[] {path}).get(0);
    }

    /** The state of one detect() call: caches and the answers shared by all targets. */
    private final class Run {
        private final Map<KnownFolder, String> folders = new EnumMap<>(KnownFolder.class);
        private final Map<KnownFolder, String> folderProblems = new EnumMap<>(KnownFolder.class);
        private final Map<String, Optional<FileIdentity>> identities = new HashMap<>();
        private final Map<String, String> identifyProblems = new HashMap<>();
        private List<ProcessModules> processes = List.of();
        private String processesProblem;
        private Map<Long, List<Service>> servicesByPid;
        private final Map<String, Service> servicesByName = new HashMap<>();
        private String servicesProblem;

        List<Detection> detect(List<Target> targets, String[] given) {
            int n = targets.size();
            String[] paths = given.clone();
            List<List<String>> problems = new ArrayList<>();
            Map<String, String> names = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                Set<String> own = new LinkedHashSet<>();
                problems.add(new ArrayList<>());
                Target target = targets.get(i);
                if (paths[i] == null) {
                    String folder = folder(target.folder());
                    if (folder == null) {
                        problems.get(i).add(folderProblems.get(target.folder()));
                        continue;
                    }
                    paths[i] = target.pathIn(folder);
                }
                if (identity(paths[i], own) != null) {
                    names.putIfAbsent(target.name().toLowerCase(Locale.ROOT), target.name());
                }
                problems.get(i).addAll(own);
            }
            if (!names.isEmpty()) {
                try {
                    processes = machine.processes(new ArrayList<>(names.values()));
                } catch (SessionException e) {
                    processesProblem = problem("listing the processes", e);
                }
            }
            List<Detection> detections = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                detections.add(detectOne(targets.get(i), paths[i], problems.get(i)));
            }
            return withWindowTitles(detections);
        }

        /** The detections with each locker's window title, from one windowTitles call. */
        private List<Detection> withWindowTitles(List<Detection> detections) {
            Set<Long> pids = new LinkedHashSet<>();
            for (Detection d : detections) {
                for (Locker locker : d.lockers()) {
                    pids.add(locker.pid());
                }
                for (Locker locker : d.loadedNotLocked()) {
                    pids.add(locker.pid());
                }
            }
            if (pids.isEmpty()) {
                return detections;
            }
            Map<Long, String> titles = new HashMap<>();
            String failure = null;
            try {
                for (WindowTitle window : machine.windowTitles(new ArrayList<>(pids))) {
                    titles.putIfAbsent(window.pid(), window.title());
                }
            } catch (SessionException e) {
                failure = problem("reading the lockers' window titles", e);
            }
            List<Detection> result = new ArrayList<>();
            for (Detection d : detections) {
                List<String> problems = new ArrayList<>(d.problems());
                if (failure != null && (!d.lockers().isEmpty() || !d.loadedNotLocked().isEmpty())) {
                    problems.add(failure);
                }
                result.add(new Detection(d.target(), d.path(), d.identity(), d.probe(), d.verdict(), titled(d.lockers(), titles),
                        titled(d.loadedNotLocked(), titles), d.unscanned(), problems));
            }
            return result;
        }

        private Detection detectOne(Target target, String path, List<String> problemList) {
            Set<String> problems = new LinkedHashSet<>(problemList);
            FileIdentity identity = path == null ? null : identity(path, problems);
            if (path == null || identity == null && !identifyProblems.containsKey(path)) {
                // no folder: nothing to ask about; no file: nothing can hold it
                return new Detection(target, path, null, null, path == null ? Detection.Verdict.UNKNOWN : Detection.Verdict.ABSENT,
                        List.of(), List.of(), List.of(), new ArrayList<>(problems));
            }
            if (processesProblem != null) {
                problems.add(processesProblem);
            }
            Map<Long, Locker> holders = new LinkedHashMap<>();
            Map<Long, UnscannedProcess> unscanned = new LinkedHashMap<>();
            for (ProcessModules process : processes) {
                if (holds(process, target, identity, problems)) {
                    holders.putIfAbsent(process.pid(), locker(process, problems));
                } else if (process.error() != null) {
                    String image = process.imagePath() == null ? "" : process.imagePath();
                    unscanned.putIfAbsent(process.pid(), new UnscannedProcess(process.pid(), image, process.error()));
                }
            }
            if (identity != null) {
                for (RmProcess user : restartManagerUsers(path, problems)) {
                    holders.putIfAbsent(user.pid(), rmLocker(user, problems));
                }
            }
            for (Long pid : holders.keySet()) {
                unscanned.remove(pid);
            }
            List<Locker> found = new ArrayList<>(holders.values());
            found.sort(BY_PID_THEN_IMAGE);
            List<UnscannedProcess> unscannedList = new ArrayList<>(unscanned.values());
            unscannedList.sort(new Orders.UnscannedOrder());

            OpenProbe probe = null;
            try {
                probe = machine.openExclusive(path);
            } catch (SessionException e) {
                problems.add(problem("probing " + path, e));
            }
            Detection.Verdict verdict = verdict(probe);
            boolean held = verdict == Detection.Verdict.LOCKED || verdict == Detection.Verdict.UNKNOWN;
            return new Detection(target, path, identity, probe, verdict, held ? found : List.of(), held ? List.of() : found,
                    unscannedList, new ArrayList<>(problems));
        }

        /** Whether the process's modules (or its image, when it has the target's name) are the target's file. */
        private boolean holds(ProcessModules process, Target target, FileIdentity identity, Set<String> problems) {
            if (identity == null) {
                return false;   // the target could not be identified: no module can be matched to it
            }
            List<String> candidates = new ArrayList<>(process.modules());
            String image = process.imagePath() == null ? "" : process.imagePath();
            if (fileName(image).equalsIgnoreCase(target.name())) {
                candidates.add(image);
            }
            for (String candidate : candidates) {
                if (fileName(candidate).equalsIgnoreCase(target.name()) && identity.sameFileAs(identity(candidate, problems))) {
                    return true;
                }
            }
            return false;
        }

        private Locker locker(ProcessModules process, Set<String> problems) {
            String image = process.imagePath() == null ? "" : process.imagePath();
            List<Service> hosted = new ArrayList<>(services(problems).getOrDefault(process.pid(), List.of()));
            hosted.sort(BY_SHORT_NAME);
            Locker.Kind kind = critical(process.pid(), image, problems) ? Locker.Kind.CRITICAL
                    : hosted.isEmpty() ? Locker.Kind.APPLICATION : Locker.Kind.SERVICE;
            return new Locker(process.pid(), image, kind, hosted);
        }

        /**
         * The processes Restart Manager says use the file at {@code path}, in a session of its own;
         * empty when a call failed (noted in problems). The session is always ended.
         */
        private List<RmProcess> restartManagerUsers(String path, Set<String> problems) {
            RmSession session;
            try {
                session = machine.rmStart();
            } catch (SessionException e) {
                problems.add(problem("starting a Restart Manager session", e));
                return List.of();
            }
            try {
                machine.rmRegister(session, List.of(path), List.of());
                RmList list = machine.rmGetList(session);
                if (list.rebootReasons() != 0) {
                    problems.add("Restart Manager: RmGetList reboot reasons " + list.rebootReasons() + " (" + list.rebootReasonsInWords() + ")");
                }
                return list.processes();
            } catch (SessionException e) {
                problems.add(problem("asking Restart Manager about " + path, e));
                return List.of();
            } finally {
                try {
                    machine.rmEnd(session);
                } catch (SessionException e) {
                    problems.add(problem("ending the Restart Manager session", e));
                }
            }
        }

        /** A locker Restart Manager named: its image from the process list, its services, its application name as title if windowed. */
        private Locker rmLocker(RmProcess user, Set<String> problems) {
            String image = "";
            for (ProcessModules process : processes) {
                if (process.pid() == user.pid() && process.imagePath() != null) {
                    image = process.imagePath();
                }
            }
            List<Service> hosted = new ArrayList<>(services(problems).getOrDefault(user.pid(), List.of()));
            if (hosted.isEmpty() && !user.serviceShortName().isEmpty()) {
                Service known = servicesByName.get(user.serviceShortName().toLowerCase(Locale.ROOT));
                hosted.add(known != null ? known : new Service(user.serviceShortName(), user.serviceShortName(), user.pid()));
            }
            hosted.sort(BY_SHORT_NAME);
            Locker.Kind kind = user.applicationType() == RmProcess.RM_CRITICAL || critical(user.pid(), image, problems) ? Locker.Kind.CRITICAL
                    : hosted.isEmpty() ? Locker.Kind.APPLICATION : Locker.Kind.SERVICE;
            boolean windowed = user.applicationType() == RmProcess.RM_MAIN_WINDOW || user.applicationType() == RmProcess.RM_OTHER_WINDOW;
            return new Locker(user.pid(), image, kind, hosted, windowed ? user.appName() : "");
        }

        private boolean critical(long pid, String image, Set<String> problems) {
            if (pid == SYSTEM_PID) {
                return true;
            }
            if (!CRITICAL_IMAGES.contains(fileName(image).toLowerCase(Locale.ROOT))) {
                return false;
            }
            String windows = folder(KnownFolder.Windows);
            if (windows == null) {
                problems.add(folderProblems.get(KnownFolder.Windows));
                return false;
            }
            String prefix = stripPrefix(windows).toLowerCase(Locale.ROOT);
            prefix = prefix.endsWith("\\") ? prefix : prefix + "\\";
            return stripPrefix(image).toLowerCase(Locale.ROOT).startsWith(prefix);
        }

        private Map<Long, List<Service>> services(Set<String> problems) {
            if (servicesByPid == null) {
                servicesByPid = new HashMap<>();
                try {
                    for (Service service : machine.services()) {
                        if (service.pid() != 0) {
                            List<Service> hosted = servicesByPid.get(service.pid());
                            if (hosted == null) {
                                hosted = new ArrayList<>();
                                servicesByPid.put(service.pid(), hosted);
                            }
                            hosted.add(service);
                        }
                        servicesByName.put(service.shortName().toLowerCase(Locale.ROOT), service);
                    }
                } catch (SessionException e) {
                    servicesProblem = problem("listing the services", e);
                }
            }
            if (servicesProblem != null) {
                problems.add(servicesProblem);
            }
            return servicesByPid;
        }

        private String folder(KnownFolder folder) {
            if (!folders.containsKey(folder) && !folderProblems.containsKey(folder)) {
                try {
                    folders.put(folder, machine.knownFolder(folder));
                } catch (SessionException e) {
                    folderProblems.put(folder, problem("resolving the known folder " + folder.name(), e));
                }
            }
            return folders.get(folder);
        }

        /** The identity at a path, asked once per path; null when absent or when identify failed (noted in problems). */
        private FileIdentity identity(String path, Set<String> problems) {
            if (!identities.containsKey(path) && !identifyProblems.containsKey(path)) {
                try {
                    identities.put(path, machine.identify(path));
                } catch (SessionException e) {
                    identifyProblems.put(path, problem("identifying " + path, e));
                }
            }
            if (identifyProblems.containsKey(path)) {
                problems.add(identifyProblems.get(path));
                return null;
            }
            return identities.get(path).orElse(null);
        }
    }

    private static List<Locker> titled(List<Locker> lockers, Map<Long, String> titles) {
        List<Locker> result = new ArrayList<>();
        for (Locker locker : lockers) {
            String title = titles.get(locker.pid());
            result.add(title == null ? locker : locker.withWindowTitle(title));
        }
        return result;
    }

    private static Detection.Verdict verdict(OpenProbe probe) {
        if (probe == null) {
            return Detection.Verdict.UNKNOWN;
        }
        return switch (probe.result()) {
            case SHARING_VIOLATION -> Detection.Verdict.LOCKED;
            case FREE -> Detection.Verdict.FREE;
            case NOT_FOUND -> Detection.Verdict.ABSENT;
            case ACCESS_DENIED, NOT_A_FILE, OTHER -> Detection.Verdict.UNKNOWN;
        };
    }

    /** "listing the services: EnumServicesStatusExW error 5" */
    static String problem(String step, SessionException e) {
        if (e.api() == null || e.api().isEmpty()) {
            return step + ": " + e.getMessage();
        }
        return step + ": " + e.api() + " error " + e.win32Error();
    }

    static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
        return path.substring(slash + 1);
    }

    private static String stripPrefix(String path) {
        if (path.startsWith("\\\\?\\") || path.startsWith("\\??\\")) {
            return path.substring(4);
        }
        return path;
    }
}
