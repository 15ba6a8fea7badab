package io.inuse.engine.machine;

import java.util.List;

/**
 * One process of a scan: its id, its image path ("" when it could not be read), why it could not
 * be scanned (null when it was), and the full paths of its loaded modules whose file name was asked
 * for.
 */
public record ProcessModules(long pid, String imagePath, String error, List<String> modules) {
    public ProcessModules {
        modules = List.copyOf(modules);
    }
}
