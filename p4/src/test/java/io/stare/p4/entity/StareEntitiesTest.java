package io.stare.p4.entity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.PacketIn;
import p4.v1.PacketMetadata;
import p4.v1.PacketOut;
import p4.v1.Replica;

/**
 * Every codec both ways: decode(encode(v)) is v, padded binary strings decode as canonical ones, and
 * what the program cannot take is refused with the specification's code, never thrown.
 */
class StareEntitiesTest {

    private static final StareEntities REGISTER = entities(StareProgram.Mode.REGISTER);
    private static final StareEntities EMBEDDED = entities(StareProgram.Mode.EMBEDDED);

    private static StareEntities entities(StareProgram.Mode mode) {
        try {
            return StareEntities.of(StareProgram.recognise(StarePrograms.config(mode).getP4Info()));
        } catch (StareProgram.UnsupportedProgramException e) {
            throw new AssertionError(e);
        }
    }

    private static <T> void roundTrips(EntityCodec<T> codec, T value) {
        assertEquals(value, codec.decode(codec.encode(value)).orElseThrow());
    }

    private static Status.Code refusal(Decoded<?> decoded) {
        return assertInstanceOf(Decoded.Refused.class, decoded).code();
    }

    @Test
    void registerProgramEntitiesRoundTrip() {
        roundTrips(REGISTER.treePorts(), 0b1010_0110L);
        roundTrips(REGISTER.statePorts(), new StatePortsCodec.Cell(REGISTER.statePorts().cells() - 1, 0b1111_1111));
        roundTrips(REGISTER.statePorts(), new StatePortsCodec.Cell(0, 0));
        roundTrips(REGISTER.cloneFlag(), true);
        roundTrips(REGISTER.cloneFlag(), false);
        roundTrips(REGISTER.ipv4Routes(), new Ipv4RouteCodec.Route(0xc6336400, 24, OptionalInt.of(3)));
        roundTrips(REGISTER.ipv4Routes(), new Ipv4RouteCodec.Route(0x0a000000, 8, OptionalInt.empty()));
    }

    @Test
    void embeddedProgramEntitiesRoundTrip() {
        roundTrips(EMBEDDED.stateForwarding(), StateForwardingCodec.Entry.toGroup((1 << 22) - 1, 65535));
        roundTrips(EMBEDDED.stateForwarding(), new StateForwardingCodec.Entry(7, OptionalInt.empty()));
        assertEquals(7, EMBEDDED.stateForwarding().decodeKey(EMBEDDED.stateForwarding().keyOf(7)).orElseThrow());
        assertThrows(IllegalStateException.class, EMBEDDED::statePorts, "the embedded program has no registers");
        assertThrows(IllegalStateException.class, REGISTER::stateForwarding);
    }

    @Test
    void replicationEntitiesRoundTrip() {
        roundTrips(StareEntities.multicastGroups(), new MulticastGroupCodec.Group(255,
                List.of(new MulticastGroupCodec.Copy(0, 0), new MulticastGroupCodec.Copy(7, 3))));
        roundTrips(StareEntities.cloneSessions(), new CloneSessionCodec.Session(100, CpuHeaders.CPU_PORT, 2));
    }

    @Test
    void packetsRoundTrip() {
        CpuHeaders.PacketIn in = new CpuHeaders.PacketIn(511, CpuHeaders.Reason.SUB_PROPAGATED, 255, 0xffff_ffffL, 17);
        PacketInCodec.Received received = StareEntities.packetIns()
                .decode(StareEntities.packetIns().encode(in, new byte[] {1, 2, 3})).orElseThrow();
        assertEquals(in, received.header());
        assertArrayEquals(new byte[] {1, 2, 3}, received.payload());

        CpuHeaders.PacketOut out = new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 2, 100);
        PacketOutCodec.Outgoing outgoing = StareEntities.packetOuts()
                .decode(StareEntities.packetOuts().encode(out, new byte[8])).orElseThrow();
        assertEquals(out, outgoing.header());
        assertArrayEquals(new byte[8], outgoing.payload());
    }

    @Test
    void paddedValuesDecodeAsCanonicalOnes() {
        Entity padded = REGISTER.statePorts().encode(new StatePortsCodec.Cell(5, 3)).toBuilder()
                .setRegisterEntry(REGISTER.statePorts().encode(new StatePortsCodec.Cell(5, 3)).getRegisterEntry()
                        .toBuilder().setData(p4.v1.P4Data.newBuilder()
                                .setBitstring(ByteString.copyFrom(new byte[] {0, 0, 0, 3})))).build();
        assertEquals(new StatePortsCodec.Cell(5, 3), REGISTER.statePorts().decode(padded).orElseThrow());
    }

    @Test
    void whatTheProgramCannotTakeIsRefusedWithTheSpecsCode() {
        // A mask wider than P = 8 bits, an index beyond the register.
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(REGISTER.statePorts().decode(
                REGISTER.statePorts().encode(new StatePortsCodec.Cell(1, 0x1ff)))));
        assertEquals(Status.Code.OUT_OF_RANGE, refusal(REGISTER.statePorts().decode(
                REGISTER.statePorts().encode(new StatePortsCodec.Cell(REGISTER.statePorts().cells(), 1)))));
        // set_group(0) and a state ID beyond 22 bits.
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(EMBEDDED.stateForwarding().decode(
                EMBEDDED.stateForwarding().encode(StateForwardingCodec.Entry.toGroup(1, 0)))));
        Entity wideState = EMBEDDED.stateForwarding().encode(StateForwardingCodec.Entry.toGroup(1, 1)).toBuilder()
                .setTableEntry(EMBEDDED.stateForwarding().encode(StateForwardingCodec.Entry.toGroup(1, 1))
                        .getTableEntry().toBuilder().setMatch(0, FieldMatch.newBuilder().setFieldId(1)
                                .setExact(FieldMatch.Exact.newBuilder().setValue(P4Values.canonical(1 << 22))))).build();
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(EMBEDDED.stateForwarding().decode(wideState)));
        // Group 0 is reserved; a clone that truncates is not supported; a replica without a port.
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(StareEntities.multicastGroups().decode(
                StareEntities.multicastGroups().encode(new MulticastGroupCodec.Group(0, List.of())))));
        Entity truncating = StareEntities.cloneSessions().encode(new CloneSessionCodec.Session(100, 255, 0));
        truncating = truncating.toBuilder().setPacketReplicationEngineEntry(truncating.getPacketReplicationEngineEntry()
                .toBuilder().setCloneSessionEntry(truncating.getPacketReplicationEngineEntry().getCloneSessionEntry()
                        .toBuilder().setPacketLengthBytes(64))).build();
        assertEquals(Status.Code.UNIMPLEMENTED, refusal(StareEntities.cloneSessions().decode(truncating)));
        Entity portless = StareEntities.multicastGroups().encode(new MulticastGroupCodec.Group(1, List.of()));
        portless = portless.toBuilder().setPacketReplicationEngineEntry(portless.getPacketReplicationEngineEntry()
                .toBuilder().setMulticastGroupEntry(portless.getPacketReplicationEngineEntry().getMulticastGroupEntry()
                        .toBuilder().addReplicas(Replica.newBuilder().setInstance(1)))).build();
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(StareEntities.multicastGroups().decode(portless)));
        // Another table's entry handed to a codec.
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(EMBEDDED.stateForwarding().decode(
                EMBEDDED.ipv4Routes().encode(new Ipv4RouteCodec.Route(0, 1, OptionalInt.empty())))));
    }

    @Test
    void packetOutsMissingARequiredFieldOrCarryingUnknownOnesAreRefused() {
        PacketOut whole = StareEntities.packetOuts().encode(CpuHeaders.PacketOut.forward(2), new byte[1]);
        PacketOut noPadding = whole.toBuilder().clearMetadata().addAllMetadata(whole.getMetadataList().stream()
                .filter(m -> m.getMetadataId() != CpuHeaders.PacketOut.Field.PAD.id()).toList()).build();
        assertEquals(CpuHeaders.PacketOut.forward(2), StareEntities.packetOuts().decode(noPadding).orElseThrow().header());
        PacketOut noIndex = whole.toBuilder().clearMetadata().addAllMetadata(whole.getMetadataList().stream()
                .filter(m -> m.getMetadataId() != CpuHeaders.PacketOut.Field.INDEX.id()).toList()).build();
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(StareEntities.packetOuts().decode(noIndex)));
        PacketOut twice = whole.toBuilder().addMetadata(whole.getMetadata(0)).build();
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(StareEntities.packetOuts().decode(twice)));
        PacketOut unknown = whole.toBuilder().addMetadata(PacketMetadata.newBuilder().setMetadataId(99)
                .setValue(P4Values.canonical(0))).build();
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(StareEntities.packetOuts().decode(unknown)));
        PacketIn reasonless = PacketIn.newBuilder().addMetadata(PacketMetadata.newBuilder()
                .setMetadataId(CpuHeaders.PacketIn.Field.INGRESS_PORT.id()).setValue(P4Values.canonical(1))).build();
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal(StareEntities.packetIns().decode(reasonless)));
    }
}
