package io.stare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every module's README says which STARE modules it may depend on ("**Depends on:** ..."), and
 * says exactly what its pom declares at compile scope: the layering written down is the layering
 * built.
 */
class ModuleReadmeTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern STARE_ARTIFACT = Pattern.compile("stare-[a-z0-9]+");

    @Test
    void everyModuleReadmeNamesExactlyTheStareModulesItsPomDependsOn() throws Exception {
        List<String> modules = modules();
        assertFalse(modules.isEmpty(), "no modules in the root pom");
        List<String> wrong = new ArrayList<>();
        for (String module : modules) {
            Path readme = ROOT.resolve(module).resolve("README.md");
            assertTrue(Files.exists(readme), module + " has no README.md");
            Set<String> written = dependsOnLine(readme);
            Set<String> declared = compileDependencies(ROOT.resolve(module).resolve("pom.xml"));
            if (module.equals("examples")) {
                written.remove("stare-testkit"); // named as the example's test dependency
                declared.remove("stare-testkit");
            }
            if (!written.equals(declared)) {
                wrong.add(module + ": README says " + written + ", pom declares " + declared);
            }
        }
        assertEquals(List.of(), wrong);
    }

    private static List<String> modules() throws Exception {
        NodeList nodes = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(ROOT.resolve("pom.xml").toFile()).getElementsByTagName("module");
        List<String> modules = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            modules.add(nodes.item(i).getTextContent().trim());
        }
        return modules;
    }

    private static Set<String> dependsOnLine(Path readme) throws IOException {
        String text = Files.readString(readme);
        int at = text.indexOf("**Depends on:**");
        assertTrue(at >= 0, readme + " has no '**Depends on:**' paragraph");
        int end = text.indexOf("\n\n", at);
        Matcher names = STARE_ARTIFACT.matcher(text.substring(at, end < 0 ? text.length() : end));
        Set<String> found = new TreeSet<>();
        while (names.find()) {
            found.add(names.group());
        }
        return found;
    }

    /** The io.stare artifacts a pom declares as plain (compile scope, jar) dependencies. */
    private static Set<String> compileDependencies(Path pom) throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile())
                .getDocumentElement();
        NodeList dependencies = ((Element) project.getElementsByTagName("dependencies").item(0))
                .getElementsByTagName("dependency");
        Set<String> found = new TreeSet<>();
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            String scope = text(dependency, "scope");
            String type = text(dependency, "type");
            if (text(dependency, "groupId").equals("io.stare") && (scope.isEmpty() || scope.equals("compile"))
                    && type.isEmpty()) {
                found.add(text(dependency, "artifactId"));
            }
        }
        return found;
    }

    private static String text(Element parent, String tag) {
        NodeList nodes = parent.getElementsByTagName(tag);
        return nodes.getLength() == 0 ? "" : nodes.item(0).getTextContent().trim();
    }
}
