package io.inuse.pe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeReaderTest {

    @Test
    void readsMachineVersionsAndLanguagesOfAnX64Dll() throws Exception {
        PeInfo info = PeReader.read("MAPI32.DLL", new TestImages().build());
        assertEquals("x64", info.machineName());
        assertTrue(info.isX64());
        assertTrue(info.dll());
        assertEquals(Optional.of(new FileVersion(1, 2, 3, 4)), info.fileVersion());
        assertEquals(Optional.of(new FileVersion(1, 2, 0, 0)), info.productVersion());
        assertEquals(List.of(1033), info.languages());
        assertEquals("1033", info.languageColumn());
    }

    @Test
    void readsA32BitExeWithTwoTranslations() throws Exception {
        TestImages image = new TestImages();
        image.machine = PeInfo.MACHINE_I386;
        image.dll = false;
        image.fileVersion = new int[] {65535, 0, 7, 65535};
        image.translations = new int[] {1031, 1033};
        PeInfo info = PeReader.read("a.exe", image.build());
        assertEquals("x86", info.machineName());
        assertFalse(info.dll());
        assertEquals("65535.0.7.65535", info.fileVersion().orElseThrow().toString());
        assertEquals("1031,1033", info.languageColumn());
    }

    @Test
    void fallsBackToTheResourceLanguageWithoutTranslation() throws Exception {
        TestImages image = new TestImages();
        image.translations = new int[0];
        image.resourceLanguage = 1036;
        assertEquals(List.of(1036), PeReader.read("x.dll", image.build()).languages());
    }

    @Test
    void anImageWithoutResourcesHasNoVersion() throws Exception {
        TestImages image = new TestImages();
        image.withResources = false;
        PeInfo info = PeReader.read("plain.dll", image.build());
        assertEquals(Optional.empty(), info.fileVersion());
        assertEquals(List.of(), info.languages());
    }

    @Test
    void refusesAFileWithoutMz() {
        byte[] text = "this is a text file, not a DLL".getBytes();
        PeFormatException e = assertThrows(PeFormatException.class, () -> PeReader.read("notes.txt", text));
        assertEquals("notes.txt: at offset 0x0: not a PE file: no 'MZ' signature (is this really a DLL?)", e.getMessage());
        assertThrows(PeFormatException.class, () -> PeReader.read("empty.dll", new byte[0]));
    }

    @Test
    void refusesAWrongPeSignature() {
        byte[] image = new TestImages().build();
        image[TestImages.PE_OFFSET + 1] = 'X';
        PeFormatException e = assertThrows(PeFormatException.class, () -> PeReader.read("bad.dll", image));
        assertTrue(e.getMessage().startsWith("bad.dll: at offset 0x3c: e_lfanew points to 0x80, where there is no 'PE\\0\\0'"), e.getMessage());
        assertEquals(0x3C, e.offset());
    }

    @Test
    void refusesAnELfanewPastTheEnd() {
        byte[] image = new TestImages().build();
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(0x3C, 0x7FFFFFF0);
        PeFormatException e = assertThrows(PeFormatException.class, () -> PeReader.read("bad.dll", image));
        assertTrue(e.getMessage().contains("e_lfanew points to 0x7ffffff0"), e.getMessage());
    }

    @Test
    void refusesAResourceDirectoryLoop() {
        byte[] image = new TestImages().build();
        // the name directory's only entry points back to the root directory
        int entry = TestImages.RSRC_FILE_OFFSET + TestImages.NAME_DIRECTORY + 16 + 4;
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(entry, 0x8000_0000);
        PeFormatException e = assertThrows(PeFormatException.class, () -> PeReader.read("loop.dll", image));
        assertTrue(e.getMessage().contains("resource directory loop"), e.getMessage());
        assertEquals(entry, e.offset());
    }

    @Test
    void refusesAResourceDirectoryPointingToItself() {
        byte[] image = new TestImages().build();
        int entry = TestImages.RSRC_FILE_OFFSET + TestImages.NAME_DIRECTORY + 16 + 4;
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putInt(entry, 0x8000_0000 | TestImages.NAME_DIRECTORY);
        PeFormatException e = assertThrows(PeFormatException.class, () -> PeReader.read("self.dll", image));
        assertTrue(e.getMessage().contains("loop"), e.getMessage());
    }

    @Test
    void refusesAVersionBlockLongerThanItsResource() {
        byte[] image = new TestImages().build();
        int versionInfo = TestImages.RSRC_FILE_OFFSET + TestImages.VERSION_DATA;
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putShort(versionInfo, (short) 0x7000);
        PeFormatException e = assertThrows(PeFormatException.class, () -> PeReader.read("long.dll", image));
        assertTrue(e.getMessage().contains("VS_VERSIONINFO length 28672 does not fit"), e.getMessage());
    }

    @Test
    void refusesAZeroLengthChildBlockInsteadOfLooping() {
        byte[] image = new TestImages().build();
        int versionInfo = TestImages.RSRC_FILE_OFFSET + TestImages.VERSION_DATA;
        // first child (StringFileInfo) starts after header(6) + key(32) + pad(2) + fixed info(52) = 92
        ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).putShort(versionInfo + 92, (short) 0);
        PeFormatException e = assertThrows(PeFormatException.class, () -> PeReader.read("zero.dll", image));
        assertTrue(e.getMessage().contains("length 0 does not fit"), e.getMessage());
    }

    @Test
    void refusesABadFixedFileInfoSignature() {
        byte[] image = new TestImages().build();
        int fixed = TestImages.RSRC_FILE_OFFSET + TestImages.VERSION_DATA + 40;
        image[fixed] = 0;
        PeFormatException e = assertThrows(PeFormatException.class, () -> PeReader.read("sig.dll", image));
        assertTrue(e.getMessage().contains("signature is not 0xFEEF04BD"), e.getMessage());
    }

    @Test
    void everyTruncationIsAClearErrorNeverAnIndexError() {
        byte[] image = new TestImages().build();
        int versionEnd = TestImages.RSRC_FILE_OFFSET + TestImages.VERSION_DATA + 100;
        for (int length = 0; length < image.length; length++) {
            byte[] cut = Arrays.copyOf(image, length);
            try {
                PeReader.read("cut.dll", cut);
                if (length < versionEnd) {
                    fail("a file cut to " + length + " bytes was read without complaint");
                }
            } catch (PeFormatException e) {
                assertTrue(e.getMessage().startsWith("cut.dll: at offset 0x"), e.getMessage());
            }
        }
    }

    @Test
    void randomCorruptionGivesOnlyPeFormatExceptions() {
        byte[] image = new TestImages().build();
        Random random = new Random(20261125);
        for (int round = 0; round < 20_000; round++) {
            byte[] mutated = image.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                // aim most flips at the headers and resource tree, where the offsets live
                int at = random.nextInt(4) == 0 ? random.nextInt(mutated.length)
                        : random.nextBoolean() ? random.nextInt(0x200) : TestImages.RSRC_FILE_OFFSET + random.nextInt(0x100);
                mutated[at] = (byte) random.nextInt(256);
            }
            try {
                PeReader.read("fuzz.dll", mutated);
            } catch (PeFormatException expected) {
                // the one allowed failure
            } catch (RuntimeException e) {
                fail("round " + round + ": " + e, e);
            }
        }
    }
}
