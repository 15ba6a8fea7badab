package io.inuse.engine.cli;

import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.replace.Journal;
import io.inuse.engine.replace.JournalEntry;
import io.inuse.engine.replace.JournalException;
import io.inuse.engine.replace.PendingRename;
import io.inuse.engine.replace.PendingRenames;
import io.inuse.engine.replace.PendingRenamesException;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code inuse pending [--from <file.reg>]}: both PendingFileRenameOperations values decoded by the product's
 * codec (the {@code *1} markers of Windows 10/11 kept and shown), each entry marked as this product's (its
 * journal has the exact strings), another inuse product's (by its names), or someone else's; read live, each
 * entry whose source is missing or whose destination's folder is gone is flagged stale (it will do nothing at
 * the boot). From an exported .reg file nothing is checked on a machine.
 */
final class PendingCommand {
    static final String SESSION_MANAGER = "Control\\Session Manager";

    private final Machine machine;
    private final Cli.Product product;

    PendingCommand(Machine machine, Cli.Product product) {
        this.machine = machine;
        this.product = product;
    }

    Cli.Answer run(String from) {
        List<Object> values = new ArrayList<>();
        List<String> text = new ArrayList<>();
        boolean live = from == null;
        RegFile export = live ? null : export(from);
        List<String> notes = new ArrayList<>();
        List<JournalEntry> journal = live ? journal(notes) : List.of();
        int stale = 0;
        int own = 0;
        boolean damaged = false;
        for (String name : new String[] {PendingRenames.VALUE, PendingRenames.VALUE_2}) {
            Map<String, Object> value = new LinkedHashMap<>();
            value.put("name", name);
            Optional<RegValue> raw = live ? machine.regRead(RegRoot.HKLM, PendingRenames.KEY, name)
                    : export.find(SESSION_MANAGER, name).map(RegFile.Value::value);
            List<Object> entries = new ArrayList<>();
            value.put("entries", entries);
            values.add(value);
            if (raw.isEmpty()) {
                text.add(name + ": none");
                continue;
            }
            PendingRenames decoded;
            String problem = null;
            decoded = null;
            if (raw.get().type() != RegValue.REG_MULTI_SZ) {
                problem = name + " is of type " + raw.get().type() + ", not REG_MULTI_SZ (7)";
            } else {
                try {
                    decoded = PendingRenames.decode(name, raw.get().data());
                } catch (PendingRenamesException e) {
                    problem = e.getMessage();
                }
            }
            if (decoded == null) {
                damaged = true;
                value.put("damaged", problem);
                text.add(name + ": DAMAGED: " + problem);
                continue;
            }
            text.add(name + ": " + decoded.entries().size() + " operation(s)");
            int index = 0;
            for (PendingRename entry : decoded.entries()) {
                index++;
                Map<String, Object> e = describe(entry, journal, live);
                e.put("index", index);
                entries.add(e);
                @SuppressWarnings("unchecked")
                List<Object> problems = (List<Object>) e.get("stale");
                stale += problems.isEmpty() ? 0 : 1;
                own += "this product".equals(e.get("owner")) ? 1 : 0;
                text.add(line(index, entry, e));
            }
        }
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("source", live ? "registry" : from);
        model.put("checked", live);
        model.put("values", values);
        model.put("ownEntries", own);
        model.put("staleEntries", stale);
        model.put("notes", new ArrayList<Object>(notes));
        text.addAll(notes);
        text.add(own + " of this product's, " + stale + " stale" + (live ? "" : " (not checked: read from " + from + ")"));
        return new Cli.Answer(damaged ? Cli.BAD_DATA : stale > 0 ? Cli.ATTENTION : Cli.OK, model, text);
    }

    private Map<String, Object> describe(PendingRename entry, List<JournalEntry> journal, boolean live) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("operation", entry.isDelete() ? "delete" : "move");
        e.put("source", entry.sourceText());
        e.put("sourcePath", entry.sourcePath());
        e.put("destination", entry.isDelete() ? null : entry.destinationText());
        e.put("destinationPath", entry.isDelete() ? null : entry.destinationPath());
        e.put("replaceExisting", entry.replaceExisting());
        e.put("marker", entry.marker());
        e.put("owner", owner(entry, journal));
        List<Object> problems = new ArrayList<>();
        if (live) {
            if (!exists(entry.sourcePath())) {
                problems.add("source missing");
            }
            if (!entry.isDelete()) {
                String destination = entry.destinationPath();
                int slash = destination.lastIndexOf('\\');
                if (slash > 0 && !exists(destination.substring(0, slash))) {
                    problems.add("target gone (its folder does not exist)");
                }
            }
        }
        e.put("stale", problems);
        return e;
    }

    private static String line(int index, PendingRename entry, Map<String, Object> e) {
        StringBuilder line = new StringBuilder(String.format("  %2d  ", index));
        line.append(entry.isDelete() ? "delete  " : "move    ");
        line.append(entry.marker().isEmpty() ? "" : entry.marker() + " ").append(entry.sourcePath());
        if (!entry.isDelete()) {
            line.append(" -> ").append(entry.destinationPath()).append(entry.replaceExisting() ? " (replace existing)" : "");
        }
        line.append("  [").append(e.get("owner")).append(']');
        Object problems = e.get("stale");
        if (problems instanceof List<?> list && !list.isEmpty()) {
            line.append("  STALE: ").append(String.join(", ", list.stream().map(String::valueOf).toList()));
        }
        return line.toString();
    }

    /** This product's when its journal has the entry's strings (markers Windows added aside); inuse's by its names; else other. */
    private String owner(PendingRename entry, List<JournalEntry> journal) {
        String destination = withoutMarker(entry.destinationText());
        for (JournalEntry j : journal) {
            if ((j.op() == JournalEntry.Op.QUEUED || j.op() == JournalEntry.Op.REQUEUED)
                    && PendingRename.samePath(withoutMarker(j.field("source")), entry.source())
                    && withoutMarker(j.field("destination")).equalsIgnoreCase(destination)) {
                return "this product";
            }
        }
        String source = entry.sourcePath().toLowerCase(Locale.ROOT);
        if (product != null && source.startsWith(product.folder().root().toLowerCase(Locale.ROOT) + "\\")) {
            return "this product";
        }
        if (source.contains(".inuse-") || source.contains("\\inuse\\")) {
            return "inuse";
        }
        return "other";
    }

    /** The text without a leading {@code *N} marker Windows adds ({@code !} kept). */
    private static String withoutMarker(String text) {
        int at = 0;
        if (text.startsWith("*")) {
            at = 1;
            while (at < text.length() && Character.isDigit(text.charAt(at))) {
                at++;
            }
        }
        return text.substring(at);
    }
    private boolean exists(String path) {
        try {
            return machine.identify(path).isPresent();
        } catch (SessionException e) {
            return true;   // cannot tell: not called stale
        }
    }

    /** The product's journal; a note in {@code notes} when there is one that cannot be read (not elevated, or damaged). */
    private List<JournalEntry> journal(List<String> notes) {
        if (product == null) {
            return List.of();
        }
        try {
            byte[] bytes = machine.readFile(product.folder().journal(), Machine.FILE_WRITE_MAX);
            return Journal.parse(product.folder().journal(), bytes).entries();
        } catch (SessionException e) {
            if (e.win32Error() != 2 && e.win32Error() != 3) {
                notes.add("the product's journal could not be read (" + e.getMessage() + "): entries are marked by their names"
                        + " only; run inuse as an administrator");
            }
        } catch (JournalException e) {
            notes.add("the product's journal is damaged (" + e.getMessage() + "): entries are marked by their names only");
        }
        return List.of();
    }

    private RegFile export(String from) {
        byte[] bytes = PeCommand.read(machine, from);
        RegFile export;
        try {
            export = RegFile.parse(from, bytes);
        } catch (RegFile.RegFileException e) {
            throw new Cli.Failure(Cli.BAD_DATA, e.getMessage());
        }
        if (!export.hasKey(SESSION_MANAGER)) {
            throw new Cli.Failure(Cli.BAD_DATA, from + " holds no ...\\Control\\Session Manager key: export it with reg export"
                    + " \"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\" pending.reg");
        }
        return export;
    }
}
