package io.inuse.engine.machine;

import java.util.List;

/**
 * What {@code RmGetList} answered: the {@code RM_REBOOT_REASON} flags (0 none, 1 permission denied,
 * 2 session mismatch, 4 critical process, 8 critical service, 16 detected self) and the processes
 * using the registered resources. An empty list proves nothing: Wine's Restart Manager always
 * answers none, and Windows knows only what was registered.
 */
public record RmList(long rebootReasons, List<RmProcess> processes) {
    public RmList {
        processes = List.copyOf(processes);
    }
}
