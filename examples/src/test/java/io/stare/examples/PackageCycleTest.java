package io.stare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No cycle among the packages of STARE's shipped and test-kit code: a package is one concept, and
 * what it uses sits below it. Dependencies are read from the sources (every {@code io.stare...}
 * class named, imported or written out in full), across all modules' {@code src/main/java}.
 */
class PackageCycleTest {

    private static final Path ROOT = Path.of("..");
    private static final Pattern PACKAGE = Pattern.compile("^package ([a-z0-9_.]+);", Pattern.MULTILINE);
    /** A class named by its package: the package is everything before the first capitalised part. */
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.stare(?:\\.[a-z0-9_]+)+)\\.[A-Z]");

    @Test
    void stareHasNoPackageCycle() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        try (Stream<Path> modules = Files.list(ROOT)) {
            for (Path module : modules.filter(m -> Files.isDirectory(m.resolve("src/main/java"))).toList()) {
                try (Stream<Path> sources = Files.walk(module.resolve("src/main/java"))) {
                    for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                        String code = Files.readString(source);
                        Matcher declared = PACKAGE.matcher(code);
                        if (!declared.find()) {
                            continue;
                        }
                        Set<String> edges = uses.computeIfAbsent(declared.group(1), p -> new TreeSet<>());
                        Matcher used = REFERENCE.matcher(code);
                        while (used.find()) {
                            if (!used.group(1).equals(declared.group(1))) {
                                edges.add(used.group(1));
                            }
                        }
                    }
                }
            }
        }
        assertTrue(uses.size() > 20, "expected STARE's packages, found " + uses.keySet());
        assertEquals(List.of(), cycles(uses), "package cycles (each a strongly connected set of packages)");
    }

    /** Tarjan's strongly connected components of more than one package. */
    private static List<Set<String>> cycles(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        List<Set<String>> found = new ArrayList<>();
        for (String start : graph.keySet()) {
            if (!index.containsKey(start)) {
                connect(start, graph, index, low, stack, found);
            }
        }
        return found;
    }

    private static void connect(String v, Map<String, Set<String>> graph, Map<String, Integer> index,
                                Map<String, Integer> low, Deque<String> stack, List<Set<String>> found) {
        index.put(v, index.size());
        low.put(v, index.get(v));
        stack.push(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, found);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (stack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            Set<String> component = new TreeSet<>();
            String w;
            do {
                w = stack.pop();
                component.add(w);
            } while (!w.equals(v));
            if (component.size() > 1) {
                found.add(component);
            }
        }
    }
}
