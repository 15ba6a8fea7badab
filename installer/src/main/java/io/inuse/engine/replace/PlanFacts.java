package io.inuse.engine.replace;

import io.inuse.engine.detect.Detection.Verdict;
import io.inuse.engine.detect.Locker;
import io.inuse.engine.detect.Target;
import java.util.List;

/**
 * Everything {@link Plan} needs to know about one target, gathered before anything changes. Plain
 * values: whoever gathers them (the broker's reads, the detector, the journal) is not the plan's
 * business, so the plan is tested on facts alone.
 *
 * @param target       the target from the package's built-in list
 * @param path         its full path, resolved from its known folder
 * @param existing     what is at {@code path} now (read with the PE reader)
 * @param stagedPath   full path of the package's new file in the product's staging folder
 * @param staged       what is at {@code stagedPath}
 * @param remote       true when the broker reports {@code path} on a network drive or share; a UNC
 *                     path counts as remote whatever this says
 * @param protectedByWrp true when Windows Resource Protection protects {@code path} (SfcIsFileProtected)
 * @param verdict      the detector's verdict on {@code path}
 * @param lockers      the processes the detector names as holding it (may be empty while LOCKED)
 * @param backup       what is at this target's backup path in the product's folder (ABSENT: no backup yet)
 * @param targetIsOurs true when the file at {@code path} is one this product put there (any version
 *                     of it), as the caller establishes from the journal and the file's bytes
 */
public record PlanFacts(Target target, String path, FileState existing, String stagedPath, FileState staged,
        boolean remote, boolean protectedByWrp, Verdict verdict, List<Locker> lockers, FileState backup,
        boolean targetIsOurs) {

    public PlanFacts {
        if (target == null || existing == null || staged == null || verdict == null || lockers == null || backup == null) {
            throw new IllegalArgumentException("the facts of a target need the target, the file states, the verdict and the lockers");
        }
        if (path == null || path.isEmpty() || stagedPath == null || stagedPath.isEmpty()) {
            throw new IllegalArgumentException("the facts of " + target + " need its path and the staged file's path");
        }
        if (targetIsOurs && !existing.exists()) {
            throw new IllegalArgumentException("the facts of " + target + " say the file in place is this product's own, but "
                    + path + " is absent");
        }
        lockers = List.copyOf(lockers);
    }
}
