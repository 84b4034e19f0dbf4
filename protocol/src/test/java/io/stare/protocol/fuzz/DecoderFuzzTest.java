package io.stare.protocol.fuzz;

import static org.junit.jupiter.api.Assertions.fail;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StareFrameFlyweight;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.vnf.VnfFrameCodec;
import io.stare.protocol.vnf.VnfFrameDecoder;
import io.stare.protocol.vnf.VnfMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzing of every decoder of untrusted bytes: valid frames (STARE packets, Ethernet
 * frames, VNF frames) are mutated (bytes flipped, lengths set to extremes, truncated, extended,
 * spliced, or replaced by random bytes) and fed to {@link PacketCodec#decode}, {@link
 * StareFrameFlyweight#validate}, {@link StareHeader#read}, {@link StareAddress#parse}, {@link
 * VnfFrameCodec#decode} and a {@link VnfFrameDecoder} in random chunks. A decoder may refuse, never
 * throw, and never take a second over one input.
 *
 * <p>Every build fuzzes for 2 seconds; {@code -Dstare.fuzz.seconds=N} (the {@code fuzz} Maven
 * profile: {@code ./mvnw -Pfuzz -pl protocol test}) for as long as wanted, with {@code
 * -Dstare.fuzz.seed=S} to replay a run. An input that breaks a decoder is written to {@code
 * target/fuzz-findings/} and the test fails naming it; kept in {@code src/test/resources/fuzz/}
 * (listed in {@code corpus.txt}) it is replayed on every build.
 */
class DecoderFuzzTest {

    private static final long HANG_NANOS = TimeUnit.SECONDS.toNanos(1);

    @Test
    void noDecoderThrowsOrHangsOnMutatedInput() throws Exception {
        long seconds = Long.getLong("stare.fuzz.seconds", 2);
        long seed = Long.getLong("stare.fuzz.seed", System.nanoTime());
        Random random = new Random(seed);
        List<byte[]> seeds = seeds();
        long inputs = 0;
        for (byte[] regression : corpus()) {
            check(regression, random, seed);
            inputs++;
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            check(mutate(seeds.get(random.nextInt(seeds.size())), seeds, random), random, seed);
            inputs++;
        }
        System.out.printf("decoder fuzzing: %,d inputs in %d s, seed %d%n", inputs, seconds, seed);
    }

    /** Valid inputs of every format, to mutate. */
    private static List<byte[]> seeds() {
        List<byte[]> seeds = new ArrayList<>();
        for (MessageKind kind : MessageKind.values()) {
            StareHeader header = kind == MessageKind.PUBLISH ? new StareHeader(kind, 4242, 7, 3, 2, 1)
                    : StareHeader.subscription(kind, 4242, 9, 5);
            byte[] packet = PacketCodec.encode(new StarePacket(0x7f000001, 40000, 64, header,
                    kind == MessageKind.PUBLISH ? "payload".getBytes(StandardCharsets.UTF_8) : new byte[0]));
            seeds.add(packet);
            seeds.add(Ethernet.wrapIpv4Multicast(0x020000000001L, packet));
            seeds.add(header.toBytes());
        }
        for (VnfMessage message : List.of(new VnfMessage.Hello(1, 1, "fuzz"),
                new VnfMessage.RegisterVnf(1, "vnf", "token", true), new VnfMessage.DeclarePublishState(2, "state"),
                new VnfMessage.Subscribe(3, "state", 17), new VnfMessage.Publish(4, 4242, new byte[] {1, 2, 3}),
                new VnfMessage.Deliver(4242, 3, 70_000, new byte[] {4, 5}),
                new VnfMessage.LossNotice(4242, 5, 9, VnfMessage.LossNotice.Outcome.UNRECOVERABLE))) {
            seeds.add(VnfFrameCodec.encode(message));
        }
        seeds.add("239.1.2.3".getBytes(StandardCharsets.US_ASCII));
        return seeds;
    }

    private static byte[] mutate(byte[] original, List<byte[]> seeds, Random random) {
        byte[] bytes = original.clone();
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations; m++) {
            switch (random.nextInt(7)) {
                case 0 -> { // flip a byte
                    if (bytes.length > 0) {
                        bytes[random.nextInt(bytes.length)] ^= (byte) (1 + random.nextInt(255));
                    }
                }
                case 1 -> { // an extreme value where a length or a count may be
                    if (bytes.length >= 4) {
                        int at = random.nextInt(bytes.length - 3);
                        int value = List.of(0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 65535, 1 << 24)
                                .get(random.nextInt(6));
                        ByteBuffer.wrap(bytes).putInt(at, value);
                    }
                }
                case 2 -> bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)); // truncate
                case 3 -> { // extend with random bytes
                    byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(64));
                    for (int i = bytes.length; i < longer.length; i++) {
                        longer[i] = (byte) random.nextInt(256);
                    }
                    bytes = longer;
                }
                case 4 -> { // splice another seed's tail
                    byte[] other = seeds.get(random.nextInt(seeds.size()));
                    int cut = random.nextInt(bytes.length + 1);
                    int from = random.nextInt(other.length + 1);
                    byte[] spliced = java.util.Arrays.copyOf(bytes, cut + other.length - from);
                    System.arraycopy(other, from, spliced, cut, other.length - from);
                    bytes = spliced;
                }
                case 5 -> { // all random
                    bytes = new byte[random.nextInt(128)];
                    random.nextBytes(bytes);
                }
                default -> { // a byte set to 0 or 0xff
                    if (bytes.length > 0) {
                        bytes[random.nextInt(bytes.length)] = (byte) (random.nextBoolean() ? 0 : 0xff);
                    }
                }
            }
        }
        return bytes;
    }

    private static void check(byte[] input, Random random, long seed) throws IOException {
        long start = System.nanoTime();
        try {
            PacketCodec.decode(input);
            PacketCodec.decode(ByteBuffer.wrap(input), PacketCodec.ChecksumPolicy.VERIFY);
            new StareFrameFlyweight().wrap(ByteBuffer.wrap(input), 0, input.length).validate();
            StareHeader.read(input);
            StareAddress.parse(new String(input, StandardCharsets.ISO_8859_1));
            if (input.length > 0) {
                VnfFrameCodec.decode(input[0] & 0xff, java.util.Arrays.copyOfRange(input, 1, input.length));
            }
            VnfFrameDecoder decoder = new VnfFrameDecoder(4096);
            for (int at = 0; at < input.length; ) {
                int chunk = 1 + random.nextInt(input.length - at);
                decoder.feed(input, at, chunk);
                at += chunk;
            }
        } catch (RuntimeException | StackOverflowError e) {
            fail("a decoder threw on " + keep(input) + " (seed " + seed + "): " + e, e);
        }
        if (System.nanoTime() - start > HANG_NANOS) {
            fail("the decoders took over a second on " + keep(input) + " (seed " + seed + ")");
        }
    }

    /** Writes a breaking input to target/fuzz-findings/ and names it, with its bytes. */
    private static String keep(byte[] input) throws IOException {
        Path findings = Files.createDirectories(Path.of("target", "fuzz-findings"));
        String hex = HexFormat.of().formatHex(input);
        Path file = findings.resolve(Integer.toHexString(hex.hashCode()) + ".bin");
        Files.write(file, input);
        return file.toAbsolutePath() + " (" + hex + ")";
    }

    /** The regression inputs listed in src/test/resources/fuzz/corpus.txt, hex one per line. */
    private static List<byte[]> corpus() throws IOException {
        List<byte[]> inputs = new ArrayList<>();
        try (InputStream in = DecoderFuzzTest.class.getResourceAsStream("/fuzz/corpus.txt")) {
            if (in == null) {
                return inputs;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                String hex = line.strip();
                if (!hex.isEmpty() && !hex.startsWith("#")) {
                    inputs.add(HexFormat.of().parseHex(hex));
                }
            }
        }
        return inputs;
    }
}
