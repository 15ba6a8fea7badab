package io.inuse.engine.replace;

import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * This product's own entries in PendingFileRenameOperations and ...2, found and removed by the exact
 * strings a QUEUED line of the journal recorded (docs/pending-renames.md): everyone else's entries
 * stay byte for byte. Used by the rollback ({@link Undo}) and by an install that supersedes an
 * earlier install's queued replacement ({@link Replacer}).
 */
final class PendingEdit {
    private static final int REG_MULTI_SZ = RegValue.REG_MULTI_SZ;
    private static final int EDIT_ATTEMPTS = 3;

    private PendingEdit() {
    }

    /** Why no boot-time move may be appended to PendingFileRenameOperations now, if there is a reason ({@link PendingRenames#appendProblem}). */
    static Optional<String> appendProblem(Machine machine) {
        return PendingRenames.appendProblem(machine.regRead(RegRoot.HKLM, PendingRenames.KEY, PendingRenames.VALUE));
    }

    /** Whether the entry with these exact strings is in either value (a value that cannot be read holds none). */
    static boolean isPending(Machine machine, String source, String destination) {
        return isPending(readBoth(machine), source, destination);
    }

    /** Both values as decoded now, the ones that are absent, not REG_MULTI_SZ or damaged left out (they hold none of ours). */
    static List<PendingRenames> readBoth(Machine machine) {
        List<PendingRenames> values = new ArrayList<>();
        for (String name : new String[] {PendingRenames.VALUE, PendingRenames.VALUE_2}) {
            Optional<RegValue> value = machine.regRead(RegRoot.HKLM, PendingRenames.KEY, name);
            if (value.isEmpty() || value.get().type() != REG_MULTI_SZ) {
                continue;
            }
            try {
                values.add(PendingRenames.decode(name, value.get().data()));
            } catch (PendingRenamesException e) {
                // a damaged value: its entries cannot be told apart, and it is never edited
            }
        }
        return values;
    }

    /** Whether the entry with these exact strings is in one of the values read by {@link #readBoth}. */
    static boolean isPending(List<PendingRenames> values, String source, String destination) {
        Ours ours = new Ours(source, destination);
        for (PendingRenames value : values) {
            if (value.withoutEntries(ours).isChanged()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Removes the entry from one value; what was done, in words, or null when the value is absent or
     * holds none. The value is read again right before it is written: when its bytes changed since they
     * were decoded, the edit starts over, {@value #EDIT_ATTEMPTS} times at most.
     */
    static String remove(Machine machine, String name, String source, String destination, Replacer.Log log, String prefix) {
        Ours ours = new Ours(source, destination);
        for (int attempt = 1; attempt <= EDIT_ATTEMPTS; attempt++) {
            Optional<RegValue> value = machine.regRead(RegRoot.HKLM, PendingRenames.KEY, name);
            if (value.isEmpty()) {
                return null;
            }
            if (value.get().type() != REG_MULTI_SZ) {
                return name + " is not REG_MULTI_SZ (type " + value.get().type() + "): left as it is";
            }
            PendingRenames without;
            try {
                without = PendingRenames.decode(name, value.get().data()).withoutEntries(ours);
            } catch (PendingRenamesException e) {
                return e.getMessage() + ": left as it is";
            }
            if (!without.isChanged()) {
                return null;
            }
            Optional<RegValue> again = machine.regRead(RegRoot.HKLM, PendingRenames.KEY, name);
            if (again.isEmpty() || again.get().type() != REG_MULTI_SZ || !Arrays.equals(again.get().data(), value.get().data())) {
                log.line(prefix + name + " changed while it was edited; reading it again");
                continue;
            }
            if (without.isEmpty()) {
                machine.regDeleteValue(RegRoot.HKLM, PendingRenames.KEY, name);
            } else {
                machine.regWrite(RegRoot.HKLM, PendingRenames.KEY, name, new RegValue(REG_MULTI_SZ, without.encode()));
            }
            return "removed " + ours + " from " + name;
        }
        return name + " changed each of the " + EDIT_ATTEMPTS + " times it was edited: left as it is, so " + ours
                + " may still be pending (its temporary file is deleted, so it does nothing)";
    }

    /**
     * Matches the entry a QUEUED line wrote, on its paths: the source, and the destination with its
     * {@code !} (or a delete), whatever marker ({@code *1}) Windows put in front. A class, not a lambda
     * (start-up path).
     */
    private static final class Ours implements Predicate<PendingRename> {
        private final String source;
        private final String destination;
        private final boolean delete;
        private final boolean replaceExisting;

        Ours(String source, String destinationText) {
            this.source = source;
            this.delete = destinationText.isEmpty();
            this.replaceExisting = destinationText.startsWith("!");
            this.destination = replaceExisting ? destinationText.substring(1) : destinationText;
        }

        @Override
        public boolean test(PendingRename entry) {
            if (!entry.sourceIs(source)) {
                return false;
            }
            return delete ? entry.isDelete() : entry.destinationIs(destination) && entry.replaceExisting() == replaceExisting;
        }

        @Override
        public String toString() {
            return source + " -> " + (delete ? "(delete)" : (replaceExisting ? "!" : "") + destination);
        }
    }
}
