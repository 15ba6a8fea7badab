package io.inuse.engine.replace;

import io.inuse.engine.detect.Detection;
import io.inuse.engine.detect.Locker;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.Service;
import io.inuse.engine.machine.ServiceState;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code INUSE_WHEN_LOCKED=stopservices} (issue 16): the services that hold a target are stopped, the
 * file replaced, and the services started again. Only when every process holding a target hosts
 * services (an application, or a critical process, is never stopped: the file is then replaced at the
 * next reboot). Nothing is killed: a service is asked to stop (SERVICE_CONTROL_STOP) and waited for;
 * one that does not stop in time ends the attempt, and those stopped already are started again.
 *
 * <p>The order: each service's active dependents first, in the order Windows lists them (the order in
 * which they must be stopped), then the service itself; no service twice. They are started again in
 * the reverse order: a service before those that depend on it.
 */
public final class ServiceStop {
    /** How long a service may take to stop or start. */
    static final int WAIT_MS = 30_000;

    private final Machine machine;
    private final Replacer.Log log;

    public ServiceStop(Machine machine, Replacer.Log log) {
        this.machine = machine;
        this.log = log;
    }

    /**
     * The services to stop so that the held targets are free, in stop order; empty, with a log line, when a
     * process holding one is not a service host (or a target is held by a process no one could name).
     */
    public Optional<List<String>> stopOrder(List<Detection> detections) {
        Set<String> order = new LinkedHashSet<>();
        for (Detection d : detections) {
            if (d.verdict() != Detection.Verdict.LOCKED) {
                continue;
            }
            if (d.lockers().isEmpty()) {
                log.line(d.path() + " is held by a process that could not be named: no service is stopped; it is replaced at the next"
                        + " reboot");
                return Optional.empty();
            }
            for (Locker locker : d.lockers()) {
                if (locker.kind() != Locker.Kind.SERVICE) {
                    log.line(d.path() + " is held by " + locker.imageName() + " (pid " + locker.pid() + ", " + locker.kind().name()
                            .toLowerCase(java.util.Locale.ROOT) + "), which is not a service: nothing is stopped (INUSE_WHEN_LOCKED="
                            + "stopservices stops services only, and nothing is ever killed); it is replaced at the next reboot");
                    return Optional.empty();
                }
                for (Service service : locker.services()) {
                    ServiceState state = machine.serviceQuery(service.shortName());
                    order.addAll(state.dependents());
                    order.add(service.shortName());
                }
            }
        }
        return Optional.of(new ArrayList<>(order));
    }

    /**
     * Stops the services in order; true when every one stopped. On the first that does not (it stays in
     * another state, or Windows refuses), those stopped already are started again and false is returned.
     */
    public boolean stop(List<String> order) {
        List<String> stopped = new ArrayList<>();
        for (String name : order) {
            int state;
            try {
                state = machine.serviceStop(name, WAIT_MS);
            } catch (SessionException e) {
                log.line("the service " + name + " cannot be stopped (" + e.api() + " error " + e.win32Error() + ")");
                state = -1;
            }
            if (state != ServiceState.STOPPED) {
                if (state >= 0) {
                    log.line("the service " + name + " did not stop within " + WAIT_MS / 1000 + " s (state " + state + "): nothing"
                            + " is killed; it is started again (once it has stopped) before those that depend on it");
                    // it was asked to stop and may still get there: started again first (SERVICE_START waits for a stop pending)
                    stopped.add(name);
                }
                start(stopped);
                return false;
            }
            log.line("stopped the service " + name);
            stopped.add(name);
        }
        return true;
    }

    /** Starts the services again, in the reverse of the stop order; a failure is logged and the next one started. */
    public void start(List<String> order) {
        for (int i = order.size() - 1; i >= 0; i--) {
            String name = order.get(i);
            try {
                int state = machine.serviceStart(name, WAIT_MS);
                log.line(state == ServiceState.RUNNING ? "started the service " + name + " again"
                        : "the service " + name + " was started again but is in state " + state + " after " + WAIT_MS / 1000 + " s");
            } catch (SessionException e) {
                log.line("the service " + name + " cannot be started again (" + e.api() + " error " + e.win32Error() + "): start it"
                        + " by hand (sc start " + name + ")");
            }
        }
    }
}
