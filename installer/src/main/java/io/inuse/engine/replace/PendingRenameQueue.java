package io.inuse.engine.replace;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * Everything queued for the next boot: {@code PendingFileRenameOperations}, then
 * {@code PendingFileRenameOperations2}, into which Windows continues when the first is full (Inno
 * Setup reads both, in that order). Edits apply to both values; each value is written, or deleted
 * when empty, only when it {@link PendingRenames#isChanged() changed}.
 */
public final class PendingRenameQueue {
    private final PendingRenames first;
    private final PendingRenames second;

    private PendingRenameQueue(PendingRenames first, PendingRenames second) {
        this.first = first;
        this.second = second;
    }

    /** The queue of the two values as read; the values must be {@link PendingRenames#VALUE} and {@link PendingRenames#VALUE_2}. */
    public static PendingRenameQueue of(PendingRenames first, PendingRenames second) {
        if (!first.valueName().equals(PendingRenames.VALUE) || !second.valueName().equals(PendingRenames.VALUE_2)) {
            throw new IllegalArgumentException("the queue is " + PendingRenames.VALUE + " then " + PendingRenames.VALUE_2
                    + ", not " + first.valueName() + " then " + second.valueName());
        }
        return new PendingRenameQueue(first, second);
    }

    /**
     * Decodes both values; null stands for a value that does not exist.
     *
     * @throws PendingRenamesException when either is corrupt: nothing of the queue can be edited then
     */
    public static PendingRenameQueue decode(byte[] first, byte[] second) throws PendingRenamesException {
        return new PendingRenameQueue(PendingRenames.decode(PendingRenames.VALUE, first),
                PendingRenames.decode(PendingRenames.VALUE_2, second));
    }

    /** {@code PendingFileRenameOperations}. */
    public PendingRenames first() {
        return first;
    }

    /** {@code PendingFileRenameOperations2}. */
    public PendingRenames second() {
        return second;
    }

    /** Every entry in the order Windows performs them: the first value's, then the second's. */
    public List<PendingRename> entries() {
        List<PendingRename> all = new ArrayList<>(first.entries().size() + second.entries().size());
        all.addAll(first.entries());
        all.addAll(second.entries());
        return Collections.unmodifiableList(all);
    }

    public boolean isEmpty() {
        return first.isEmpty() && second.isEmpty();
    }

    /** The queue without the entries {@code which} accepts, in either value. */
    public PendingRenameQueue withoutEntries(Predicate<? super PendingRename> which) {
        return new PendingRenameQueue(first.withoutEntries(which), second.withoutEntries(which));
    }

    /** The queue without the entries whose source is one of {@code paths} ({@link PendingRenames#withoutSources}). */
    public PendingRenameQueue withoutSources(Collection<String> paths) {
        return new PendingRenameQueue(first.withoutSources(paths), second.withoutSources(paths));
    }

    /**
     * The queue with {@code entry} last: appended to the second value when that holds entries (so
     * that it still runs after everything queued before it), else to the first, as MoveFileEx does.
     */
    public PendingRenameQueue plus(PendingRename entry) {
        if (second.isEmpty()) {
            return new PendingRenameQueue(first.plus(entry), second);
        }
        return new PendingRenameQueue(first, second.plus(entry));
    }

    @Override
    public String toString() {
        return first + "; " + second;
    }
}
