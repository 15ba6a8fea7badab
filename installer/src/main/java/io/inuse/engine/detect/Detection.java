package io.inuse.engine.detect;

import io.inuse.engine.machine.FileIdentity;
import io.inuse.engine.machine.OpenProbe;
import java.util.List;

/**
 * What {@link Detector} found for one target.
 *
 * @param target          the target asked about
 * @param path            its full path ("" when its known folder could not be resolved)
 * @param identity        the file's identity, null when nothing exists at the path or it could not be identified
 * @param probe           the exclusive open's answer, null when it was not made (absent or unresolved target, or the call failed)
 * @param verdict         what the probe says, see {@link Verdict}
 * @param lockers         processes whose module lists show the file, when the verdict is LOCKED or UNKNOWN
 * @param loadedNotLocked processes whose module lists show the file while the probe opened it (FREE):
 *                        not lockers (Wine, for one, maps its built-in DLLs without holding the file)
 * @param unscanned       processes whose modules could not be read: none of them is proven to hold the file
 * @param problems        steps that failed, each naming the step, the API and the Win32 error; the other steps ran
 */
public record Detection(Target target, String path, FileIdentity identity, OpenProbe probe, Verdict verdict,
        List<Locker> lockers, List<Locker> loadedNotLocked, List<UnscannedProcess> unscanned, List<String> problems) {

    /** What the FilesInUse message shows when the probe finds the file held and no process names it. */
    public static final String UNNAMED_HOLDER = "held by a process that could not be named";

    /** The probe is the judge: module lists name holders, never decide whether the file is held. */
    public enum Verdict {
        /** the exclusive open met a sharing violation: somebody holds the file */
        LOCKED,
        /** the exclusive open succeeded: nobody holds it now */
        FREE,
        /** the probe could not tell (access denied, another error, the call failed) */
        UNKNOWN,
        /** nothing exists at the path: nothing can hold it */
        ABSENT
    }

    public Detection {
        path = path == null ? "" : path;
        lockers = List.copyOf(lockers);
        loadedNotLocked = List.copyOf(loadedNotLocked);
        unscanned = List.copyOf(unscanned);
        problems = List.copyOf(problems);
    }

    /** True when the file is held and no process could be named: a Restart Manager-style empty answer is no proof. */
    public boolean heldByUnnamedProcess() {
        return verdict == Verdict.LOCKED && lockers.isEmpty();
    }

    /** One line for the log, for example {@code "locked by upsmon.exe (pid 77)"} or {@code "free"}. */
    public String finding() {
        return switch (verdict) {
            case ABSENT -> "absent: nothing can hold it";
            case FREE -> loadedNotLocked.isEmpty() ? "free" : "free; loaded, not locked: " + names(loadedNotLocked);
            case LOCKED -> lockers.isEmpty()
                    ? "locked: " + UNNAMED_HOLDER + (unscanned.isEmpty() ? "" : " (" + unscanned.size() + " unscanned)")
                    : "locked by " + names(lockers);
            case UNKNOWN -> "unknown: " + (probe == null ? "not probed" : "the exclusive open failed with error " + probe.win32Error())
                    + (lockers.isEmpty() ? "" : "; loaded by " + names(lockers));
        };
    }

    private static String names(List<Locker> lockers) {
        StringBuilder text = new StringBuilder();
        for (Locker locker : lockers) {
            text.append(text.length() == 0 ? "" : ", ").append(locker.displayName());
        }
        return text.toString();
    }
}
