package io.stare.p4.bmv2;

import static io.stare.p4.bmv2.P4RuntimeController.failure;
import static io.stare.p4.bmv2.P4RuntimeController.writeErrorCode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.EmbeddedPipeline;
import io.stare.p4.pipeline.Ipv4Lpm;
import io.stare.p4.pipeline.Pipeline;
import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.p4.pipeline.ReplicationEngine;
import io.stare.p4.runtime.Uint128s;
import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.packet.Ethernet;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p4.v1.Action;
import p4.v1.CloneSessionEntry;
import p4.v1.CounterEntry;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.ForwardingPipelineConfig;
import p4.v1.Index;
import p4.v1.MasterArbitrationUpdate;
import p4.v1.MulticastGroupEntry;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.RegisterEntry;
import p4.v1.Replica;
import p4.v1.TableAction;
import p4.v1.TableEntry;
import p4.v1.Update;

/**
 * The same checks against every {@link SwitchTarget}: P4Runtime (arbitration, pipeline push, the
 * entities STARE's programs have, the specification's error codes) and real frames through both
 * programs. Every frame and packet-out is also fed to the Java pipeline ({@link RegisterPipeline} or
 * {@link EmbeddedPipeline}) configured the same way, and the switch must produce exactly what the Java
 * pipeline does: the same frames out of the same ports, byte for byte, and the same packet-ins
 * (header fields and payload). Spec-level assertions (docs/dataplane.md) come on top.
 *
 * <p>The switch has {@value #PORTS} front ports; the programs' masks have 8 bits, so copies for
 * ports 4..7 go nowhere on either switch (and are left out of the Java pipeline's output).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class SwitchConformance extends SwitchSuite {

    static final int PORTS = 4;
    /** The programs' port count P (STARE_PORTS): 8-bit masks, 255 mask groups. */
    static final int MASK_PORTS = 8;
    static final int CPU_CLONE_SESSION = 100;
    private static final Duration MAX_WAIT = Duration.ofSeconds(5);
    private static final Duration PACKET_IN_QUIET = Duration.ofMillis(50);
    /** A documentation prefix (TEST-NET-2): routed between the test's own veths only. */
    private static final int ROUTED_PREFIX = 0xc6336400;

    // ---- P4Runtime -----------------------------------------------------------------------------

    @Test
    void arbitrationElectsTheHighestIdAndOnlyThePrimaryPushes() throws Exception {
        P4RuntimeController.Stream low = controller.connect(10);
        assertEquals(Status.Code.OK.value(), low.nextArbitration().getStatus().getCode());

        P4RuntimeController.Stream high = controller.connect(20);
        MasterArbitrationUpdate primary = high.nextArbitration();
        assertEquals(Status.Code.OK.value(), primary.getStatus().getCode(), primary::toString);
        assertEquals(20, Uint128s.toBigInteger(primary.getElectionId()).longValueExact());
        MasterArbitrationUpdate demoted = low.nextArbitration();
        assertEquals(Status.Code.ALREADY_EXISTS.value(), demoted.getStatus().getCode(), demoted::toString);
        assertEquals(20, Uint128s.toBigInteger(demoted.getElectionId()).longValueExact());

        ForwardingPipelineConfig config = StarePrograms.config(StareProgram.Mode.REGISTER);
        assertEquals(Status.Code.PERMISSION_DENIED, failure(() -> controller.push(10, config)).getStatus().getCode());
        controller.push(20, config);
        assertEquals("stare_register", controller.pipelineConfig().getP4Info().getPkgInfo().getName());
    }

    @Test
    void tablesGroupsAndCloneSessionsRoundTripWithSpecErrorCodes() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.REGISTER);

        // tree_ports: MODIFY of the keyless table's default action, read back as the default entry.
        int treePorts = program.tableId("tree_ports").orElseThrow();
        controller.write(ELECTION_ID, Update.Type.MODIFY, treePortsEntry(program, 0b0110));
        List<Entity> tree = controller.read(Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(treePorts).setIsDefaultAction(true)).build());
        assertEquals(1, tree.size(), tree::toString);
        assertEquals(0b0110, param(tree.get(0).getTableEntry().getAction().getAction(), 1, 8));
        // P4Runtime: a wildcard read does not return default entries.
        List<Entity> wildcard = controller.read(Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(treePorts)).build());
        assertEquals(List.of(), wildcard, "tree_ports wildcard read");

        // ipv4_lpm: insert, read back, duplicate insert, delete, delete again.
        int lpm = program.tableId("ipv4_lpm").orElseThrow();
        Entity route = routeEntry(program, ROUTED_PREFIX, 24, 3);
        controller.write(ELECTION_ID, Update.Type.INSERT, route);
        List<Entity> routes = controller.read(Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(lpm)).build());
        assertEquals(1, routes.size(), routes::toString);
        TableEntry read = routes.get(0).getTableEntry();
        assertEquals(ROUTED_PREFIX, (int) P4Values.parse(read.getMatch(0).getLpm().getValue(), 32).orElseThrow());
        assertEquals(24, read.getMatch(0).getLpm().getPrefixLen());
        assertEquals(program.actionId("forward").orElseThrow(), read.getAction().getAction().getActionId());
        assertEquals(3, param(read.getAction().getAction(), 1, 9));
        assertEquals(Status.Code.ALREADY_EXISTS, writeErrorCode(failure(
                () -> controller.write(ELECTION_ID, Update.Type.INSERT, route))));
        controller.write(ELECTION_ID, Update.Type.DELETE, route);
        assertEquals(Status.Code.NOT_FOUND, writeErrorCode(failure(
                () -> controller.write(ELECTION_ID, Update.Type.DELETE, route))));

        // Multicast groups: insert, duplicate insert, read, delete, delete again.
        Entity group = groupEntry(3, 0b0011);
        controller.write(ELECTION_ID, Update.Type.INSERT, group);
        assertEquals(Status.Code.ALREADY_EXISTS, writeErrorCode(failure(
                () -> controller.write(ELECTION_ID, Update.Type.INSERT, group))));
        assertEquals(List.of(group), controller.read(Entity.newBuilder().setPacketReplicationEngineEntry(
                PacketReplicationEngineEntry.newBuilder().setMulticastGroupEntry(
                        MulticastGroupEntry.newBuilder().setMulticastGroupId(3))).build()));
        controller.write(ELECTION_ID, Update.Type.DELETE, group);
        assertEquals(Status.Code.NOT_FOUND, writeErrorCode(failure(
                () -> controller.write(ELECTION_ID, Update.Type.DELETE, group))));

        // The CPU clone session.
        Entity session = cloneSessionEntry();
        controller.write(ELECTION_ID, Update.Type.INSERT, session);
        assertEquals(Status.Code.ALREADY_EXISTS, writeErrorCode(failure(
                () -> controller.write(ELECTION_ID, Update.Type.INSERT, session))));

        // The drops counter: 8 cells, all zero on a fresh pipeline.
        assertArrayEquals(new long[8], readDrops(program));
    }

    /**
     * BMv2's P4Runtime server does not implement register entities: reads and writes of
     * {@code state_ports} are UNIMPLEMENTED there, which is why the register program offers in-band
     * READ and WRITE packet-outs. The software switch serves both.
     */
    @Test
    void registerEntitiesAreServedOnlyByTheSoftwareSwitch() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.REGISTER);
        int statePorts = program.registerId("state_ports").orElseThrow();
        Entity cell = Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(statePorts)
                .setIndex(Index.newBuilder().setIndex(7))
                .setData(p4.v1.P4Data.newBuilder().setBitstring(P4Values.canonical(0b101)))).build();
        Entity filter = Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(statePorts)
                .setIndex(Index.newBuilder().setIndex(7))).build();
        if (target.servesRegisters()) {
            controller.write(ELECTION_ID, Update.Type.MODIFY, cell);
            assertEquals(List.of(cell), controller.read(filter));
        } else {
            assertEquals(Status.Code.UNIMPLEMENTED, failure(() -> controller.read(filter)).getStatus().getCode());
            assertEquals(Status.Code.UNIMPLEMENTED, writeErrorCode(failure(
                    () -> controller.write(ELECTION_ID, Update.Type.MODIFY, cell))));
        }
    }

    // ---- the register program with real frames ------------------------------------------------

    @Test
    void registerProgramForwardsExactlyAsTheJavaPipeline() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.REGISTER);
        RegisterPipeline model = new RegisterPipeline(MASK_PORTS, 2048);

        // As the agent configures it: 255 mask groups, the CPU clone session, tree ports 2 and 3.
        List<Entity> groups = new ArrayList<>();
        for (int mask = 1; mask < 1 << MASK_PORTS; mask++) {
            groups.add(groupEntry(mask, mask));
        }
        controller.write(ELECTION_ID, Update.Type.INSERT, groups);
        model.replication().installPortMaskGroups(MASK_PORTS);
        controller.write(ELECTION_ID, Update.Type.INSERT, cloneSessionEntry());
        model.replication().insertCloneSession(CPU_CLONE_SESSION, CpuHeaders.CPU_PORT);
        controller.write(ELECTION_ID, Update.Type.MODIFY, treePortsEntry(program, 0b1100));
        model.setTreePorts(0b1100);
        controller.write(ELECTION_ID, Update.Type.INSERT, routeEntry(program, ROUTED_PREFIX, 24, 3));
        model.ipv4Lpm().insert(new Ipv4Lpm.Prefix(ROUTED_PREFIX, 24), new Ipv4Lpm.Forward(3));

        // A host on port 1 subscribes to state 77: acked on 1, propagated to tree ports 2 and 3.
        byte[] register = Frames.sub(MessageKind.SUB_REGISTER, 77, 1, 1, 64);
        Outputs subscribed = exchange(model, "SUB-register on port 1", 1, register);
        byte[] ack = subscribed.frameOn(1);
        assertEquals(new StareAddress(MessageKind.SUB_ACK, 77).toInt(), ByteBuffer.wrap(ack).getInt(Frames.IP + 16));
        assertEquals(MessageKind.SUB_ACK.code(), (ack[Frames.STARE] & 0xff) >>> 6);
        assertEquals(Ethernet.ipv4MulticastMac(new StareAddress(MessageKind.SUB_ACK, 77).toInt()),
                ByteBuffer.wrap(ack).getLong(0) >>> 16);
        assertEquals(0, ByteBuffer.wrap(ack).getShort(Frames.UDP + 6), "SUB-ack UDP checksum");
        assertEquals(63, ack[Frames.IP + 8]);
        assertEquals(MessageKind.SUB_REGISTER.code(), (subscribed.frameOn(2)[Frames.STARE] & 0xff) >>> 6);
        assertEquals(MessageKind.SUB_REGISTER.code(), (subscribed.frameOn(3)[Frames.STARE] & 0xff) >>> 6);
        assertEquals(List.of(new CpuHeaders.PacketIn(1, CpuHeaders.Reason.SUB_PROPAGATED, 0, 77, 0b10)),
                subscribed.packetInHeaders());
        assertArrayEquals(register, subscribed.packetIns.get(0).payload(), "SUB_PROPAGATED carries the received frame");

        // A publish from port 0 goes out of port 1 only, TTL one lower; a retransmitted SUB is acked again only.
        Outputs published = exchange(model, "Publish on port 0", 0, Frames.publish(77, 1, 2, new byte[] {1, 2, 3, 4, 5}));
        assertEquals(List.of(1), published.ports());
        assertEquals(List.of(1), exchange(model, "SUB-register again on port 1", 1, register).ports());

        // The neighbour on tree port 2 subscribes too: no propagation (docs' worked example), no packet-in.
        Outputs neighbour = exchange(model, "SUB-register on tree port 2", 2, Frames.sub(MessageKind.SUB_REGISTER, 77, 1, 3, 64));
        assertEquals(List.of(2), neighbour.ports());
        assertEquals(List.of(), neighbour.packetIns);
        assertEquals(List.of(1, 2), exchange(model, "Publish on port 0 to 1 and 2", 0,
                Frames.publish(77, 2, 2, new byte[0])).ports());
        assertEquals(List.of(1), exchange(model, "Publish on port 2 is not sent back", 2,
                Frames.publish(77, 3, 3, new byte[] {9})).ports());

        // In-band register access: READ, WRITE, READ.
        Outputs values = exchangePacketOut(model, "READ 76..78",
                new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 3, 76), new byte[0]);
        assertEquals(List.of(new CpuHeaders.PacketIn(CpuHeaders.CPU_PORT, CpuHeaders.Reason.REGISTER_VALUES, 3, 76, 0)),
                values.packetInHeaders());
        assertArrayEquals(new byte[] {0, 0, 0, 0, 0, 0, 0, 0b110, 0, 0, 0, 0}, values.packetIns.get(0).payload());
        byte[] written = {0, 0, 0, 0b1001, 0, 0, 0, 0b1000};
        exchangePacketOut(model, "WRITE 100..101", new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 2, 100), written);
        assertArrayEquals(written, exchangePacketOut(model, "READ 100..101",
                new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 2, 100), new byte[0]).packetIns.get(0).payload());
        assertEquals(List.of(0, 3), exchange(model, "Publish on port 2 to written state 100", 2,
                Frames.publish(100, 1, 3, new byte[] {7})).ports());
        exchangePacketOut(model, "READ with count 0 is refused", new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 0, 0),
                new byte[0]);
        exchangePacketOut(model, "WRITE of a value beyond 8 bits is refused",
                new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 1, 5), new byte[] {0, 0, 1, 0});
        exchangePacketOut(model, "FORWARD out of port 2", CpuHeaders.PacketOut.forward(2), register);

        // Both remove: the last removal propagates (value 0), then a publish is dropped.
        exchange(model, "SUB-remove on tree port 2", 2, Frames.sub(MessageKind.SUB_REMOVE, 77, 2, 3, 64));
        Outputs removed = exchange(model, "SUB-remove on port 1", 1, Frames.sub(MessageKind.SUB_REMOVE, 77, 2, 1, 64));
        assertEquals(List.of(1, 2, 3), removed.ports());
        assertEquals(List.of(new CpuHeaders.PacketIn(1, CpuHeaders.Reason.SUB_PROPAGATED, 0, 77, 0)),
                removed.packetInHeaders());
        assertEquals(List.of(), exchange(model, "Publish after the removal", 0, Frames.publish(77, 4, 2, new byte[0])).ports());

        // State4: with clone_flag set, a change that does not propagate is reported as STATE_CHANGED.
        exchange(model, "SUB-register state 6 on port 1", 1, Frames.sub(MessageKind.SUB_REGISTER, 6, 1, 1, 64));
        exchangePacketOut(model, "SET_CLONE_FLAG 1", new CpuHeaders.PacketOut(CpuHeaders.Op.SET_CLONE_FLAG, 0, 0, 1),
                new byte[0]);
        assertEquals(List.of(new CpuHeaders.PacketIn(0, CpuHeaders.Reason.STATE_CHANGED, 0, 6, 0b11)),
                exchange(model, "SUB-register state 6 on port 0", 0,
                        Frames.sub(MessageKind.SUB_REGISTER, 6, 1, 2, 64)).packetInHeaders());

        // Acks from neighbours go to the CPU; expired, unroutable, malformed and out-of-range traffic is dropped.
        exchange(model, "SUB-ack from tree port 3", 3, Frames.sub(MessageKind.SUB_ACK, 77, 1, 4, 64));
        exchange(model, "SUB-register with TTL 1", 1, Frames.sub(MessageKind.SUB_REGISTER, 78, 1, 1, 1));
        exchange(model, "SUB-register out of range", 1, Frames.sub(MessageKind.SUB_REGISTER, 4096, 1, 1, 64));
        assertEquals(List.of(3), exchange(model, "routed UDP", 0,
                Frames.udp(Frames.ip(1), ROUTED_PREFIX | 9, new byte[] {1, 2})).ports());
        exchange(model, "unroutable UDP", 0, Frames.udp(Frames.ip(1), 0xcb007109, new byte[] {1, 2}));
        byte[] badChecksum = Frames.publish(77, 5, 2, new byte[0]);
        badChecksum[Frames.IP + 10] ^= 0x55;
        exchange(model, "bad IPv4 checksum", 0, badChecksum);

        assertArrayEquals(model.drops().snapshot(), readDrops(program), "drops counter");
    }

    // ---- the embedded program with real frames ------------------------------------------------

    @Test
    void embeddedProgramForwardsExactlyAsTheJavaPipeline() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.EMBEDDED);
        EmbeddedPipeline model = new EmbeddedPipeline(PORTS, 65536);

        // SUB messages go to the local controller.
        byte[] register = Frames.sub(MessageKind.SUB_REGISTER, 9, 1, 1, 64);
        Outputs punted = exchange(model, "SUB-register on port 1", 1, register);
        assertEquals(List.of(), punted.ports());
        assertEquals(List.of(new CpuHeaders.PacketIn(1, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0)), punted.packetInHeaders());
        assertArrayEquals(register, punted.packetIns.get(0).payload());
        exchange(model, "Publish before the entry exists", 0, Frames.publish(9, 1, 2, new byte[0]));

        // The controller installs group 0b0110 and the entry 9 -> group 6.
        controller.write(ELECTION_ID, Update.Type.INSERT, groupEntry(0b0110, 0b0110));
        model.replication().insertGroup(0b0110, ReplicationEngine.replicasOf(0b0110));
        Entity entry = Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(program.tableId("state_forwarding").orElseThrow())
                .addMatch(FieldMatch.newBuilder().setFieldId(1).setExact(FieldMatch.Exact.newBuilder()
                        .setValue(P4Values.canonical(9))))
                .setAction(TableAction.newBuilder().setAction(Action.newBuilder()
                        .setActionId(program.actionId("set_group").orElseThrow())
                        .addParams(Action.Param.newBuilder().setParamId(1).setValue(P4Values.canonical(0b0110))))))
                .build();
        controller.write(ELECTION_ID, Update.Type.INSERT, entry);
        model.stateForwarding().insert(9, 0b0110);

        assertEquals(List.of(1, 2), exchange(model, "Publish on port 0", 0, Frames.publish(9, 2, 2, new byte[] {4, 2})).ports());
        assertEquals(List.of(2), exchange(model, "Publish on port 1 is not sent back", 1,
                Frames.publish(9, 3, 1, new byte[0])).ports());
        exchange(model, "Publish of another state", 0, Frames.publish(10, 1, 2, new byte[0]));
        exchange(model, "SUB-ack on port 3", 3, Frames.sub(MessageKind.SUB_ACK, 9, 1, 4, 64));
        exchange(model, "SUB-remove with TTL 1", 1, Frames.sub(MessageKind.SUB_REMOVE, 9, 2, 1, 1));
        exchangePacketOut(model, "FORWARD the ack out of port 1", CpuHeaders.PacketOut.forward(1),
                Frames.sub(MessageKind.SUB_ACK, 9, 1, 1, 64));
        exchangePacketOut(model, "READ is refused", new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 1, 0), new byte[0]);

        assertArrayEquals(model.drops().snapshot(), readDrops(program), "drops counter");
    }

    // ---- exotic input ---------------------------------------------------------------------------

    /**
     * Input our senders never produce ({@link ExoticInput}): each probe must have the same effect as
     * in the Java pipeline (frames, packet-ins, drop-counter increments), except where the P4 program
     * is known to differ; there BMv2 must still differ. All violations are reported together.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exoticInputMatchesTheJavaPipeline() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.REGISTER);
        RegisterPipeline model = new RegisterPipeline(MASK_PORTS, 2048);
        controller.write(ELECTION_ID, Update.Type.INSERT, List.of(groupEntry(0b0010, 0b0010), groupEntry(0b0011, 0b0011)));
        model.replication().insertGroup(0b0010, ReplicationEngine.replicasOf(0b0010));
        model.replication().insertGroup(0b0011, ReplicationEngine.replicasOf(0b0011));
        controller.write(ELECTION_ID, Update.Type.INSERT, routeEntry(program, ROUTED_PREFIX, 24, 3));
        model.ipv4Lpm().insert(new Ipv4Lpm.Prefix(ROUTED_PREFIX, 24), new Ipv4Lpm.Forward(3));
        exchange(model, "SUB-register on port 1", 1, Frames.sub(MessageKind.SUB_REGISTER, 77, 1, 1, 64));

        List<String> violations = new ArrayList<>();
        long[] drops = readDrops(program);
        for (ExoticInput.Probe probe : ExoticInput.probes(ROUTED_PREFIX)) {
            long[] modelBefore = model.drops().snapshot();
            PipelineResult expected;
            if (probe.packetOut() == null) {
                expected = model.process(probe.port(), probe.bytes());
                target.send(probe.port(), probe.bytes());
            } else {
                expected = model.processPacketOut(probe.packetOut(), probe.bytes());
                primary.packetOut(probe.packetOut(), probe.bytes());
            }
            Observed observed = observe(expected);
            long[] dropsNow = readDrops(program);
            List<String> expectedDrops = dropDelta(modelBefore, model.drops().snapshot());
            List<String> observedDrops = dropDelta(drops, dropsNow);
            drops = dropsNow;
            boolean same = observed.expectedFrames.equals(observed.frames)
                    && observed.expectedPacketIns.equals(observed.packetIns) && expectedDrops.equals(observedDrops);
            boolean shouldDiffer = target.runsP4Program() && probe.p4Divergence() != null;
            if (same == shouldDiffer) {
                violations.add((shouldDiffer ? "no longer differs (" + probe.p4Divergence() + "): " : "differs: ")
                        + probe.name() + " [" + Frames.hex(probe.bytes()) + "]"
                        + "\n    Java:   " + observed.expectedFrames + " " + observed.expectedPacketIns + " drops "
                        + expectedDrops + "\n    " + target.name() + ": " + observed.frames + " " + observed.packetIns
                        + " drops " + observedDrops);
            }
        }
        assertEquals("", String.join("\n", violations), target.name() + " vs the Java pipeline on exotic input");
    }

    private static List<String> dropDelta(long[] before, long[] after) {
        List<String> delta = new ArrayList<>();
        for (int i = 0; i < after.length; i++) {
            if (after[i] != before[i]) {
                delta.add(io.stare.p4.pipeline.DropReason.values()[i] + "+" + (after[i] - before[i]));
            }
        }
        return delta;
    }

    // ---- exchanging frames ------------------------------------------------------------------------

    /** What one input made the switch do. */
    private record Outputs(List<PipelineResult.Emission> frames, List<PipelineResult.PacketInMessage> packetIns) {

        /** The egress ports, ascending. */
        List<Integer> ports() {
            return frames.stream().map(PipelineResult.Emission::port).sorted().toList();
        }

        byte[] frameOn(int port) {
            return frames.stream().filter(f -> f.port() == port).findFirst()
                    .orElseThrow(() -> new AssertionError("no frame out of port " + port)).frame();
        }

        List<CpuHeaders.PacketIn> packetInHeaders() {
            return packetIns.stream().map(PipelineResult.PacketInMessage::header).toList();
        }
    }

    /** Sends a frame into the switch and into the Java pipeline; their outputs must be identical. */
    private Outputs exchange(Pipeline model, String step, int port, byte[] frame) throws Exception {
        PipelineResult expected = model.process(port, frame);
        target.send(port, frame);
        return compare(step + " [" + Frames.hex(frame) + "]", expected);
    }

    /** Sends a packet-out to the switch and to the Java pipeline; their outputs must be identical. */
    private Outputs exchangePacketOut(Pipeline model, String step, CpuHeaders.PacketOut header, byte[] payload)
            throws Exception {
        PipelineResult expected = model.processPacketOut(header, payload);
        primary.packetOut(header, payload);
        return compare(step, expected);
    }

    /** The switch's outputs next to the Java pipeline's, described for comparison. */
    private record Observed(Outputs outputs, List<String> expectedFrames, List<String> frames,
                            List<String> expectedPacketIns, List<String> packetIns) {
    }

    /** Collects what the switch did for an input the Java pipeline answered with {@code expected}. */
    private Observed observe(PipelineResult expected) throws Exception {
        List<PipelineResult.Emission> expectedFrames = expected.emissions().stream()
                .filter(e -> e.port() < target.portCount()).toList();
        List<PipelineResult.Emission> frames = target.collect(expectedFrames.size(), MAX_WAIT);
        // Packet-ins leave the switch with the frames: after the frames' quiet period a short wait will do.
        List<PipelineResult.PacketInMessage> packetIns = primary.packetIns(expected.packetIns().size(), MAX_WAIT,
                PACKET_IN_QUIET);
        return new Observed(new Outputs(frames, packetIns), describeFrames(expectedFrames), describeFrames(frames),
                describePacketIns(expected.packetIns()), describePacketIns(packetIns));
    }

    private Outputs compare(String step, PipelineResult expected) throws Exception {
        Observed observed = observe(expected);
        assertEquals(observed.expectedFrames, observed.frames,
                target.name() + " frames differ from the Java pipeline's after: " + step);
        assertEquals(observed.expectedPacketIns, observed.packetIns,
                target.name() + " packet-ins differ from the Java pipeline's after: " + step);
        return observed.outputs;
    }

    private static List<String> describeFrames(List<PipelineResult.Emission> frames) {
        return frames.stream().map(f -> "port " + f.port() + ": " + Frames.hex(f.frame()))
                .sorted(Comparator.naturalOrder()).toList();
    }

    private static List<String> describePacketIns(List<PipelineResult.PacketInMessage> packetIns) {
        return packetIns.stream().map(p -> p.header() + ": " + Frames.hex(p.payload())).toList();
    }

    // ---- P4Runtime helpers ----------------------------------------------------------------------

    private static Entity treePortsEntry(StareProgram program, long mask) {
        return Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(program.tableId("tree_ports").orElseThrow()).setIsDefaultAction(true)
                .setAction(TableAction.newBuilder().setAction(Action.newBuilder()
                        .setActionId(program.actionId("set_tree_ports").orElseThrow())
                        .addParams(Action.Param.newBuilder().setParamId(1).setValue(P4Values.canonical(mask))))))
                .build();
    }

    private static Entity routeEntry(StareProgram program, int prefix, int length, int port) {
        return Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(program.tableId("ipv4_lpm").orElseThrow())
                .addMatch(FieldMatch.newBuilder().setFieldId(1).setLpm(FieldMatch.LPM.newBuilder()
                        .setValue(P4Values.canonical(Integer.toUnsignedLong(prefix))).setPrefixLen(length)))
                .setAction(TableAction.newBuilder().setAction(Action.newBuilder()
                        .setActionId(program.actionId("forward").orElseThrow())
                        .addParams(Action.Param.newBuilder().setParamId(1).setValue(P4Values.canonical(port))))))
                .build();
    }

    /** Multicast group {@code id} replicating to the ports of {@code mask}, ascending, instance 0. */
    @SuppressWarnings("deprecation") // Replica.egress_port: what BMv2's P4Runtime server (PI) reads
    private static Entity groupEntry(int id, long mask) {
        MulticastGroupEntry.Builder group = MulticastGroupEntry.newBuilder().setMulticastGroupId(id);
        for (ReplicationEngine.Replica replica : ReplicationEngine.replicasOf(mask)) {
            group.addReplicas(Replica.newBuilder().setEgressPort(replica.port()).setInstance(replica.instance()));
        }
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setMulticastGroupEntry(group)).build();
    }

    @SuppressWarnings("deprecation") // Replica.egress_port, as above
    private static Entity cloneSessionEntry() {
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setCloneSessionEntry(CloneSessionEntry.newBuilder().setSessionId(CPU_CLONE_SESSION)
                        .addReplicas(Replica.newBuilder().setEgressPort(CpuHeaders.CPU_PORT).setInstance(0))))
                .build();
    }

    /** The drops counter's packet counts, by index. */
    private long[] readDrops(StareProgram program) throws Exception {
        long[] drops = new long[8];
        for (Entity e : controller.read(Entity.newBuilder().setCounterEntry(CounterEntry.newBuilder()
                .setCounterId(program.counterId("drops").orElseThrow())).build())) {
            drops[(int) e.getCounterEntry().getIndex().getIndex()] = e.getCounterEntry().getData().getPacketCount();
        }
        return drops;
    }

    private static long param(Action action, int id, int bitWidth) {
        return action.getParamsList().stream().filter(p -> p.getParamId() == id).findFirst()
                .flatMap(p -> {
                    var v = P4Values.parse(p.getValue(), bitWidth);
                    return v.isPresent() ? java.util.Optional.of(v.getAsLong()) : java.util.Optional.empty();
                })
                .orElseThrow(() -> new AssertionError("action has no parameter " + id + ": " + action));
    }
}
