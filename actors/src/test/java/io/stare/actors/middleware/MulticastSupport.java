package io.stare.actors.middleware;


import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.frame.ServerFrames;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import io.stare.testing.TestTime;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Helpers of the tests of the multicast transport on the loopback interface. */
final class MulticastSupport {

    static final String LOOPBACK = "lo";

    private MulticastSupport() {
    }

    /** The multicast settings the tests use: loopback, the STARE port, the given per-socket limit. */
    static MiddlewareSettings.MulticastSettings onLoopback(int maxMembershipsPerSocket) {
        return MiddlewareSettings.MulticastSettings.DEFAULT.withInterface(LOOPBACK)
                .withMaxMembershipsPerSocket(maxMembershipsPerSocket);
    }

    /**
     * A base for the tests' state IDs, random per run, so that a concurrent run on the same host
     * (whose groups this host's sockets also hear) uses other states.
     */
    static int randomStateBase() {
        return 1_000 + new java.util.Random().nextInt(StareAddress.MAX_STATE_ID - 10_000);
    }

    /** The IPv4 multicast groups the kernel holds on {@code device}, from /proc/net/igmp. */
    static Set<Integer> igmpGroups(String device) {
        Set<Integer> groups = new HashSet<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc/net/igmp"));
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/net/igmp", e);
        }
        String current = null;
        for (String line : lines) {
            if (line.isEmpty()) {
                continue;
            }
            if (!Character.isWhitespace(line.charAt(0))) {
                String[] fields = line.trim().split("\\s+");
                current = fields.length > 1 && Character.isDigit(fields[0].charAt(0)) ? fields[1] : null;
            } else if (device.equals(current)) {
                String hex = line.trim().split("\\s+")[0];
                // Little-endian hex: 239.0.48.57 is 393000EF.
                groups.add(Integer.reverseBytes((int) Long.parseLong(hex, 16)));
            }
        }
        return groups;
    }

    /** IPv4 UDP sockets of this host bound to local port {@code port}, from /proc/net/udp. */
    static long udpSocketsOnPort(int port) {
        String suffix = String.format(java.util.Locale.ROOT, ":%04X", port);
        try {
            return Files.readAllLines(Path.of("/proc/net/udp")).stream().skip(1)
                    .map(line -> line.trim().split("\\s+")[1])
                    .filter(local -> local.endsWith(suffix))
                    .count();
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/net/udp", e);
        }
    }

    /** Whether the kernel holds {@code group} on loopback. */
    static boolean heldOnLoopback(StareAddress group) {
        return igmpGroups(LOOPBACK).contains(group.toInt());
    }

    /** Waits until {@code condition} holds, at most {@code within} ({@link TestTime}). */
    static void eventually(BooleanSupplier condition, Duration within, Supplier<String> what) {
        TestTime.eventually(within, () -> org.junit.jupiter.api.Assertions.assertTrue(condition.getAsBoolean(),
                () -> "waiting for " + what.get()));
    }

    /** A publish frame as a middleware hands it to MAIN SEND. */
    static byte[] publishFrame(int state, int updateNo, int vnfId, byte[] payload) {
        StareHeader header = new StareHeader(MessageKind.PUBLISH, state, updateNo, vnfId, 1, 0);
        return Ethernet.wrapIpv4Multicast(0x02_00_00_00_00_01L,
                PacketCodec.encode(new StarePacket(0x7f000001, 40_000, StarePacket.DEFAULT_TTL, header, payload)));
    }

    /** What MAIN RECEIVE handed on: decoded frames, in order. */
    static final class Inbox {
        private final List<StarePacket> packets = new ArrayList<>();
        final AtomicLong undecodable = new AtomicLong();

        /** One frame heard: kept if it decodes, counted if not. */
        void add(byte[] frame) {
            DecodeResult<StarePacket> decoded = ServerFrames.decode(frame);
            if (decoded.isOk()) {
                synchronized (this) {
                    packets.add(decoded.orElseThrow());
                }
            } else {
                undecodable.incrementAndGet();
            }
        }

        synchronized List<StarePacket> packets() {
            return List.copyOf(packets);
        }

        synchronized List<StarePacket> of(int state) {
            return packets.stream().filter(p -> p.header().stateId() == state).toList();
        }

        synchronized int size() {
            return packets.size();
        }
    }

    /** A plain socket that sends raw datagrams to STARE groups on loopback. */
    static final class RawSender implements AutoCloseable {
        private final DatagramChannel channel;

        RawSender() throws IOException {
            channel = DatagramChannel.open(StandardProtocolFamily.INET);
            channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, NetworkInterface.getByName(LOOPBACK));
            channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            channel.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        }

        void send(StareAddress group, byte[] datagram) throws IOException {
            channel.send(ByteBuffer.wrap(datagram),
                    new InetSocketAddress(InetAddress.getByAddress(group.toBytes()), StareAddress.UDP_PORT));
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
