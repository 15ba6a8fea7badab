package io.inuse.engine.machine;

import java.util.List;

/**
 * SERVICE_QUERY's answer: a service's state, its process id (0 when it has no process), and the names of
 * the active services that depend on it, in the order Windows gives them (EnumDependentServicesW: the
 * order in which they must be stopped).
 */
public record ServiceState(int state, long pid, List<String> dependents) {
    /** winsvc.h: SERVICE_STOPPED, SERVICE_RUNNING. */
    public static final int STOPPED = 1;
    public static final int RUNNING = 4;

    public ServiceState {
        dependents = List.copyOf(dependents);
    }
}
