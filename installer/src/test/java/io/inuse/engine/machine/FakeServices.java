package io.inuse.engine.machine;

import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The fake machine's service control (SERVICE_QUERY, SERVICE_STOP, SERVICE_START): a running service is
 * one in {@link FakeMachine#services}; stopping it removes it (and its process) and frees the file it
 * holds ({@link #holds}); starting it puts both back and holds the file again. Every stop and start is
 * recorded in {@link #events}, in order.
 */
public final class FakeServices {
    /** service short name → the file its process has loaded (held while it runs) */
    public final Map<String, String> holds = new HashMap<>();
    /** service short name → the services that depend on it, in the order Windows would list them */
    public final Map<String, List<String>> dependents = new HashMap<>();
    /** services that do not stop when asked (they stay in SERVICE_STOP_PENDING) */
    public final Set<String> wontStop = new HashSet<>();
    /** "stop NAME" and "start NAME", in order */
    public final List<String> events = new ArrayList<>();
    private final Map<String, Service> stopped = new HashMap<>();
    private final Map<String, FakeMachine.FakeProcess> stoppedProcesses = new HashMap<>();
    private final FakeMachine machine;

    FakeServices(FakeMachine machine) {
        this.machine = machine;
    }

    ServiceState query(String name) {
        Service running = running(name);
        if (running == null && !stopped.containsKey(name)) {
            throw new SessionException("SERVICE_QUERY", 1060, "OpenServiceW", "cannot open the service: OpenServiceW error 1060");
        }
        List<String> active = new ArrayList<>();
        for (String dependent : dependents.getOrDefault(name, List.of())) {
            if (running(dependent) != null) {
                active.add(dependent);
            }
        }
        return new ServiceState(running == null ? ServiceState.STOPPED : ServiceState.RUNNING, running == null ? 0 : running.pid(), active);
    }

    int stop(String name) {
        events.add("stop " + name);
        Service running = running(name);
        if (running == null) {
            if (stopped.containsKey(name)) {
                return ServiceState.STOPPED;
            }
            throw new SessionException("SERVICE_STOP", 1060, "OpenServiceW", "cannot open the service: OpenServiceW error 1060");
        }
        if (wontStop.contains(name)) {
            return 3;   // SERVICE_STOP_PENDING
        }
        machine.services.remove(running);
        stopped.put(name, running);
        for (FakeMachine.FakeProcess p : new ArrayList<>(machine.processes)) {
            if (p.pid() == running.pid()) {
                machine.processes.remove(p);
                stoppedProcesses.put(name, p);
            }
        }
        if (holds.containsKey(name)) {
            machine.unlock(holds.get(name));
        }
        return ServiceState.STOPPED;
    }

    int start(String name) {
        events.add("start " + name);
        if (running(name) != null) {
            return ServiceState.RUNNING;
        }
        Service service = stopped.remove(name);
        if (service == null) {
            throw new SessionException("SERVICE_START", 1060, "OpenServiceW", "cannot open the service: OpenServiceW error 1060");
        }
        machine.services.add(service);
        FakeMachine.FakeProcess process = stoppedProcesses.remove(name);
        if (process != null) {
            machine.processes.add(process);
        }
        if (holds.containsKey(name)) {
            machine.lock(holds.get(name));
        }
        return ServiceState.RUNNING;
    }

    private Service running(String name) {
        for (Service s : machine.services) {
            if (s.shortName().equalsIgnoreCase(name)) {
                return s;
            }
        }
        return null;
    }
}
