package io.stare.p4.topology;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plain-text topology format of {@code stare softswitch --topology FILE} and
 * {@code stare topology show FILE}. One declaration per line, words separated by blanks;
 * {@code #} starts a comment that runs to the end of the line; blank lines are ignored.
 *
 * <pre>
 * switch NAME ports N     a switch with N front ports, numbered 0..N-1
 * link A:i B:j            port i of switch A is linked to port j of switch B
 * host NAME S:k           host NAME is attached to port k of switch S
 * </pre>
 *
 * A switch must be declared before a line uses it. Names are 1 to 64 characters from
 * {@code [A-Za-z0-9_.-]}, unique across switches and hosts; a port carries one link or one host.
 * Example, two switches with a host each:
 *
 * <pre>
 * # two switches in a row
 * switch s1 ports 2
 * switch s2 ports 2
 * link s1:1 s2:0
 * host h1 s1:0      # the publisher
 * host h2 s2:1
 * </pre>
 *
 * Parsing never throws on bad text: it returns a {@link ParseResult.Error} naming the line.
 */
public final class TopologyFile {

    private static final Pattern WORDS = Pattern.compile("\\s+");
    private static final Pattern ENDPOINT = Pattern.compile("([^:\\s]+):(\\d{1,9})");
    private static final Pattern NUMBER = Pattern.compile("\\d{1,9}");

    private TopologyFile() {
    }

    /** A parsed topology or the first error. */
    public sealed interface ParseResult permits ParseResult.Parsed, ParseResult.Error {

        /** The file described a valid topology. */
        record Parsed(Topology topology) implements ParseResult {
            public Parsed {
                Objects.requireNonNull(topology, "topology");
            }
        }

        /**
         * The first problem found.
         *
         * @param line the 1-based line number, or 0 for a problem with the file as a whole
         * @param message what is wrong
         */
        record Error(int line, String message) implements ParseResult {
            @Override
            public String toString() {
                return line > 0 ? "line " + line + ": " + message : message;
            }
        }

        /** The topology; throws {@link IllegalArgumentException} with the error text on an error. */
        default Topology orElseThrow() {
            if (this instanceof Parsed parsed) {
                return parsed.topology();
            }
            throw new IllegalArgumentException(toString());
        }
    }

    /** Parses topology text. */
    public static ParseResult parse(String text) {
        Topology.Builder builder = Topology.builder();
        String[] lines = text.split("\r?\n|\r", -1);
        int switches = 0;
        for (int i = 0; i < lines.length; i++) {
            int lineNo = i + 1;
            String line = lines[i];
            int hash = line.indexOf('#');
            String content = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (content.isEmpty()) {
                continue;
            }
            String[] words = WORDS.split(content);
            try {
                switch (words[0]) {
                    case "switch" -> {
                        if (words.length != 4 || !words[2].equals("ports") || !NUMBER.matcher(words[3]).matches()) {
                            return new ParseResult.Error(lineNo, "expected 'switch NAME ports N', got '" + content + "'");
                        }
                        builder.addSwitch(words[1], Integer.parseInt(words[3]));
                        switches++;
                    }
                    case "link" -> {
                        Matcher a = words.length == 3 ? ENDPOINT.matcher(words[1]) : null;
                        Matcher b = words.length == 3 ? ENDPOINT.matcher(words[2]) : null;
                        if (a == null || !a.matches() || !b.matches()) {
                            return new ParseResult.Error(lineNo, "expected 'link SWITCH:PORT SWITCH:PORT', got '" + content + "'");
                        }
                        builder.addLink(a.group(1), Integer.parseInt(a.group(2)), b.group(1), Integer.parseInt(b.group(2)));
                    }
                    case "host" -> {
                        Matcher at = words.length == 3 ? ENDPOINT.matcher(words[2]) : null;
                        if (at == null || !at.matches()) {
                            return new ParseResult.Error(lineNo, "expected 'host NAME SWITCH:PORT', got '" + content + "'");
                        }
                        builder.addHost(words[1], at.group(1), Integer.parseInt(at.group(2)));
                    }
                    default -> {
                        return new ParseResult.Error(lineNo,
                                "unknown declaration '" + words[0] + "' (expected switch, link or host)");
                    }
                }
            } catch (IllegalArgumentException e) {
                return new ParseResult.Error(lineNo, e.getMessage());
            }
        }
        if (switches == 0) {
            return new ParseResult.Error(0, "the topology declares no switch");
        }
        return new ParseResult.Parsed(builder.build());
    }

    /**
     * Reads and parses a topology file (UTF-8).
     *
     * @throws IOException if the file cannot be read
     */
    public static ParseResult read(Path file) throws IOException {
        return parse(Files.readString(file, StandardCharsets.UTF_8));
    }

    /** The topology in this format: switches, then links, then hosts; parsing it gives the same topology. */
    public static String format(Topology topology) {
        StringBuilder text = new StringBuilder();
        for (Topology.Switch sw : topology.switches()) {
            text.append("switch ").append(sw.name()).append(" ports ").append(sw.ports()).append('\n');
        }
        for (Topology.Link link : topology.links()) {
            text.append("link ").append(link.a()).append(' ').append(link.b()).append('\n');
        }
        for (Topology.Host host : topology.hosts()) {
            text.append("host ").append(host.name()).append(' ').append(host.attachment()).append('\n');
        }
        return text.toString();
    }
}
