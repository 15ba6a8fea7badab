package io.inuse.pe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FileVersionTest {
    @Test
    void parsesTwoToFourParts() {
        assertEquals(new FileVersion(1, 2, 0, 0), FileVersion.parse("1.2"));
        assertEquals(new FileVersion(1, 2, 3, 0), FileVersion.parse("1.2.3"));
        assertEquals(new FileVersion(1, 2, 3, 65535), FileVersion.parse("1.2.3.65535"));
    }

    @Test
    void refusesQualifiersAndOverflowNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileVersion.parse("1.2.3-SNAPSHOT"));
        assertTrue(e.getMessage().contains("'1.2.3-SNAPSHOT'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> FileVersion.parse("1.65536"));
        assertThrows(IllegalArgumentException.class, () -> FileVersion.parse("1"));
        assertThrows(IllegalArgumentException.class, () -> FileVersion.parse("1.2.3.4.5"));
    }

    @Test
    void ordersNumericallyPartByPart() {
        assertTrue(FileVersion.parse("1.10").compareTo(FileVersion.parse("1.9")) > 0);
        assertTrue(FileVersion.parse("2.0.0.0").compareTo(FileVersion.parse("1.65535.65535.65535")) > 0);
        assertEquals(0, FileVersion.fromDwords(0x00010002, 0x00030004).compareTo(new FileVersion(1, 2, 3, 4)));
    }
}
