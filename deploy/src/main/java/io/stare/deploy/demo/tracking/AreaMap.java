package io.stare.deploy.demo.tracking;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The monitored areas, one per mobility-tracking VNF, and the walking distances between them. The
 * map is a small undirected graph: an edge joins two <em>neighbouring</em> areas (each VNF subscribes
 * to its neighbours' states) and carries the walking distance in metres between them; the distance
 * between any two areas is the shortest walk through the graph.
 *
 * <p>Definition format ({@link #parse}): one entry per line or separated by {@code ;}, {@code #}
 * starts a comment. {@code area-a area-b 400} declares neighbours 400 m apart; a lone name declares
 * an area without neighbours. Names are 1 to 64 characters of letters, digits, {@code .}, {@code _}
 * and {@code -}.
 *
 * <p>Immutable and thread-safe.
 */
public final class AreaMap {

    /**
     * The paper's testbed (Fig. 7a): four mobility-tracking VNFs, on H1 ({@code area-1}), H2
     * ({@code area-2} and {@code area-3}) and H3 ({@code area-4}), watching consecutive areas along one
     * street, as between the university and the train station of the 5G-EVE use case. The paper gives
     * no distances; these are ours.
     */
    public static final String PAPER_TESTBED = """
            # four areas along a street; a VNF each: area-1 on H1, area-2 and area-3 on H2, area-4 on H3
            area-1 area-2 400
            area-2 area-3 350
            area-3 area-4 450
            """;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int MAX_AREAS = 1024;

    private final List<String> areas;
    private final Map<String, Integer> index;
    private final Map<String, Map<String, Double>> edges;
    private final double[][] distance;

    private AreaMap(List<String> areas, Map<String, Map<String, Double>> edges) {
        this.areas = List.copyOf(areas);
        this.index = new LinkedHashMap<>();
        for (int i = 0; i < this.areas.size(); i++) {
            index.put(this.areas.get(i), i);
        }
        Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
        edges.forEach((a, m) -> copy.put(a, Collections.unmodifiableMap(new TreeMap<>(m))));
        this.edges = Collections.unmodifiableMap(copy);
        int n = this.areas.size();
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(d[i], Double.POSITIVE_INFINITY);
            d[i][i] = 0;
        }
        edges.forEach((a, m) -> m.forEach((b, metres) -> {
            int i = index.get(a);
            int j = index.get(b);
            d[i][j] = Math.min(d[i][j], metres);
        }));
        for (int k = 0; k < n; k++) {          // Floyd–Warshall; maps are small
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (d[i][k] + d[k][j] < d[i][j]) {
                        d[i][j] = d[i][k] + d[k][j];
                    }
                }
            }
        }
        this.distance = d;
    }

    /** The paper's testbed, {@link #PAPER_TESTBED}. */
    public static AreaMap paperTestbed() {
        return parse(PAPER_TESTBED);
    }

    /**
     * The map of a definition; throws {@link IllegalArgumentException} naming the offending entry
     * when it is malformed (a bad name, a distance that is not a positive number, a self-loop, one
     * pair given two distances).
     */
    public static AreaMap parse(String definition) {
        Objects.requireNonNull(definition, "definition");
        List<String> areas = new ArrayList<>();
        Map<String, Map<String, Double>> edges = new LinkedHashMap<>();
        int line = 0;
        for (String rawLine : definition.split("\\R", -1)) {
            line++;
            int hash = rawLine.indexOf('#');
            String content = hash >= 0 ? rawLine.substring(0, hash) : rawLine;
            for (String entry : content.split(";")) {
                String e = entry.strip();
                if (e.isEmpty()) {
                    continue;
                }
                String[] tok = e.split("\\s+");
                String where = "line " + line + " ('" + e + "'): ";
                try {
                    if (tok.length == 1) {
                        addArea(areas, edges, tok[0]);
                    } else if (tok.length == 3) {
                        double metres;
                        try {
                            metres = Double.parseDouble(tok[2]);
                        } catch (NumberFormatException nfe) {
                            throw new IllegalArgumentException("distance '" + tok[2] + "' is not a number");
                        }
                        addEdge(areas, edges, tok[0], tok[1], metres);
                    } else {
                        throw new IllegalArgumentException("expected 'area' or 'area area metres'");
                    }
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + ex.getMessage(), ex);
                }
            }
        }
        if (areas.isEmpty()) {
            throw new IllegalArgumentException("an area map needs at least one area");
        }
        return new AreaMap(areas, edges);
    }

    private static void addArea(List<String> areas, Map<String, Map<String, Double>> edges, String name) {
        checkName(name);
        if (!edges.containsKey(name)) {
            if (areas.size() == MAX_AREAS) {
                throw new IllegalArgumentException("at most " + MAX_AREAS + " areas");
            }
            areas.add(name);
            edges.put(name, new LinkedHashMap<>());
        }
    }

    private static void addEdge(List<String> areas, Map<String, Map<String, Double>> edges,
                                String a, String b, double metres) {
        if (!(metres > 0) || Double.isInfinite(metres)) {
            throw new IllegalArgumentException("distance must be a positive number of metres, got " + metres);
        }
        if (a.equals(b)) {
            throw new IllegalArgumentException("an area is not its own neighbour");
        }
        addArea(areas, edges, a);
        addArea(areas, edges, b);
        Double before = edges.get(a).get(b);
        if (before != null && before != metres) {
            throw new IllegalArgumentException(a + " and " + b + " are already " + before + " m apart");
        }
        edges.get(a).put(b, metres);
        edges.get(b).put(a, metres);
    }

    /** Checks an area name; throws {@link IllegalArgumentException} if it is not a valid one. */
    static String checkName(String name) {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "area name must be 1 to 64 of [A-Za-z0-9._-], got '" + name + "'");
        }
        return name;
    }

    /** The areas in order of definition. */
    public List<String> areas() {
        return areas;
    }

    /** Whether the map has this area. */
    public boolean contains(String area) {
        return index.containsKey(area);
    }

    /** The neighbours of an area (the areas its VNF subscribes to), sorted by name. */
    public Set<String> neighbours(String area) {
        return Collections.unmodifiableSet(new TreeSet<>(edgesOf(area).keySet()));
    }

    /** An area and its neighbours: what that area's tracker listens to. */
    public Set<String> neighbourhood(String area) {
        Set<String> s = new TreeSet<>(neighbours(area));
        s.add(area);
        return Collections.unmodifiableSet(s);
    }

    /** The areas other than {@code area} at most {@code metres} away by the shortest walk, sorted. */
    public Set<String> within(String area, double metres) {
        int i = indexOf(area);
        Set<String> s = new TreeSet<>();
        for (int j = 0; j < areas.size(); j++) {
            if (j != i && distance[i][j] <= metres) {
                s.add(areas.get(j));
            }
        }
        return Collections.unmodifiableSet(s);
    }

    /** The shortest walking distance in metres, empty when no walk joins the two areas. */
    public OptionalDouble distance(String from, String to) {
        double d = distance[indexOf(from)][indexOf(to)];
        return Double.isInfinite(d) ? OptionalDouble.empty() : OptionalDouble.of(d);
    }

    /** The definition of this map, which {@link #parse} reads back as an equal map. */
    public String definition() {
        StringBuilder sb = new StringBuilder();
        Set<String> done = new LinkedHashSet<>();
        for (String a : areas) {
            Map<String, Double> m = edges.get(a);
            if (m.isEmpty()) {
                sb.append(a).append('\n');
            }
            for (Map.Entry<String, Double> e : m.entrySet()) {
                if (!done.contains(e.getKey())) {
                    sb.append(a).append(' ').append(e.getKey()).append(' ').append(format(e.getValue())).append('\n');
                }
            }
            done.add(a);
        }
        return sb.toString();
    }

    private static String format(double metres) {
        return metres == Math.rint(metres) && Math.abs(metres) < 1e15
                ? Long.toString((long) metres) : Double.toString(metres);
    }

    private Map<String, Double> edgesOf(String area) {
        Map<String, Double> m = edges.get(Objects.requireNonNull(area, "area"));
        if (m == null) {
            throw new IllegalArgumentException("unknown area '" + area + "'");
        }
        return m;
    }

    private int indexOf(String area) {
        Integer i = index.get(Objects.requireNonNull(area, "area"));
        if (i == null) {
            throw new IllegalArgumentException("unknown area '" + area + "'");
        }
        return i;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AreaMap other && new LinkedHashSet<>(areas).equals(new LinkedHashSet<>(other.areas))
                && edges.equals(other.edges);
    }

    @Override
    public int hashCode() {
        return edges.hashCode();
    }

    @Override
    public String toString() {
        return "AreaMap" + edges;
    }
}
