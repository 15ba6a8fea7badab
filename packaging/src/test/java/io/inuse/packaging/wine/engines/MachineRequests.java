package io.inuse.packaging.wine.engines;

import io.inuse.engine.Main;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import io.inuse.engine.machine.BrokerMachine;
import io.inuse.engine.machine.FileIdentity;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.ProcessModules;
import io.inuse.engine.machine.RmList;
import io.inuse.engine.machine.RmSession;
import io.inuse.engine.machine.Service;
import io.inuse.engine.protocol.Ops;
import io.inuse.engine.session.BrokerSession;
import io.inuse.engine.session.Session;
import io.inuse.engine.session.SessionException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A test engine for MachineRequestsIT: in the immediate action, calls every machine request of the
 * broker (docs/protocol.md, ops 11..15) through BrokerMachine and logs what it got, one line each
 * ("machine ..."); bad arguments are sent raw and their refusals logged. The deferred action asks
 * two of them too (Windows does not restrict them there). Then the real probes, so the install
 * succeeds. INUSE_TEST_SHORT, when set, is an 8.3 spelling of the folder System in the ProgramFilesCommon known folder.
 * INUSE_TEST_LOCKER, when set, is the pid of a locker process (WINDOW_TITLES is asked for it).
 * WINDOW_TITLES and the Restart Manager requests (ops 16..21) are asked too, except RM_JOIN: Wine
 * 8's RmJoinSession aborts the calling process (msiexec), and the broker's refusal under Wine is not
 * what this test is for.
 */
public final class MachineRequests {
    static final String DLL = "C:\\windows\\system32\\MAPI32.DLL";

    private MachineRequests() {
    }

    public static void main(String[] args) {
        boolean deferred = args[args.length - 1].equals(Probe.DEFERRED);
        System.exit(Main.serve(session -> {
            Machine machine = new BrokerMachine((BrokerSession) session);
            if (deferred) {
                session.log("machine deferred known folder System = " + machine.knownFolder(KnownFolder.System)
                        + "; open-exclusive C:\\windows\\win.ini = " + machine.openExclusive("C:\\windows\\win.ini"));
                new ProbeDeferred().run(session);
                return;
            }
            immediate(session, machine);
            new Probe().run(session);
        }, System.in, new FileOutputStream(FileDescriptor.out), System.err));
    }

    private static void immediate(Session session, Machine machine) {
        for (KnownFolder folder : KnownFolder.values()) {
            attempt(session, "known folder " + folder, () -> machine.knownFolder(folder));
        }
        BrokerSession raw = (BrokerSession) session;
        attempt(session, "known folder Desktop", () -> raw.request(Ops.KNOWN_FOLDER, "Desktop"));

        List<String> spellings = List.of(DLL, DLL.toLowerCase(), "\\\\?\\" + DLL, "\\??\\" + DLL);
        Optional<FileIdentity> first = machine.identify(DLL);
        boolean equal = first.isPresent();
        for (String path : spellings) {
            Optional<FileIdentity> id = machine.identify(path);
            session.log("machine identity " + path + " = " + id.map(MachineRequests::describe).orElse("absent"));
            equal &= id.isPresent() && id.get().sameFileAs(first.get()) && id.get().equals(first.get());
        }
        session.log("machine identity spellings of " + DLL + " equal: " + equal);
        String shortPath = session.property("INUSE_TEST_SHORT");
        if (!shortPath.isEmpty()) {
            String programFiles = machine.knownFolder(KnownFolder.ProgramFilesCommon) + "\\System";
            Optional<FileIdentity> longId = machine.identify(programFiles);
            Optional<FileIdentity> shortId = machine.identify(shortPath);
            session.log("machine identity short " + shortPath + " = " + shortId.map(MachineRequests::describe).orElse("absent")
                    + "; " + programFiles + " = " + longId.map(MachineRequests::describe).orElse("absent") + "; same file: "
                    + (longId.isPresent() && longId.get().sameFileAs(shortId.orElse(null))));
        }
        session.log("machine identity C:\\windows\\system32\\no-such.dll = "
                + machine.identify("C:\\windows\\system32\\no-such.dll").map(MachineRequests::describe).orElse("absent"));
        session.log("machine identity C:\\no-such-folder\\x.dll = "
                + machine.identify("C:\\no-such-folder\\x.dll").map(MachineRequests::describe).orElse("absent"));
        attempt(session, "identity of an empty path", () -> raw.request(Ops.FILE_IDENTITY, ""));

        for (String path : List.of("C:\\windows\\win.ini", DLL, "C:\\windows\\system32\\no-such.dll", "C:\\no-such-folder\\x.dll",
                "C:\\windows", "\\??\\" + DLL)) {
            session.log("machine open-exclusive " + path + " = " + machine.openExclusive(path));
        }

        List<ProcessModules> processes = machine.processes(List.of("MAPI32.DLL"));
        for (ProcessModules p : processes) {
            session.log("machine process " + p.pid() + " image=" + p.imagePath() + " error=" + p.error() + " modules=" + p.modules());
        }
        session.log("machine processes: " + processes.size());
        attempt(session, "processes of no names", () -> machine.processes(List.of()));
        attempt(session, "processes of a path", () -> machine.processes(List.of("C:\\windows\\system32\\MAPI32.DLL")));
        attempt(session, "processes of an empty name", () -> machine.processes(List.of("")));

        List<Service> services = machine.services();
        for (Service s : services) {
            session.log("machine service " + s.shortName() + " (" + s.displayName() + ") pid=" + s.pid());
        }
        session.log("machine services: " + services.size());
        attempt(session, "services with an argument", () -> raw.request(Ops.SERVICES, "x"));
        windowsAndRestartManager(session, machine, raw, processes);
    }

    private static void windowsAndRestartManager(Session session, Machine machine, BrokerSession raw, List<ProcessModules> processes) {
        String locker = session.property("INUSE_TEST_LOCKER");
        if (!locker.isEmpty()) {
            session.log("machine windows of the locker " + locker + " = " + machine.windowTitles(List.of(Long.parseLong(locker))));
        }
        List<Long> all = new ArrayList<>();
        for (ProcessModules p : processes) {
            all.add(p.pid());
        }
        session.log("machine windows of all " + all.size() + " processes = " + machine.windowTitles(all));
        session.log("machine windows of no process = " + machine.windowTitles(List.of()));
        List<Object> tooMany = new ArrayList<>();
        for (long pid = 1; pid <= 1025; pid++) {
            tooMany.add(pid);
        }
        attempt(session, "windows of 1025 pids", () -> raw.request(Ops.WINDOW_TITLES, tooMany));
        attempt(session, "windows of a string", () -> raw.request(Ops.WINDOW_TITLES, List.of("1")));

        RmSession rm = machine.rmStart();
        session.log("machine rm start handle=" + rm.handle() + " key=[" + rm.key() + "]");
        machine.rmRegister(rm, List.of(DLL), List.of());
        session.log("machine rm register " + DLL + ": ok");
        RmList list = machine.rmGetList(rm);
        session.log("machine rm list = " + list);
        long bad = rm.handle() + 1000;
        attempt(session, "rm list of a handle not handed out", () -> raw.request(Ops.RM_GET_LIST, bad));
        attempt(session, "rm register of a handle not handed out", () -> raw.request(Ops.RM_REGISTER, bad, List.of(DLL), List.of()));
        attempt(session, "rm end of a handle not handed out", () -> raw.request(Ops.RM_END, bad));
        attempt(session, "rm register of an empty path", () -> raw.request(Ops.RM_REGISTER, rm.handle(), List.of(""), List.of()));
        attempt(session, "rm start with an argument", () -> raw.request(Ops.RM_START, 1L));
        machine.rmEnd(rm);
        session.log("machine rm end: ok");
        attempt(session, "rm list after its end", () -> raw.request(Ops.RM_GET_LIST, rm.handle()));
        // left open on purpose: the broker ends it when the action ends (rm_end_all)
        RmSession open = machine.rmStart();
        session.log("machine rm left open handle=" + open.handle());
    }

    private static String describe(FileIdentity id) {
        return id.longPath() + " volume=" + Long.toHexString(id.volumeSerial()) + " index=" + Long.toHexString(id.fileIndex());
    }

    private static void attempt(Session session, String what, Supplier<Object> call) {
        try {
            session.log("machine " + what + " = " + call.get());
        } catch (SessionException e) {
            session.log("machine " + what + ": refused: " + e.win32Error() + " " + e.api() + ": " + e.getMessage());
        }
    }
}
