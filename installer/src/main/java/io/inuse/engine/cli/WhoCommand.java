package io.inuse.engine.cli;

import io.inuse.engine.detect.Detection;
import io.inuse.engine.detect.Detector;
import io.inuse.engine.detect.Locker;
import io.inuse.engine.detect.Target;
import io.inuse.engine.detect.UnscannedProcess;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.Service;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code inuse who <path>}: the custom actions' detector on any file: the exclusive-open probe decides whether
 * it is held, the processes' module lists and the services name who holds it (with each service and window
 * title). Exit 0 free, 1 held or not known, 66 no such file.
 */
final class WhoCommand {
    private final Machine machine;

    WhoCommand(Machine machine) {
        this.machine = machine;
    }

    Cli.Answer run(String path) {
        int slash = Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/'));
        String name = path.substring(slash + 1);
        Target target;
        try {
            target = new Target(KnownFolder.System, "", name);
        } catch (IllegalArgumentException e) {
            throw new Cli.Failure(Cli.USAGE, "'" + path + "' does not name a file: " + e.getMessage());
        }
        Detection d = new Detector(machine).detectFile(target, path);
        if (d.verdict() == Detection.Verdict.ABSENT) {
            throw new Cli.Failure(Cli.NO_INPUT, path + ": no such file. Give the full path of an existing file");
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("path", path);
        model.put("verdict", d.verdict().name().toLowerCase(java.util.Locale.ROOT));
        model.put("finding", d.finding());
        model.put("lockers", lockers(d.lockers()));
        model.put("loadedNotLocked", lockers(d.loadedNotLocked()));
        List<Object> unscanned = new ArrayList<>();
        for (UnscannedProcess u : d.unscanned()) {
            unscanned.add(u.describe());
        }
        model.put("unscanned", unscanned);
        model.put("problems", new ArrayList<Object>(d.problems()));
        List<String> text = new ArrayList<>();
        text.add(path + ": " + d.finding());
        for (Locker locker : d.lockers()) {
            text.add("  held by " + describe(locker));
        }
        for (Locker locker : d.loadedNotLocked()) {
            text.add("  loaded, not locked: " + describe(locker));
        }
        for (UnscannedProcess u : d.unscanned()) {
            text.add("  not scanned: " + u.describe());
        }
        for (String problem : d.problems()) {
            text.add("  problem: " + problem);
        }
        int code = d.verdict() == Detection.Verdict.FREE ? Cli.OK : Cli.ATTENTION;
        return new Cli.Answer(code, model, text);
    }

    private static String describe(Locker locker) {
        StringBuilder text = new StringBuilder("pid ").append(locker.pid()).append(' ').append(locker.imagePath());
        for (Service s : locker.services()) {
            text.append("; service ").append(s.describe());
        }
        if (locker.windowTitle() != null && !locker.windowTitle().isEmpty()) {
            text.append("; window \"").append(locker.windowTitle()).append('"');
        }
        return text.append(" [").append(locker.kind().name().toLowerCase(java.util.Locale.ROOT)).append(']').toString();
    }

    private static List<Object> lockers(List<Locker> lockers) {
        List<Object> list = new ArrayList<>();
        for (Locker locker : lockers) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("pid", locker.pid());
            l.put("image", locker.imagePath());
            l.put("name", locker.name());
            l.put("kind", locker.kind().name().toLowerCase(java.util.Locale.ROOT));
            List<Object> services = new ArrayList<>();
            for (Service s : locker.services()) {
                Map<String, Object> service = new LinkedHashMap<>();
                service.put("name", s.shortName());
                service.put("displayName", s.displayName());
                services.add(service);
            }
            l.put("services", services);
            l.put("windowTitle", locker.windowTitle());
            list.add(l);
        }
        return list;
    }
}
