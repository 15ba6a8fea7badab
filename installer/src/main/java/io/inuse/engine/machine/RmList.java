package io.inuse.engine.machine;

import java.util.List;

/**
 * What {@code RmGetList} answered: the {@code RM_REBOOT_REASON} flags (0 none, 1 permission denied,
 * 2 session mismatch, 4 critical process, 8 critical service, 16 detected self) and the processes
 * using the registered resources. An empty list proves nothing: Wine's Restart Manager always
 * answers none, and Windows knows only what was registered.
 */
public record RmList(long rebootReasons, List<RmProcess> processes) {
    private static final String[] REASONS = {"permission denied", "session mismatch", "critical process", "critical service", "detected self"};

    public RmList {
        processes = List.copyOf(processes);
    }

    /** The reboot reasons in words, for example "permission denied, critical process"; unknown bits in hex. */
    public String rebootReasonsInWords() {
        StringBuilder text = new StringBuilder();
        for (int bit = 0; bit < REASONS.length; bit++) {
            if ((rebootReasons & (1L << bit)) != 0) {
                text.append(text.length() == 0 ? "" : ", ").append(REASONS[bit]);
            }
        }
        long unknown = rebootReasons & ~((1L << REASONS.length) - 1);
        if (unknown != 0) {
            text.append(text.length() == 0 ? "" : ", ").append("unknown 0x").append(Long.toHexString(unknown));
        }
        return text.toString();
    }
}
