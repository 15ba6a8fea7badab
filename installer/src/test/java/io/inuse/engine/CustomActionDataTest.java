package io.inuse.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CustomActionDataTest {
    @Test
    void encodesTheDocumentedExample() {
        String encoded = CustomActionData.builder().put("INUSE_JAVA_HOME", "C:\\Program Files\\Java17")
                .put("INUSE_REQUEST_REBOOT", "1").put("absent", null).build().encode();
        assertEquals("inuse1;INUSE_JAVA_HOME=23:C:\\Program Files\\Java17;INUSE_REQUEST_REBOOT=1:1;", encoded);
    }

    @Test
    void anyValueRoundTrips() {
        String nasty = "a;b=c:d\r\n\"quoted\" 'single' Zoë 東京 🚀 ;;==:: \0 end";
        String big = "x".repeat(32 * 1024) + ";";
        CustomActionData data = CustomActionData.builder().put("A", nasty).put("B", "").put("C.d_1", big).build();
        CustomActionData back = CustomActionData.decode(data.encode());
        assertEquals(Map.of("A", nasty, "B", "", "C.d_1", big), back.entries());
        assertEquals(data.encode(), back.encode());
        assertEquals("A", back.entries().keySet().iterator().next(), "order is kept");
    }

    @Test
    void malformedTextIsRefusedWithItsPosition() {
        assertMessage("", "CustomActionData is empty");
        assertMessage("A=1:x;", "does not start with 'inuse1;'");
        assertMessage("inuse1;A=5:x;", "at character 11: the value of A (5 characters) is not followed by ';'");
        assertMessage("inuse1;A=1:xy", "at character 11");
        assertMessage("inuse1;A=z:x;", "length 'z' of A is not a number");
        assertMessage("inuse1;A=1:x;A=1:y;", "key A appears twice");
        assertMessage("inuse1;bad key=1:x;", "key 'bad key' is not");
        assertMessage("inuse1;A", "an entry must be KEY=LENGTH:VALUE;");
        assertMessage("inuse1;A=99999999999:x;", "is not a number");
    }

    private static void assertMessage(String text, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CustomActionData.decode(text));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void requireNamesTheMissingKey() {
        CustomActionData data = CustomActionData.decode("inuse1;A=1:x;");
        assertEquals("x", data.require("A"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> data.require("TARGET"));
        assertTrue(e.getMessage().startsWith("CustomActionData has no TARGET (keys: [A])"), e.getMessage());
    }

    @Test
    void builderRefusesBadAndDuplicateKeys() {
        assertThrows(IllegalArgumentException.class, () -> CustomActionData.builder().put("a b", "x"));
        assertThrows(IllegalArgumentException.class, () -> CustomActionData.builder().put("A", "x").put("A", "y"));
    }
}
