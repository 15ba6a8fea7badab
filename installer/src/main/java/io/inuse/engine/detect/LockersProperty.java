package io.inuse.engine.detect;

import io.inuse.engine.machine.Service;
import java.util.ArrayList;
import java.util.List;

/**
 * The machine-readable form of a list of lockers, for the property {@value #NAME} (logs, scripts,
 * a later action).
 *
 * <pre>
 *   entry;entry;...            "" for no locker
 *   entry = pid|kind|imagePath|short1,short2,...|display1,display2,...
 * </pre>
 *
 * <ul>
 * <li>{@code pid}: decimal; {@code kind}: APPLICATION, SERVICE or CRITICAL ({@link Locker.Kind});
 * {@code imagePath}: as reported, "" when unknown.</li>
 * <li>the services the process hosts: their short names, then their display names in the same
 * order (both fields empty for none), so that decoding gives back exactly what was encoded.</li>
 * <li>every value is percent-encoded: {@code % | ; , [ ] { }} and characters below U+0020
 * become {@code %XX} (two upper-case hex digits); nothing else is touched, so a Windows path
 * stays readable ({@code C:\Windows\System32\svchost.exe}) and the value survives a Formatted
 * column (no bracket or brace is left). PowerShell reads a value back with
 * {@code [uri]::UnescapeDataString}.</li>
 * </ul>
 *
 * Example: {@code 77|APPLICATION|C:\Program Files\Acme\agent.exe||;912|SERVICE|C:\Windows\System32\svchost.exe|a,b|Alpha,Beta}
 */
public final class LockersProperty {
    /** The property the lockers of a detection are written to. */
    public static final String NAME = "INUSE_LOCKERS";
    private static final String SPECIAL = "%|;,[]{}";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private LockersProperty() {
    }

    public static String encode(List<Locker> lockers) {
        StringBuilder out = new StringBuilder();
        for (Locker locker : lockers) {
            if (out.length() > 0) {
                out.append(';');
            }
            out.append(locker.pid()).append('|').append(locker.kind().name()).append('|');
            escape(locker.imagePath(), out);
            out.append('|');
            for (int i = 0; i < locker.services().size(); i++) {
                out.append(i == 0 ? "" : ",");
                escape(locker.services().get(i).shortName(), out);
            }
            out.append('|');
            for (int i = 0; i < locker.services().size(); i++) {
                out.append(i == 0 ? "" : ",");
                String display = locker.services().get(i).displayName();
                escape(display == null ? "" : display, out);
            }
        }
        return out.toString();
    }

    /** The lockers of an {@link #encode}d text; each service's pid is its locker's. IllegalArgumentException when malformed. */
    public static List<Locker> decode(String text) {
        List<Locker> lockers = new ArrayList<>();
        if (text.isEmpty()) {
            return lockers;
        }
        for (String entry : text.split(";", -1)) {
            String[] fields = entry.split("\\|", -1);
            if (fields.length != 5) {
                throw new IllegalArgumentException("not a locker entry (pid|kind|image|shorts|displays): '" + entry + "'");
            }
            long pid;
            Locker.Kind kind;
            try {
                pid = Long.parseLong(fields[0]);
                kind = Locker.Kind.valueOf(fields[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("not a locker entry (bad pid or kind): '" + entry + "'", e);
            }
            List<String> shorts = list(fields[3]);
            // short names are never empty (the service control manager requires one); a display name may be,
            // so with services the display field always holds one value per service, "" included
            List<String> displays = shorts.isEmpty() ? list(fields[4]) : splitAll(fields[4]);
            if (shorts.size() != displays.size()) {
                throw new IllegalArgumentException("not a locker entry (" + shorts.size() + " short names, "
                        + displays.size() + " display names): '" + entry + "'");
            }
            List<Service> services = new ArrayList<>();
            for (int i = 0; i < shorts.size(); i++) {
                services.add(new Service(shorts.get(i), displays.get(i), pid));
            }
            lockers.add(new Locker(pid, unescape(fields[2]), kind, services));
        }
        return lockers;
    }

    private static List<String> list(String field) {
        List<String> values = new ArrayList<>();
        if (!field.isEmpty()) {
            for (String value : field.split(",", -1)) {
                values.add(unescape(value));
            }
        }
        return values;
    }

    private static List<String> splitAll(String field) {
        List<String> values = new ArrayList<>();
        for (String value : field.split(",", -1)) {
            values.add(unescape(value));
        }
        return values;
    }

    private static void escape(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || SPECIAL.indexOf(c) >= 0) {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
            } else {
                out.append(c);
            }
        }
    }

    private static String unescape(String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= value.length()) {
                throw new IllegalArgumentException("a '%' without two hex digits in '" + value + "'");
            }
            int high = Character.digit(value.charAt(i + 1), 16);
            int low = Character.digit(value.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                throw new IllegalArgumentException("a '%' without two hex digits in '" + value + "'");
            }
            out.append((char) (high * 16 + low));
            i += 2;
        }
        return out.toString();
    }
}
