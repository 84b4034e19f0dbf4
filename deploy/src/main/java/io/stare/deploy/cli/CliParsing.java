package io.stare.deploy.cli;

import io.stare.p4.topology.Topology;
import io.stare.p4.topology.TopologyFile;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsing of the option values several commands share, with one-line errors for the user. */
public final class CliParsing {

    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

    private CliParsing() {
    }

    /** {@code HOST:PORT}, port 0..65535. */
    public static InetSocketAddress address(String option, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new UserInputException(option + " '" + text + "' is not HOST:PORT");
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new UserInputException(option + " '" + text + "' has a port that is not a number");
        }
        if (port < 0 || port > 65535) {
            throw new UserInputException("port " + port + " in " + option + " '" + text + "' is out of range 0..65535");
        }
        return new InetSocketAddress(text.substring(0, colon), port);
    }

    /** A P4Runtime switch address: {@code HOST:PORT} with a real port. */
    public static InetSocketAddress switchAddress(String text) {
        InetSocketAddress address = address("--switch", text);
        if (address.getPort() == 0) {
            throw new UserInputException("--switch needs a port, not 0");
        }
        return address;
    }

    /** A P4Runtime election ID: an unsigned 128-bit number. */
    public static java.math.BigInteger electionId(java.math.BigInteger id) {
        if (id.signum() < 0 || id.bitLength() > 128) {
            throw new UserInputException("--election-id must be 0..2^128-1");
        }
        return id;
    }

    /** A duration like {@code 500ms}, {@code 30s}, {@code 5m} or {@code 1h}. */
    public static Duration duration(String option, String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new UserInputException(option + " '" + text + "' is not a duration like 500ms, 30s, 5m or 1h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    /** A topology file, or a one-line error naming the file and line. */
    public static Topology topology(Path file) {
        try {
            TopologyFile.ParseResult result = TopologyFile.read(file);
            if (result instanceof TopologyFile.ParseResult.Error error) {
                throw new UserInputException(file + ":" + error.line() + ": " + error.message());
            }
            return ((TopologyFile.ParseResult.Parsed) result).topology();
        } catch (IOException e) {
            throw new UserInputException("cannot read topology file " + file + ": " + e.getMessage());
        }
    }
}
