package io.inuse.packaging;

import io.inuse.pe.FileVersion;
import java.util.regex.Pattern;

/**
 * ${revision} as Windows Installer's ProductVersion allows it: MAJOR.MINOR[.BUILD[.REVISION]], each
 * part a decimal number without leading zeros, major and minor at most 255, build at most 65535.
 * A fourth part (at most 65535) is kept, but Windows Installer ignores it when it compares versions
 * for an upgrade. The demo DLL's FileVersion is the same four numbers.
 *
 * <p>Leading zeros are refused because the ProductCode is derived from the text: "01.2.3" would get
 * another ProductCode than "1.2.3", which Windows Installer takes for the same version.
 */
final class Revision {
    static final String EXAMPLE = ". Build with -Drevision=MAJOR.MINOR.BUILD, for example -Drevision=1.2.3";
    private static final Pattern SHAPE = Pattern.compile("[0-9]+(\\.[0-9]+){1,3}");
    private static final String[] PART_NAMES = {"major version", "minor version", "build number", "fourth part"};
    private static final int[] LIMITS = {255, 255, 65535, 65535};

    private Revision() {
    }

    static FileVersion parse(String revision) {
        if (revision == null || revision.isBlank()) {
            throw new BuildException("-Drevision is empty: the product version must be given" + EXAMPLE);
        }
        String refused = "-Drevision=" + revision + " cannot be a Windows Installer version: ";
        if (!SHAPE.matcher(revision).matches()) {
            throw new BuildException(refused + "it must be two to four numbers separated by dots, with nothing else"
                    + " (no qualifier such as -SNAPSHOT, no spaces)" + EXAMPLE);
        }
        String[] parts = revision.split("\\.");
        int[] values = new int[4];
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].length() > 1 && parts[i].startsWith("0")) {
                throw new BuildException(refused + "the " + PART_NAMES[i] + " '" + parts[i] + "' has a leading zero;"
                        + " Windows Installer would read it as " + stripZeros(parts[i]) + ", but the package would get another"
                        + " ProductCode than the same version written without it" + EXAMPLE);
            }
            if (parts[i].length() > 5 || Integer.parseInt(parts[i]) > LIMITS[i]) {
                throw new BuildException(refused + "the " + PART_NAMES[i] + " " + parts[i] + " is above " + LIMITS[i]
                        + ", the largest a ProductVersion allows there" + EXAMPLE);
            }
            values[i] = Integer.parseInt(parts[i]);
        }
        return new FileVersion(values[0], values[1], values[2], values[3]);
    }

    private static String stripZeros(String part) {
        String stripped = part.replaceFirst("^0+", "");
        return stripped.isEmpty() ? "0" : stripped;
    }
}
