package io.stare.deploy.wire;

import io.stare.deploy.cli.UserInputException;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code stare wire}: encode and decode STARE addresses and packets, for operators reading
 * captures and for anyone checking what a switch will see.
 */
@Command(name = "wire",
        mixinStandardHelpOptions = true,
        description = "Encode and decode STARE addresses and whole packets.",
        subcommands = {WireCommand.Encode.class, WireCommand.Decode.class, WireCommand.EncodePacket.class,
                WireCommand.DecodePacket.class})
public final class WireCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "encode", mixinStandardHelpOptions = true,
            description = "Print the IPv4 destination address of a STARE message kind and state.")
    static final class Encode implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--kind", required = true, converter = KindConverter.class,
                description = "publish, sub-ack, sub-remove or sub-register")
        MessageKind kind;

        @Option(names = "--state", required = true, description = "state ID, 0..4194303")
        int state;

        @Override
        public void run() {
            spec.commandLine().getOut().println(address(kind, state).toDottedQuad());
        }
    }

    @Command(name = "decode", mixinStandardHelpOptions = true,
            description = "Decode a STARE IPv4 destination address into its kind and state ID.")
    static final class Decode implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "ADDRESS", description = "dotted-quad address, e.g. 239.192.48.57")
        String address;

        @Override
        public void run() {
            StareAddress decoded = orFail(StareAddress.parse(address), "cannot decode '" + address + "'");
            PrintWriter out = spec.commandLine().getOut();
            out.println("address  " + decoded.toDottedQuad());
            out.println("kind     " + decoded.kind().cliName() + " (M_K " + bits(decoded.kind()) + ")");
            out.println("state    " + decoded.stateId());
        }
    }

    @Command(name = "encode-packet", mixinStandardHelpOptions = true,
            description = "Print a whole IPv4 + UDP + STARE packet as hex, checksums computed.")
    static final class EncodePacket implements Runnable {
        @Spec
        CommandSpec spec;

        @Option(names = "--kind", required = true, converter = KindConverter.class,
                description = "publish, sub-ack, sub-remove or sub-register")
        MessageKind kind;

        @Option(names = "--state", required = true, description = "state ID, 0..4194303")
        int state;

        @Option(names = "--vnf", defaultValue = "0", description = "VNF ID, 0..1023 (default: ${DEFAULT-VALUE})")
        int vnf;

        @Option(names = "--update", defaultValue = "0",
                description = "UPDATE_NO, 0..65535 (default: ${DEFAULT-VALUE})")
        int update;

        @Option(names = "--segments", defaultValue = "1", description = "TOT_SEG, 1..128 (default: ${DEFAULT-VALUE})")
        int segments;

        @Option(names = "--segment", defaultValue = "0", description = "SEGM_NO (default: ${DEFAULT-VALUE})")
        int segment;

        @Option(names = "--source", defaultValue = "127.0.0.1",
                description = "IPv4 source address (default: ${DEFAULT-VALUE})")
        String source;

        @Option(names = "--source-port", defaultValue = "65432",
                description = "UDP source port (default: ${DEFAULT-VALUE})")
        int sourcePort;

        @Option(names = "--ttl", defaultValue = "64", description = "IPv4 TTL (default: ${DEFAULT-VALUE})")
        int ttl;

        @Option(names = "--payload", defaultValue = "", description = "payload as UTF-8 text")
        String payload;

        @Override
        public void run() {
            int sourceAddress = orFail(StareAddress.parseDottedQuad(source), "bad --source");
            StarePacket packet;
            try {
                packet = new StarePacket(sourceAddress, sourcePort, ttl,
                        new StareHeader(kind, state, update, vnf, segments, segment),
                        payload.getBytes(StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new UserInputException(e.getMessage());
            }
            spec.commandLine().getOut().println(HexFormat.of().formatHex(PacketCodec.encode(packet)));
        }
    }

    @Command(name = "decode-packet", mixinStandardHelpOptions = true,
            description = "Decode a whole IPv4 + UDP + STARE packet given as hex (spaces, colons and a 0x prefix "
                    + "are ignored; '-' reads the hex from standard input).")
    static final class DecodePacket implements Runnable {
        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "HEX", description = "the packet bytes in hex, from the IPv4 header on")
        String hex;

        @Option(names = "--ignore-checksums",
                description = "accept wrong IPv4/UDP checksums (captures taken before checksum offload)")
        boolean ignoreChecksums;

        @Override
        public void run() {
            byte[] bytes = parseHex("-".equals(hex) ? readStdin() : hex);
            PacketCodec.ChecksumPolicy policy =
                    ignoreChecksums ? PacketCodec.ChecksumPolicy.IGNORE : PacketCodec.ChecksumPolicy.VERIFY;
            StarePacket packet = orFail(PacketCodec.decode(ByteBuffer.wrap(bytes), policy), "cannot decode packet");
            StareHeader h = packet.header();
            PrintWriter out = spec.commandLine().getOut();
            out.println("ipv4     " + StareAddress.dottedQuad(packet.sourceAddress()) + " -> "
                    + packet.destination().toDottedQuad() + "  ttl " + packet.ttl() + "  length "
                    + packet.totalLength());
            out.println("udp      " + packet.sourcePort() + " -> " + StareAddress.UDP_PORT);
            out.println("kind     " + h.kind().cliName() + " (M_K " + bits(h.kind()) + ")");
            out.println("state    " + h.stateId());
            out.println("vnf      " + h.vnfId());
            out.println("update   " + h.updateNo());
            out.println("segment  " + (h.segmentNo() + 1) + " of " + h.totalSegments());
            byte[] payload = packet.payload();
            int shown = Math.min(payload.length, 64);
            out.println("payload  " + payload.length + " bytes"
                    + (payload.length == 0 ? "" : ": " + HexFormat.of().formatHex(payload, 0, shown)
                    + (shown < payload.length ? "..." : "")));
        }

        private String readStdin() {
            try (InputStream in = System.in) {
                return new String(in.readNBytes(1 << 20), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new UserInputException("cannot read standard input: " + e.getMessage());
            }
        }
    }

    static byte[] parseHex(String text) {
        String cleaned = text.strip().toLowerCase(Locale.ROOT);
        if (cleaned.startsWith("0x")) {
            cleaned = cleaned.substring(2);
        }
        cleaned = cleaned.replaceAll("[\\s:]", "");
        if (cleaned.isEmpty()) {
            throw new UserInputException("no hex digits given");
        }
        if (cleaned.length() % 2 != 0) {
            throw new UserInputException("hex has an odd number of digits (" + cleaned.length() + ")");
        }
        try {
            return HexFormat.of().parseHex(cleaned);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("not hex: " + e.getMessage());
        }
    }

    private static StareAddress address(MessageKind kind, int state) {
        try {
            return new StareAddress(kind, state);
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    private static String bits(MessageKind kind) {
        return String.valueOf((kind.code() >> 1) & 1) + (kind.code() & 1);
    }

    private static <T> T orFail(DecodeResult<T> result, String what) {
        if (result instanceof DecodeResult.Failure<T> failure) {
            throw new UserInputException(what + ": " + failure.error());
        }
        return result.orElseThrow();
    }

    /** Lets picocli turn "sub-register" into a {@link MessageKind}, with the protocol's error text. */
    static final class KindConverter implements picocli.CommandLine.ITypeConverter<MessageKind> {
        @Override
        public MessageKind convert(String value) {
            DecodeResult<MessageKind> kind = MessageKind.parse(value);
            if (!kind.isOk()) {
                throw new picocli.CommandLine.TypeConversionException(kind.errorOrNull().detail());
            }
            return kind.orElseThrow();
        }
    }
}
