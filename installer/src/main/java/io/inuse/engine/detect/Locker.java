package io.inuse.engine.detect;

import io.inuse.engine.machine.Service;
import java.util.List;

/**
 * A process that has a target loaded: its id, its image path ("" when it could not be read), what
 * kind of process it is, the services it hosts (sorted by short name; empty for an application),
 * and the title of its main window ("" when it has no visible top-level window, or none could be
 * read).
 */
public record Locker(long pid, String imagePath, Kind kind, List<Service> services, String windowTitle) {
    /**
     * What can be done about a locker.
     *
     * <p>The rule ({@link Detector}): {@code CRITICAL} first, when the process is the System
     * process (pid 4) or its image is one of csrss.exe, wininit.exe, smss.exe, lsass.exe,
     * services.exe under the Windows folder (compared as text, without regard to case, after a
     * {@code \\?\} or {@code \??\} prefix): only a reboot frees what these hold. lsass.exe hosts
     * services (KeyIso, SamSs, ...) and is still CRITICAL, its services listed. Then
     * {@code SERVICE}, when it hosts at least one running service. {@code APPLICATION} otherwise.
     */
    public enum Kind {
        APPLICATION, SERVICE, CRITICAL
    }

    public Locker {
        imagePath = imagePath == null ? "" : imagePath;
        services = List.copyOf(services);
        windowTitle = windowTitle == null ? "" : windowTitle;
    }

    /** A locker with no window title. */
    public Locker(long pid, String imagePath, Kind kind, List<Service> services) {
        this(pid, imagePath, kind, services, "");
    }

    /** The same locker with that window title. */
    public Locker withWindowTitle(String title) {
        return new Locker(pid, imagePath, kind, services, title);
    }

    /** The image's file name: the text after the last separator; "System" for pid 4 with no image. */
    public String imageName() {
        int slash = Math.max(imagePath.lastIndexOf('\\'), imagePath.lastIndexOf('/'));
        String name = imagePath.substring(slash + 1);
        if (name.isEmpty() && pid == 4) {
            return "System";
        }
        return name;
    }

    /** The image name, or "unnamed process" when it could not be read. */
    public String name() {
        String name = imageName();
        return name.isEmpty() ? "unnamed process" : name;
    }

    /**
     * How the FilesInUse message names it: a process that hosts services by its services,
     * {@code "Service: <display name> (<short name>)"} each, joined with {@code "; "}; any other
     * by its image file name and id, {@code "upsmon.exe (pid 77)"}.
     */
    public String displayName() {
        if (!services.isEmpty()) {
            StringBuilder text = new StringBuilder();
            for (Service service : services) {
                text.append(text.length() == 0 ? "" : "; ").append("Service: ").append(service.describe());
            }
            return text.toString();
        }
        return name() + " (pid " + pid + ")";
    }
}
