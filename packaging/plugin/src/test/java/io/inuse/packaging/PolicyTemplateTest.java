package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.replace.Policy;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Group Policy template (issue 17): well-formed, every policy a value the engine reads under the
 * product's key and every value it reads a policy, each choice accepted by the engine and every value
 * it accepts a choice, and the ADML holding every string and presentation the ADMX references.
 */
class PolicyTemplateTest {
    static final String NS = "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions";

    static Document parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Element> elements(Document d, String name) {
        NodeList nodes = d.getElementsByTagNameNS(NS, name);
        List<Element> list = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            list.add((Element) nodes.item(i));
        }
        return list;
    }

    @Test
    void everyPolicyIsAValueTheEngineReadsAndEveryChoiceOneItAccepts(@TempDir Path dir) throws Exception {
        Path admxFile = PolicyTemplate.write(dir, "MAPI32", "inuse MAPI32 replacement");
        assertEquals(dir.resolve("policy/inuse-MAPI32.admx"), admxFile);
        Document admx = parse(Files.readString(admxFile));
        Map<String, Set<String>> choices = new HashMap<>();
        for (Element policy : elements(admx, "policy")) {
            assertEquals("Machine", policy.getAttribute("class"));
            assertEquals("SOFTWARE\\Policies\\inuse\\MAPI32", policy.getAttribute("key"), "the key the engine reads");
            Element e = (Element) policy.getElementsByTagNameNS(NS, "enum").item(0);
            Set<String> values = new TreeSet<>();
            NodeList strings = e.getElementsByTagNameNS(NS, "string");
            for (int i = 0; i < strings.getLength(); i++) {
                values.add(strings.item(i).getTextContent());
            }
            choices.put(e.getAttribute("valueName"), values);
        }
        assertEquals(Set.of(Policy.WHEN_LOCKED, Policy.STRATEGY, Policy.FORCE_EQUAL), choices.keySet(), "one policy per value the engine reads");
        // each choice, written under the key, is accepted by the engine's own resolution, and gives that value back
        for (Map.Entry<String, Set<String>> e : choices.entrySet()) {
            for (String value : e.getValue()) {
                FakeMachine machine = FakeMachine.standard();
                machine.registry.write(RegRoot.HKLM, Policy.key("MAPI32"), e.getKey(),
                        new RegValue(RegValue.REG_SZ, (value + "\0").getBytes(StandardCharsets.UTF_16LE)));
                Policy p = Policy.resolve(Policy.source(machine, "MAPI32", Map.of(), "the property"));
                assertTrue(p.origin().contains(e.getKey() + "=" + value + " (policy)"), p.origin());
            }
        }
        // and every value the engine accepts is a choice
        Set<String> whenLocked = new HashSet<>();
        for (Policy.WhenLocked w : Policy.WhenLocked.values()) {
            whenLocked.add(w.text());
        }
        Set<String> strategy = new HashSet<>();
        for (Policy.Strategy s : Policy.Strategy.values()) {
            strategy.add(s.text());
        }
        assertEquals(whenLocked, choices.get(Policy.WHEN_LOCKED));
        assertEquals(strategy, choices.get(Policy.STRATEGY));
        assertEquals(Set.of("0", "1"), choices.get(Policy.FORCE_EQUAL));
    }

    @Test
    void theAdmlHoldsEveryStringAndPresentationTheAdmxReferences(@TempDir Path dir) throws Exception {
        Path admxFile = PolicyTemplate.write(dir, "MAPI32", "inuse MAPI32 replacement");
        String admx = Files.readString(admxFile);
        Document adml = parse(Files.readString(dir.resolve("policy/en-US/inuse-MAPI32.adml")));
        parse(admx);
        Set<String> strings = new HashSet<>();
        for (Element s : elements(adml, "string")) {
            assertTrue(strings.add(s.getAttribute("id")), "a string id twice: " + s.getAttribute("id"));
            assertTrue(!s.getTextContent().isBlank(), s.getAttribute("id"));
        }
        Set<String> presentations = new HashSet<>();
        for (Element p : elements(adml, "presentation")) {
            presentations.add(p.getAttribute("id"));
        }
        Matcher m = Pattern.compile("\\$\\((string|presentation)\\.([^)]+)\\)").matcher(admx);
        int references = 0;
        while (m.find()) {
            references++;
            assertTrue((m.group(1).equals("string") ? strings : presentations).contains(m.group(2)), "the ADML lacks " + m.group());
        }
        assertTrue(references >= 3 * 5, "the ADMX references its strings: " + references);
        // each drop-down list refers to its policy's enum
        Set<String> enumIds = new HashSet<>();
        for (Element e : elements(parse(admx), "enum")) {
            enumIds.add(e.getAttribute("id"));
        }
        for (Element d : elements(adml, "dropdownList")) {
            assertTrue(enumIds.contains(d.getAttribute("refId")), d.getAttribute("refId"));
        }
    }

    @Test
    void aProductIdWithOtherCharactersStillMakesValidNamesAndItsExactKey(@TempDir Path dir) throws Exception {
        PolicyTemplate.write(dir, "my-dll & co", "inuse <MY-DLL> replacement");
        Document admx = parse(Files.readString(dir.resolve("policy/inuse-my-dll & co.admx")));
        Element target = elements(admx, "target").get(0);
        assertEquals("inusemy_2Ddll_20_26_20co", target.getAttribute("prefix"));
        assertEquals("SOFTWARE\\Policies\\inuse\\my-dll & co", elements(admx, "policy").get(0).getAttribute("key"));
        parse(Files.readString(dir.resolve("policy/en-US/inuse-my-dll & co.adml")));
    }

    /** A package's own defaults: named in each policy's help, offered first in its list; without them, inuse's come first. */
    @Test
    void thePackagesDefaultsAreNamedAndOfferedFirst() {
        String adml = PolicyTemplate.adml("ExampleMail", "Example Mail MAPI update", java.util.Map.of("INUSE_WHEN_LOCKED", "fail"));
        assertTrue(adml.contains("Without a policy or a property, this package does: Stop the install (1603) before anything changes (fail),"
                + " its own default in place of inuse's."), adml);
        assertTrue(adml.contains("<dropdownList refId=\"INUSE_WHEN_LOCKED\" noSort=\"true\" defaultItem=\"1\">"), adml);
        assertTrue(adml.contains("<dropdownList refId=\"INUSE_STRATEGY\" noSort=\"true\" defaultItem=\"0\">"), adml);
        assertEquals(1, adml.split("its own default", -1).length - 1, "only the policy with a package default says so");
    }

    @Test
    void idsThatDifferOnlyInPunctuationGetNamespacesOfTheirOwn() {
        assertEquals("MAPI32", PolicyTemplate.namePart("MAPI32"));
        assertEquals("Example_20Mail", PolicyTemplate.namePart("Example Mail"));
        assertEquals("Example_2DMail", PolicyTemplate.namePart("Example-Mail"));
        assertTrue(PolicyTemplate.admx("Example Mail").contains("namespace=\"inuse.Policies.Example_20Mail\""));
    }
}
