package io.inuse.engine.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BuiltInProductTest {
    private static String refusal(String text) {
        return assertThrows(IllegalStateException.class, () -> BuiltInProduct.parse(text)).getMessage();
    }

    @Test
    void theDemoHasItsIdAndNoDefaults() {
        BuiltInProduct demo = BuiltInProduct.parse("inuse-product 1\nid\tMAPI32\n");
        assertEquals("MAPI32", demo.id());
        assertEquals(Map.of(), demo.defaults());
        assertEquals("inuse-product 1\nid\tMAPI32\n", demo.text());
    }

    @Test
    void defaultsRoundTripInTheirOrder() {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("INUSE_STRATEGY", "renameaside");
        defaults.put("INUSE_WHEN_LOCKED", "fail");
        BuiltInProduct product = new BuiltInProduct("Example Mail", defaults);
        BuiltInProduct back = BuiltInProduct.parse(product.text());
        assertEquals(product, back);
        assertEquals(List.of("INUSE_STRATEGY", "INUSE_WHEN_LOCKED"), List.copyOf(back.defaults().keySet()));
    }

    @Test
    void aMalformedDescriptionIsRefusedByLine() {
        assertEquals("product description, line 1 ('inuse-product 2'): it must begin with the line 'inuse-product 1'",
                refusal("inuse-product 2\nid\tMAPI32\n"));
        assertEquals("product description, line 2 (''): the second line is 'id', a tab and the product id", refusal("inuse-product 1"));
        assertEquals("product description, line 2 ('id | a/b'): the product id 'a/b' has the character '/', which a product id cannot"
                + " have (it names a folder, a registry key and a file): use letters, digits, spaces and ._-+()&,!@$",
                refusal("inuse-product 1\nid\ta/b\n"));
        assertEquals("product description, line 3 ('INUSE_TIMEOUT | 5'): a default is one of INUSE_WHEN_LOCKED, INUSE_STRATEGY,"
                + " INUSE_FORCE_EQUAL, a tab and its value", refusal("inuse-product 1\nid\tMAPI32\nINUSE_TIMEOUT\t5\n"));
        assertEquals("product description, line 4 ('INUSE_FORCE_EQUAL | 0'): INUSE_FORCE_EQUAL has a default already",
                refusal("inuse-product 1\nid\tMAPI32\nINUSE_FORCE_EQUAL\t1\nINUSE_FORCE_EQUAL\t0\n"));
        assertTrue(refusal("inuse-product 1\nid\tMAPI32\nINUSE_STRATEGY\t \n").contains("is empty"));
    }

    @Test
    void productIdsNameAFolderAKeyAndAFile() {
        assertNull(BuiltInProduct.checkId("MAPI32"));
        assertNull(BuiltInProduct.checkId("Example Mail 2.0"));
        assertNull(BuiltInProduct.checkId("contoso-av_helper"));
        assertNull(BuiltInProduct.checkId("Mail+Fax (x64) & Co, 1!@$"));
        assertTrue(BuiltInProduct.checkId("EXAMPL~1").contains("'~'"), "an 8.3 name could open another product's folder");
        assertTrue(BuiltInProduct.checkId("o'neil").contains("character '" + "''"));
        assertTrue(BuiltInProduct.checkId("a%b").contains("'%'"));
        assertTrue(BuiltInProduct.checkId("").startsWith("the product id is empty"));
        assertTrue(BuiltInProduct.checkId("a[b]").contains("'['"));
        assertTrue(BuiltInProduct.checkId("a#b").contains("'#'"));
        assertTrue(BuiltInProduct.checkId("Ελένη").contains("'Ε'"));
        assertTrue(BuiltInProduct.checkId(".hidden").endsWith("must begin with a letter or a digit"));
        assertTrue(BuiltInProduct.checkId("Mail.").contains("ends with a dot"));
        assertTrue(BuiltInProduct.checkId("nul").contains("device name NUL"));
        assertTrue(BuiltInProduct.checkId("com1.tools").contains("device name COM1"));
        assertNull(BuiltInProduct.checkId("CONSOLE"));
        assertTrue(BuiltInProduct.checkId("x".repeat(41)).contains("41 characters; at most 40"));
        assertThrows(IllegalArgumentException.class, () -> new BuiltInProduct("a/b", Map.of()));
    }

    @Test
    void aMissingResourceIsRefused() {
        // the installer module's own class path has none: the build puts it into inuse-targets.jar
        assertEquals("the package's product (io/inuse/engine/detect/product.txt) is not on the engine's class path: the broker starts"
                + " the engine with inuse-targets.jar beside inuse-engine.jar",
                assertThrows(IllegalStateException.class, BuiltInProduct::load).getMessage());
    }
}
