package io.stare.p4.bmv2;

import io.stare.p4.pipeline.CpuHeaders;
import io.stare.protocol.address.MessageKind;
import java.util.Arrays;
import java.util.List;

/**
 * Input our senders never produce, for {@link SwitchConformance#exoticInputMatchesTheJavaPipeline}:
 * broken, truncated or unusual frames and packet-outs, each of which should have the same effect on
 * the switch as on the Java pipeline (frames, packet-ins, drop-counter increments).
 *
 * <p>Where the compiled P4 program is known to behave differently, the probe says why
 * ({@link Probe#p4Divergence()}); the test then requires BMv2 to still differ, so that fixing the
 * program (or the Java pipeline) makes the test point at the mark to remove. Each is reported in
 * the change that added these tests.
 *
 * <p>The switch is expected to hold: group 0b0010 and 0b0011, route {@code routedPrefix/24 -> 3},
 * and host port 1 subscribed to state 77 (so a Publish for 77 from port 0 leaves by port 1).
 */
final class ExoticInput {


    private ExoticInput() {
    }

    /**
     * A frame into a front port ({@code packetOut == null}) or a packet-out with payload {@code bytes}.
     *
     * @param p4Divergence why the P4 program differs from the Java pipeline here, or null if it does not
     */
    record Probe(String name, int port, byte[] bytes, CpuHeaders.PacketOut packetOut, String p4Divergence) {

        static Probe frame(String name, int port, byte[] frame) {
            return new Probe(name, port, frame, null, null);
        }

        static Probe packetOut(String name, CpuHeaders.PacketOut header, byte[] payload) {
            return new Probe(name, -1, payload, header, null);
        }

        /** The same probe, known to have another effect on the P4 program, for {@code reason}. */
        Probe divergesInP4(String reason) {
            return new Probe(name, port, bytes, packetOut, reason);
        }
    }

    static List<Probe> probes(int routedPrefix) {
        byte[] publish = Frames.publish(77, 1, 2, new byte[] {1, 2, 3, 4});
        byte[] routed = Frames.udp(Frames.ip(1), routedPrefix | 9, new byte[] {1, 2, 3, 4});
        // Long enough for the parser to find a "STARE header" after the UDP header.
        byte[] routedToStarePort = Frames.edit(Frames.udp(Frames.ip(1), routedPrefix | 9, new byte[12]),
                b -> b.putShort(Frames.UDP + 2, (short) 65432).putShort(Frames.UDP + 6, (short) 0x1234), 0);
        byte[] nop4 = {1, 1, 1, 1};
        int ip = 20;
        return List.of(
                Probe.frame("Publish padded to 60 bytes", 0, Frames.padded(publish, 60 - publish.length)),
                Probe.frame("SUB-register padded to 60 bytes", 2,
                        Frames.padded(Frames.sub(MessageKind.SUB_REGISTER, 20, 1, 3, 64), 10)),
                Probe.frame("Publish with UDP checksum 0", 0,
                        Frames.edit(publish, b -> b.putShort(Frames.UDP + 6, (short) 0), 0)),
                Probe.frame("Publish with a bad UDP checksum", 0,
                        Frames.edit(publish, b -> b.putShort(Frames.UDP + 6, (short) 0x1234), 0)),
                Probe.frame("Publish with MF set", 0, Frames.edit(publish, b -> b.putShort(Frames.IP + 6, (short) 0x2000), ip)),
                Probe.frame("Publish with a fragment offset", 0,
                        Frames.edit(publish, b -> b.putShort(Frames.IP + 6, (short) 0x0001), ip)),
                Probe.frame("Publish with the reserved flag", 0,
                        Frames.edit(publish, b -> b.putShort(Frames.IP + 6, (short) 0x8000), ip)),
                Probe.frame("Publish with TTL 1", 0, Frames.edit(publish, b -> b.put(Frames.IP + 8, (byte) 1), ip)),
                Probe.frame("SUB-register with TTL 0", 1, Frames.sub(MessageKind.SUB_REGISTER, 21, 1, 1, 0)),
                Probe.frame("Publish whose STARE header disagrees with the address", 0,
                        Frames.edit(publish, b -> b.put(Frames.STARE + 2, (byte) 78), 0)),
                Probe.frame("Publish with SEGM_NO beyond TOT_SEG", 0,
                        Frames.edit(publish, b -> b.put(Frames.STARE + 7, (byte) 5), 0)),
                Probe.frame("STARE packet cut after the UDP header", 0, Arrays.copyOf(
                        Frames.edit(publish, b -> b.putShort(Frames.IP + 2, (short) 28), ip), Frames.STARE)),
                Probe.frame("UDP to 239/8 on another port", 0, Frames.udp(Frames.ip(1), 0xef00004d, new byte[] {1})),
                Probe.frame("TCP to a STARE address", 0, Frames.edit(publish, b -> b.put(Frames.IP + 9, (byte) 6), ip)),
                Probe.frame("ARP EtherType", 0, Frames.edit(publish, b -> b.putShort(12, (short) 0x0806), 0)),
                Probe.frame("802.3 length field", 0, Frames.edit(publish, b -> b.putShort(12, (short) 0x0040), 0)),
                Probe.packetOut("FORWARD out of port 9", CpuHeaders.PacketOut.forward(9), routed),
                Probe.packetOut("READ of 9 values", new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 9, 0), new byte[0]),
                Probe.packetOut("READ across the end", new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 2, 2047), new byte[0]),
                Probe.packetOut("SET_CLONE_FLAG 2", new CpuHeaders.PacketOut(CpuHeaders.Op.SET_CLONE_FLAG, 0, 0, 2),
                        new byte[0]),

                // Once differences of the P4 program, now the same on both.
                Probe.frame("Publish with IP version 6", 0, Frames.edit(publish, b -> b.put(Frames.IP, (byte) 0x65), ip)),
                Probe.frame("Publish with IHL 4", 0, Frames.edit(publish, b -> b.put(Frames.IP, (byte) 0x44), 16)),
                Probe.frame("Publish with a total length beyond the frame", 0,
                        Frames.edit(publish, b -> b.putShort(Frames.IP + 2, (short) 200), ip)),
                Probe.frame("Publish with total length 30", 0,
                        Frames.edit(publish, b -> b.putShort(Frames.IP + 2, (short) 30), ip)),
                Probe.frame("Publish with UDP length + 2 and UDP checksum 0", 0, Frames.edit(publish, b -> b
                        .putShort(Frames.UDP + 4, (short) (b.getShort(Frames.UDP + 4) + 2))
                        .putShort(Frames.UDP + 6, (short) 0), 0)),
                Probe.frame("STARE packet cut inside the UDP header", 0, Arrays.copyOf(
                        Frames.edit(publish, b -> b.putShort(Frames.IP + 2, (short) 24), ip), Frames.UDP + 4)),
                Probe.frame("IPv4 EtherType with 10 bytes of IPv4", 0, Arrays.copyOf(publish, Frames.IP + 10)),
                Probe.frame("UDP to 224/4 port 65432", 0,
                        Frames.edit(publish, b -> b.put(Frames.IP + 16, (byte) 0xe0), ip)),
                Probe.frame("routed UDP to port 65432 with a bad UDP checksum", 0, routedToStarePort),
                Probe.frame("Publish with IPv4 options", 0, Frames.withIpOptions(publish, nop4)),
                Probe.frame("routed UDP with IPv4 options", 0, Frames.withIpOptions(routed, nop4)),
                Probe.frame("routed UDP with IPv4 options and a bad checksum", 0, Frames.edit(
                        Frames.withIpOptions(routed, nop4), b -> b.put(Frames.IP + 10, (byte) 0x5a), 0)),
                Probe.packetOut("FORWARD a 5-byte payload", CpuHeaders.PacketOut.forward(2), new byte[] {1, 2, 3, 4, 5}),
                Probe.packetOut("FORWARD a frame with a bad IPv4 checksum", CpuHeaders.PacketOut.forward(2),
                        Frames.edit(routed, b -> b.put(Frames.IP + 10, (byte) 0x5a), 0)),
                Probe.packetOut("READ with a payload", new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 1, 77),
                        new byte[] {9, 9, 9, 9}),
                Probe.packetOut("WRITE of count 1 with 8 bytes", new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 1, 30),
                        new byte[] {0, 0, 0, 1, 0, 0, 0, 2}),
                Probe.packetOut("WRITE of count 2 with 4 bytes", new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 2, 31),
                        new byte[] {0, 0, 0, 1}));
    }
}
