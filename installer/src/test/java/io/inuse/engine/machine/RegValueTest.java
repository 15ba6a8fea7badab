package io.inuse.engine.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A string value's text as the policy and the reboot record read it, and the REG_SZ they write. */
class RegValueTest {
    @Test
    void aStringValueEndsAtItsFirstNulOrItsEnd() {
        assertArrayEquals("Ελένη\0".getBytes(StandardCharsets.UTF_16LE), RegValue.sz("Ελένη").data());
        assertEquals("Ελένη", RegValue.sz("Ελένη").string());
        // written by a tool that left the terminating NUL out, or with garbage after it
        assertEquals("fail", new RegValue(RegValue.REG_SZ, "fail".getBytes(StandardCharsets.UTF_16LE)).string());
        assertEquals("defer", new RegValue(RegValue.REG_SZ, "defer\0junk\0".getBytes(StandardCharsets.UTF_16LE)).string());
        assertEquals("%SystemRoot%\\x", new RegValue(RegValue.REG_EXPAND_SZ, "%SystemRoot%\\x\0".getBytes(StandardCharsets.UTF_16LE)).string(),
                "as stored: unexpanded");
        assertNull(new RegValue(RegValue.REG_DWORD, new byte[] {1, 0, 0, 0}).string());
        assertNull(new RegValue(RegValue.REG_MULTI_SZ, "a\0\0".getBytes(StandardCharsets.UTF_16LE)).string());
    }
}
