package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.replace.PendingRename;
import io.inuse.engine.replace.PendingRenames;
import io.inuse.engine.replace.PendingRenamesException;
import io.inuse.engine.replace.Replacer;
import io.inuse.engine.session.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Asks Windows Installer for the reboot (3010) when, and only when, this product's replacement is
 * really pending (issue 15): immediate, after InstallFinalize, because Windows lets no deferred
 * action set a run mode. It reads PendingFileRenameOperations and ...2 (readable by every user, so
 * this works in an unelevated immediate action too) and looks for an entry of ours: a source
 * {@code <target>.inuse-<n>.tmp} (the name {@link Replacer} gives its temporary copy) whose
 * destination is that target. A value that is not REG_MULTI_SZ is logged and not read; a damaged one
 * (someone else's: MoveFileEx appends to it all the same) is logged, left as it is, and searched
 * string by string for an entry of ours, so that a queued replacement still ends with 3010.
 */
public final class RebootCheck implements CustomAction {
    private final Machine machine;
    private final List<Target> targets;

    public RebootCheck(Machine machine, List<Target> targets) {
        this.machine = machine;
        this.targets = List.copyOf(targets);
    }

    @Override
    public void run(Session session) {
        List<String> paths = new ArrayList<>();
        for (Target target : targets) {
            paths.add(target.pathIn(machine.knownFolder(target.folder())));
        }
        int ours = 0;
        for (String name : new String[] {PendingRenames.VALUE, PendingRenames.VALUE_2}) {
            Optional<RegValue> value = machine.regRead(RegRoot.HKLM, PendingRenames.KEY, name);
            if (value.isEmpty()) {
                continue;
            }
            if (value.get().type() != RegValue.REG_MULTI_SZ) {
                session.log(name + " is not REG_MULTI_SZ (type " + value.get().type() + "): not read");
                continue;
            }
            try {
                for (PendingRename entry : PendingRenames.decode(name, value.get().data()).entries()) {
                    ours += isOurs(entry, paths) ? 1 : 0;
                }
            } catch (PendingRenamesException e) {
                // the value is someone else's damage, but MoveFileEx appended our entry to it all the same:
                // look for ours in its strings, so a queued replacement still ends with 3010
                int found = 0;
                for (PendingRename entry : PendingRenames.scanDamaged(value.get().data())) {
                    found += isOurs(entry, paths) ? 1 : 0;
                }
                session.log(e.getMessage() + "; it is left as it is, and read string by string for this product's entries: "
                        + found + " found");
                ours += found;
            }
        }
        if (ours == 0) {
            session.log("nothing of this product is pending: no reboot asked for");
            return;
        }
        session.log(ours + " replacement(s) of this product pending: asking Windows Installer for a reboot at the end (3010)");
        session.requestReboot();
    }

    /**
     * A rename onto a target from {@code <target>.inuse-...} (the temporary copy {@link Replacer} queued, or an
     * uninstall's restore), or the delete of such a file (a held file renamed aside: renameaside, or a held file
     * an uninstall removed).
     */
    static boolean isOurs(PendingRename entry, List<String> targetPaths) {
        for (String path : targetPaths) {
            String prefix = path + ".inuse-";
            if ((entry.isDelete() || entry.destinationIs(path)) && entry.sourcePath().regionMatches(true, 0, prefix, 0, prefix.length())) {
                return true;
            }
        }
        return false;
    }
}
