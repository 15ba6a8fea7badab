package io.inuse.engine.detect;

import io.inuse.engine.machine.KnownFolder;

/**
 * A file the install means to replace: a known folder, a path relative to it ("" or for example
 * {@code "sub\\dir"}) and a file name ({@code "MAPI32.DLL"}). Its full path is the folder's path as
 * {@code Machine.knownFolder} gives it, then the relative path, then the name, joined with
 * Windows separators. A target stays inside its folder: the relative path may not be absolute
 * nor hold "." or ".." segments, and the name is one plain file name.
 */
public record Target(KnownFolder folder, String relative, String name) {
    public Target {
        if (folder == null) {
            throw new IllegalArgumentException("a target needs a known folder");
        }
        relative = normalRelative(relative == null ? "" : relative);
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || hasAny(name, "\\/:*?\"<>|")) {
            throw new IllegalArgumentException("'" + name + "' is not a file name");
        }
    }

    /** The target's full path inside the folder whose path is {@code folderPath}. */
    public String pathIn(String folderPath) {
        String folder = folderPath;
        while (folder.endsWith("\\") || folder.endsWith("/")) {
            folder = folder.substring(0, folder.length() - 1);
        }
        return folder + "\\" + (relative.isEmpty() ? "" : relative + "\\") + name;
    }

    /** For logs: {@code [System]\sub\MAPI32.DLL}. */
    @Override
    public String toString() {
        return pathIn("[" + folder.name() + "]");
    }

    private static String normalRelative(String relative) {
        String text = relative.replace('/', '\\');
        while (text.startsWith("\\")) {
            text = text.substring(1);
        }
        while (text.endsWith("\\")) {
            text = text.substring(0, text.length() - 1);
        }
        if (text.isEmpty()) {
            return "";
        }
        if (hasAny(text, ":*?\"<>|")) {
            throw new IllegalArgumentException("'" + relative + "' is not a relative folder path");
        }
        for (String segment : text.split("\\\\", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("'" + relative + "' is not a relative folder path inside its known folder");
            }
        }
        return text;
    }

    private static boolean hasAny(String text, String chars) {
        for (int i = 0; i < text.length(); i++) {
            if (chars.indexOf(text.charAt(i)) >= 0 || text.charAt(i) < 0x20) {
                return true;
            }
        }
        return false;
    }
}
