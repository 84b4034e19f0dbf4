package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.StarePacket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * The fast path of each pipeline does what the slow path does, or nothing. Two identical pipelines
 * are built up through the same writes (register mode: real SUB frames through {@code process};
 * embedded mode: the controller's decisions, as the agent applies them, plus odd groups and entries
 * of an operator's); then, frame by frame, one runs {@code process} and its twin
 * {@code forwardInPlace}. A mask means the same ports in the same order, the same bytes and the same
 * counters; {@link Pipeline#SLOW} means an untouched frame and untouched counters, and only for
 * frames the fast path cannot express (then both run {@code process} to stay twins).
 */
class FastPathProperties {

    private static final int STEPS = 150;
    private static final int REGISTER_STATES = 6;

    /** Where a frame is put for the fast path. */
    enum Placement {
        HEAP_EXACT, HEAP_INSIDE, DIRECT_INSIDE, LITTLE_ENDIAN_DIRECT, READ_ONLY
    }

    @Property(tries = 150)
    void registerFastPathMatchesTheSlowPath(@ForAll @IntRange(min = 1, max = 8) int ports, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        RegisterPipeline slow = new RegisterPipeline(ports, REGISTER_STATES);
        RegisterPipeline fast = new RegisterPipeline(ports, REGISTER_STATES);
        for (RegisterPipeline pipeline : List.of(slow, fast)) {
            assertTrue(pipeline.replication().installPortMaskGroups(ports).isDone());
        }
        for (int step = 0; step < STEPS; step++) {
            int choice = random.nextInt(20);
            if (choice < 6) {
                // A SUB message changes state_ports on both, as a subscriber's middleware would.
                byte[] sub = StareFrames.sub(random.nextBoolean() ? MessageKind.SUB_REGISTER : MessageKind.SUB_REMOVE,
                        random.nextInt(REGISTER_STATES + 2), step, 1 + random.nextInt(5));
                int port = random.nextInt(ports);
                assertEquals(slow.process(port, sub), fast.process(port, sub));
            } else if (choice == 6) {
                long tree = random.nextLong(1L << ports);
                slow.setTreePorts(tree);
                fast.setTreePorts(tree);
            } else if (choice < 9) {
                // Aimed at the group a Publish would use: its state's mask without one port.
                int inUse = (int) (slow.statePorts().read(random.nextInt(REGISTER_STATES))
                        & ~PortMask.bit(random.nextInt(ports)));
                changeGroups(random, ports, inUse, slow.replication(), fast.replication());
            } else {
                checkFrame(slow, fast, frame(random, REGISTER_STATES + 2), random.nextInt(ports), random);
            }
        }
        assertArrayEquals(slow.statePorts().snapshot(), fast.statePorts().snapshot());
    }

    @Property(tries = 150)
    void embeddedFastPathMatchesTheSlowPath(@ForAll @IntRange(min = 1, max = 8) int ports, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        EmbeddedPipeline slow = new EmbeddedPipeline(ports, 16);
        EmbeddedPipeline fast = new EmbeddedPipeline(ports, 16);
        EmbeddedController controller = new EmbeddedController(ports, random.nextLong(1L << ports), 16);
        int states = 8;
        for (int step = 0; step < STEPS; step++) {
            int choice = random.nextInt(20);
            if (choice < 5) {
                // A SUB message through the pipeline to the controller, whose decisions reach both twins.
                byte[] sub = StareFrames.sub(random.nextBoolean() ? MessageKind.SUB_REGISTER : MessageKind.SUB_REMOVE,
                        random.nextInt(states), step, 1 + random.nextInt(5));
                int port = random.nextInt(ports);
                PipelineResult punted = slow.process(port, sub);
                assertEquals(punted, fast.process(port, sub));
                for (PipelineResult.PacketInMessage packetIn : punted.packetIns()) {
                    if (controller.onPacketIn(packetIn) instanceof EmbeddedController.Act act) {
                        apply(act, slow, fast);
                    }
                }
            } else if (choice == 5) {
                controller.setTreePorts(random.nextLong(1L << ports));
            } else if (choice < 8) {
                int inUse = slow.stateForwarding().lookup(random.nextInt(states)).orElse(0);
                changeGroups(random, ports, inUse, slow.replication(), fast.replication());
            } else if (choice == 8) {
                // An entry of an operator's: any state, any group, installed or not.
                int state = random.nextInt(states);
                int group = 1 + random.nextInt((1 << ports) + 2);
                int operation = random.nextInt(3);
                for (StateGroupTable table : List.of(slow.stateForwarding(), fast.stateForwarding())) {
                    switch (operation) {
                        case 0 -> table.insert(state, group);
                        case 1 -> table.modify(state, group);
                        default -> table.delete(state);
                    }
                }
                assertEquals(slow.stateForwarding().entries(), fast.stateForwarding().entries());
            } else {
                checkFrame(slow, fast, frame(random, states), random.nextInt(ports), random);
            }
        }
    }

    /** Runs the slow path on {@code slow} and the fast path on {@code fast}, and compares. */
    private static void checkFrame(Pipeline slow, Pipeline fast, byte[] frame, int port, SplittableRandom random) {
        PipelineResult expected = slow.process(port, frame);
        long[] countersBefore = fast.drops().snapshot();

        // A read-only buffer is always declined: one frame in ten is enough to show it.
        Placement placement = random.nextInt(10) == 0 ? Placement.READ_ONLY
                : Placement.values()[random.nextInt(Placement.READ_ONLY.ordinal())];
        int offset = placement == Placement.HEAP_EXACT ? 0 : random.nextInt(40);
        int slack = placement == Placement.HEAP_EXACT ? 0 : random.nextInt(40);
        ByteBuffer buffer = place(frame, placement, offset, slack, random);
        byte[] before = contents(buffer);
        int position = buffer.position();

        long mask = fast.forwardInPlace(port, buffer, offset, frame.length);
        byte[] after = contents(buffer);
        assertEquals(position, buffer.position());
        assertEquals(before.length, buffer.limit());
        // Nothing outside the frame is ever written.
        assertArrayEquals(Arrays.copyOf(before, offset), Arrays.copyOf(after, offset));
        assertArrayEquals(Arrays.copyOfRange(before, offset + frame.length, before.length),
                Arrays.copyOfRange(after, offset + frame.length, after.length));

        boolean publish = isValidPublish(frame);
        List<Integer> slowPorts = expected.emissions().stream().map(PipelineResult.Emission::port).toList();
        if (mask == Pipeline.SLOW) {
            Statistics.label("fast path").collect(!publish ? "SLOW: not a valid Publish"
                    : placement == Placement.READ_ONLY ? "SLOW: read-only buffer" : "SLOW: copies not one per port, ascending");
            assertArrayEquals(before, after, "SLOW leaves the frame alone");
            assertArrayEquals(countersBefore, fast.drops().snapshot(), "SLOW counts nothing");
            // The fast path declines a valid Publish only if it cannot say what the slow path does.
            if (publish && placement != Placement.READ_ONLY) {
                assertFalse(strictlyAscending(slowPorts), () -> "declined " + expected);
            }
            assertEquals(expected, fast.process(port, frame));
        } else {
            Statistics.label("fast path").collect(mask == 0 ? (expected.isDropped() ? "dropped" : "sent nowhere")
                    : "forwarded");
            assertTrue(publish, "only valid Publishes take the fast path");
            assertTrue(mask >= 0);
            assertEquals(PortMask.ports(mask), slowPorts);
            assertEquals(List.of(), expected.packetIns());
            byte[] rewritten = Arrays.copyOfRange(after, offset, offset + frame.length);
            if (mask == 0) {
                assertArrayEquals(frame, rewritten, "a frame sent nowhere is left alone");
            }
            for (PipelineResult.Emission emission : expected.emissions()) {
                assertArrayEquals(emission.frame(), rewritten);
            }
        }
        assertArrayEquals(slow.drops().snapshot(), fast.drops().snapshot());
    }

    /** A frame for the pipelines: mostly Publishes of any TTL, also SUB messages, other IPv4 and wreckage. */
    private static byte[] frame(SplittableRandom random, int states) {
        byte[] payload = new byte[random.nextInt(0, 80)];
        random.nextBytes(payload);
        int state = random.nextInt(states);
        int host = 1 + random.nextInt(5);
        int kind = random.nextInt(20);
        if (kind < 10) {
            byte[] publish = StareFrames.publish(state, random.nextInt(65536), host, payload);
            int ttl = switch (random.nextInt(8)) {
                case 0 -> 0;
                case 1 -> 1;
                case 2 -> 2;
                case 3 -> 255;
                default -> random.nextInt(256);
            };
            return StareFrames.withTtl(publish, ttl);
        }
        return switch (kind) {
            case 10 -> multiSegmentPublish(random, state, host, payload);
            case 11 -> {
                byte[] publish = StareFrames.publish(state, 1, host, payload);
                publish[StareFrames.UDP + 6] = 0; // UDP checksum "not computed": still valid
                publish[StareFrames.UDP + 7] = 0;
                yield publish;
            }
            case 12 -> {
                byte[] padded = Arrays.copyOf(StareFrames.publish(state, 1, host, payload), 100 + payload.length);
                yield padded; // Ethernet padding after the IPv4 packet: still valid
            }
            case 13 -> StareFrames.sub(MessageKind.values()[1 + random.nextInt(3)], state, 1, host);
            case 14 -> StareFrames.udp(StareFrames.ip(host), 0xef000000 | state, 65432, payload); // no STARE header
            case 15 -> StareFrames.udp(StareFrames.ip(host), 0x0a000009, 53, payload);
            case 16 -> {
                byte[] flipped = StareFrames.publish(state, 1, host, payload);
                flipped[random.nextInt(flipped.length)] ^= (byte) (1 + random.nextInt(255));
                yield random.nextBoolean() ? StareFrames.fixChecksums(flipped) : flipped;
            }
            case 17 -> Arrays.copyOf(StareFrames.publish(state, 1, host, payload), random.nextInt(60 + payload.length));
            default -> {
                byte[] junk = new byte[random.nextInt(100)];
                random.nextBytes(junk);
                yield junk;
            }
        };
    }

    private static byte[] multiSegmentPublish(SplittableRandom random, int state, int host, byte[] payload) {
        int total = 1 + random.nextInt(StareHeader.MAX_SEGMENTS);
        StareHeader header = new StareHeader(MessageKind.PUBLISH, state, random.nextInt(65536), host, total,
                random.nextInt(total));
        return StareFrames.frame(host, new StarePacket(random.nextInt(), random.nextInt(65536),
                random.nextInt(256), header, payload));
    }

    /**
     * Replaces, adds or deletes a group on both engines alike (half the time group {@code inUse}, if
     * positive): replicas in any order, with several instances on one port, or none at all, as an
     * operator's P4Runtime client may write them.
     */
    private static void changeGroups(SplittableRandom random, int ports, int inUse, ReplicationEngine... engines) {
        int id = inUse > 0 && random.nextBoolean() ? inUse : 1 + random.nextInt((1 << ports) + 2);
        List<ReplicationEngine.Replica> replicas = new ArrayList<>();
        int count = random.nextInt(5);
        for (int i = 0; i < count; i++) {
            ReplicationEngine.Replica replica = new ReplicationEngine.Replica(random.nextInt(ports), random.nextInt(3));
            if (!replicas.contains(replica)) {
                replicas.add(replica);
            }
        }
        if (random.nextInt(3) == 0) {
            replicas.sort((a, b) -> a.port() != b.port() ? Integer.compare(a.port(), b.port())
                    : Integer.compare(a.instance(), b.instance()));
        }
        int operation = random.nextInt(4);
        List<ReplicationEngine.Replica> maskReplicas = ReplicationEngine.replicasOf(random.nextLong(1L << ports));
        List<WriteResult> results = new ArrayList<>();
        for (ReplicationEngine engine : engines) {
            results.add(switch (operation) {
                case 0 -> engine.insertGroup(id, replicas);
                case 1 -> engine.modifyGroup(id, maskReplicas);
                case 2 -> engine.deleteGroup(id);
                default -> engine.modifyGroup(id, replicas);
            });
        }
        assertEquals(results.get(0).isDone(), results.get(1).isDone());
        assertEquals(engines[0].groups(), engines[1].groups());
    }

    /** Applies a controller's decisions to both pipelines as the agent would; transmits go nowhere here. */
    private static void apply(EmbeddedController.Act act, EmbeddedPipeline... pipelines) {
        for (EmbeddedController.Decision decision : act.decisions()) {
            for (EmbeddedPipeline pipeline : pipelines) {
                WriteResult written = WriteResult.DONE;
                if (decision instanceof EmbeddedController.InsertGroup g) {
                    written = pipeline.replication().insertGroup(g.groupId(), g.replicas());
                    if (!written.isDone()) {
                        // An operator's group of the same id came first: the agent would overwrite it.
                        written = pipeline.replication().modifyGroup(g.groupId(), g.replicas());
                    }
                } else if (decision instanceof EmbeddedController.DeleteGroup g) {
                    pipeline.replication().deleteGroup(g.groupId());
                } else if (decision instanceof EmbeddedController.InsertEntry e) {
                    written = pipeline.stateForwarding().insert(e.stateId(), e.groupId());
                    if (!written.isDone()) {
                        written = pipeline.stateForwarding().modify(e.stateId(), e.groupId());
                    }
                } else if (decision instanceof EmbeddedController.ModifyEntry e) {
                    written = pipeline.stateForwarding().modify(e.stateId(), e.groupId());
                    if (!written.isDone()) {
                        written = pipeline.stateForwarding().insert(e.stateId(), e.groupId());
                    }
                } else if (decision instanceof EmbeddedController.DeleteEntry e) {
                    pipeline.stateForwarding().delete(e.stateId());
                }
                assertTrue(written.isDone(), decision + ": " + written);
            }
        }
        assertEquals(pipelines[0].replication().groups(), pipelines[1].replication().groups());
        assertEquals(pipelines[0].stateForwarding().entries(), pipelines[1].stateForwarding().entries());
    }

    private static boolean isValidPublish(byte[] frame) {
        DecodeResult<StarePacket> decoded = StareFrames.tryDecode(frame);
        return decoded.isOk() && decoded.orElseThrow().header().kind() == MessageKind.PUBLISH;
    }

    private static boolean strictlyAscending(List<Integer> ports) {
        for (int i = 1; i < ports.size(); i++) {
            if (ports.get(i) <= ports.get(i - 1)) {
                return false;
            }
        }
        return true;
    }

    /** The frame at {@code offset} of a buffer of the given kind, noise around it, position moved. */
    static ByteBuffer place(byte[] frame, Placement placement, int offset, int slack, SplittableRandom random) {
        byte[] bytes = new byte[offset + frame.length + slack];
        random.nextBytes(bytes);
        System.arraycopy(frame, 0, bytes, offset, frame.length);
        ByteBuffer buffer = switch (placement) {
            case DIRECT_INSIDE, LITTLE_ENDIAN_DIRECT -> ByteBuffer.allocateDirect(bytes.length).put(bytes).clear();
            default -> ByteBuffer.wrap(bytes);
        };
        if (placement == Placement.LITTLE_ENDIAN_DIRECT) {
            buffer.order(ByteOrder.LITTLE_ENDIAN);
        }
        buffer.position(Math.min(2, bytes.length));
        return placement == Placement.READ_ONLY ? buffer.asReadOnlyBuffer() : buffer;
    }

    static byte[] contents(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.limit()];
        buffer.get(0, bytes);
        return bytes;
    }
}
