package io.stare.p4.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import com.google.rpc.Status;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import p4.config.v1.P4BitTypeSpec;
import p4.config.v1.P4BitstringLikeTypeSpec;
import p4.config.v1.P4DataTypeSpec;
import p4.config.v1.P4Info;
import p4.config.v1.P4TypeInfo;
import p4.v1.Action;
import p4.v1.CounterEntry;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.ForwardingPipelineConfig;
import p4.v1.Index;
import p4.v1.MasterArbitrationUpdate;
import p4.v1.MulticastGroupEntry;
import p4.v1.P4Data;
import p4.v1.PacketMetadata;
import p4.v1.PacketOut;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.RegisterEntry;
import p4.v1.Replica;
import p4.v1.SetForwardingPipelineConfigRequest;
import p4.v1.StreamMessageRequest;
import p4.v1.TableAction;
import p4.v1.TableEntry;
import p4.v1.Update;
import p4.v1.WriteRequest;

/**
 * Holds the generated classes to the field numbers of the public P4Runtime v1 specification by
 * decoding the serialized bytes, so a wrong number in our .proto files fails here rather than on a
 * real switch. Numbers checked against p4lang/p4runtime proto/p4/v1/p4runtime.proto.
 */
class P4RuntimeWireFormatTest {

  /** One top-level field of an encoded message. */
  private record Field(int number, int wireType, long varint, ByteString bytes) {}

  private static List<Field> fields(ByteString message) throws IOException {
    List<Field> out = new ArrayList<>();
    CodedInputStream in = message.newCodedInput();
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      int number = WireFormat.getTagFieldNumber(tag);
      int type = WireFormat.getTagWireType(tag);
      switch (type) {
        case WireFormat.WIRETYPE_VARINT -> out.add(new Field(number, type, in.readUInt64(), null));
        case WireFormat.WIRETYPE_LENGTH_DELIMITED -> out.add(new Field(number, type, 0, in.readBytes()));
        default -> throw new AssertionError("unexpected wire type " + type + " for field " + number);
      }
    }
    return out;
  }

  private static List<Integer> numbers(ByteString message) throws IOException {
    return fields(message).stream().map(Field::number).toList();
  }

  /** The payload of the only field of {@code message}, which must be length-delimited field {@code number}. */
  private static ByteString only(ByteString message, int number) throws IOException {
    List<Field> fs = fields(message);
    assertEquals(1, fs.size(), "fields " + fs);
    assertEquals(number, fs.get(0).number());
    assertEquals(WireFormat.WIRETYPE_LENGTH_DELIMITED, fs.get(0).wireType());
    return fs.get(0).bytes();
  }

  private static ByteString field(ByteString message, int number) throws IOException {
    return fields(message).stream().filter(f -> f.number() == number).findFirst().orElseThrow().bytes();
  }

  @Test
  @SuppressWarnings("deprecation") // Replica.egress_port: deprecated in the spec, still what BMv2 reads
  void writeRequestWithTheThreeEntitiesStareWrites() throws IOException {
    Entity table =
        Entity.newBuilder()
            .setTableEntry(
                TableEntry.newBuilder()
                    .setTableId(0x02000001)
                    .addMatch(
                        FieldMatch.newBuilder()
                            .setFieldId(1)
                            .setExact(FieldMatch.Exact.newBuilder().setValue(ByteString.copyFrom(new byte[] {7}))))
                    .setAction(
                        TableAction.newBuilder()
                            .setAction(
                                Action.newBuilder()
                                    .setActionId(0x01000002)
                                    .addParams(Action.Param.newBuilder().setParamId(1).setValue(ByteString.copyFrom(new byte[] {3})))))
                    .setPriority(10)
                    .setIsDefaultAction(true)
                    .setMetadata(ByteString.copyFromUtf8("m")))
            .build();
    Entity register =
        Entity.newBuilder()
            .setRegisterEntry(
                RegisterEntry.newBuilder()
                    .setRegisterId(0x16000003)
                    .setIndex(Index.newBuilder().setIndex(5))
                    .setData(P4Data.newBuilder().setBitstring(ByteString.copyFrom(new byte[] {0x22}))))
            .build();
    Entity group =
        Entity.newBuilder()
            .setPacketReplicationEngineEntry(
                PacketReplicationEngineEntry.newBuilder()
                    .setMulticastGroupEntry(
                        MulticastGroupEntry.newBuilder()
                            .setMulticastGroupId(6)
                            .addReplicas(Replica.newBuilder().setEgressPort(1).setInstance(1))
                            .addReplicas(Replica.newBuilder().setPort(ByteString.copyFrom(new byte[] {2})))))
            .build();
    WriteRequest request =
        WriteRequest.newBuilder()
            .setDeviceId(1)
            .setElectionId(Uint128s.toProto(9))
            .setRole("stare")
            .setAtomicity(WriteRequest.Atomicity.ROLLBACK_ON_ERROR)
            .addUpdates(Update.newBuilder().setType(Update.Type.INSERT).setEntity(table))
            .addUpdates(Update.newBuilder().setType(Update.Type.MODIFY).setEntity(register))
            .addUpdates(Update.newBuilder().setType(Update.Type.INSERT).setEntity(group))
            .build();

    ByteString wire = request.toByteString();
    // device_id 1, election_id 3, updates 4 (x3), atomicity 5, role 6; protobuf-java writes in number order.
    assertEquals(List.of(1, 3, 4, 4, 4, 5, 6), numbers(wire));
    List<Field> top = fields(wire);
    assertEquals(1, top.get(0).varint());
    assertEquals(WriteRequest.Atomicity.ROLLBACK_ON_ERROR_VALUE, top.get(5).varint()); // = 1
    assertEquals(ByteString.copyFromUtf8("stare"), top.get(6).bytes());

    // Update: type 1 (INSERT = 1, MODIFY = 2), entity 2.
    List<Field> update0 = fields(top.get(2).bytes());
    assertEquals(List.of(1, 2), update0.stream().map(Field::number).toList());
    assertEquals(1, update0.get(0).varint());
    assertEquals(2, fields(top.get(3).bytes()).get(0).varint());

    // Entity oneof: table_entry 2, register_entry 11, packet_replication_engine_entry 9.
    ByteString tableEntry = only(update0.get(1).bytes(), 2);
    ByteString registerEntry = only(field(top.get(3).bytes(), 2), 11);
    ByteString pre = only(field(top.get(4).bytes(), 2), 9);

    // TableEntry: table_id 1, match 2, action 3, priority 4, is_default_action 8, metadata 11.
    assertEquals(List.of(1, 2, 3, 4, 8, 11), numbers(tableEntry));
    ByteString match = field(tableEntry, 2);
    assertEquals(List.of(1, 2), numbers(match)); // field_id 1, exact 2
    assertEquals(List.of(1), numbers(field(match, 2))); // Exact.value 1
    ByteString action = only(field(tableEntry, 3), 1); // TableAction.action 1
    assertEquals(List.of(1, 4), numbers(action)); // action_id 1, params 4
    assertEquals(List.of(2, 3), numbers(field(action, 4))); // Param: param_id 2, value 3

    // RegisterEntry: register_id 1, index 2 (Index.index 1), data 3 (P4Data.bitstring 1).
    assertEquals(List.of(1, 2, 3), numbers(registerEntry));
    assertEquals(5, fields(field(registerEntry, 2)).get(0).varint());
    assertEquals(ByteString.copyFrom(new byte[] {0x22}), only(field(registerEntry, 3), 1));

    // PacketReplicationEngineEntry.multicast_group_entry 1; group id 1, replicas 2.
    ByteString mcast = only(pre, 1);
    assertEquals(List.of(1, 2, 2), numbers(mcast));
    List<Field> replicas = fields(mcast).subList(1, 3);
    // Replica: egress_port 1 (deprecated uint32), instance 2, port 3 (bytes).
    assertEquals(List.of(1, 2), numbers(replicas.get(0).bytes()));
    assertEquals(List.of(3), numbers(replicas.get(1).bytes()));
    assertArrayEquals(new byte[] {0x08, 0x01, 0x10, 0x01}, replicas.get(0).bytes().toByteArray());
    assertArrayEquals(new byte[] {0x1a, 0x01, 0x02}, replicas.get(1).bytes().toByteArray());

    assertEquals(request, WriteRequest.parseFrom(wire));
  }

  @Test
  void entityTagBytes() {
    // The first byte of an encoded Entity is (field number << 3) | 2.
    assertEquals(0x12, Entity.newBuilder().setTableEntry(TableEntry.getDefaultInstance()).build().toByteArray()[0]);
    assertEquals(0x3a, Entity.newBuilder().setCounterEntry(CounterEntry.getDefaultInstance()).build().toByteArray()[0]);
    assertEquals(0x4a, Entity.newBuilder()
        .setPacketReplicationEngineEntry(PacketReplicationEngineEntry.getDefaultInstance()).build().toByteArray()[0]);
    assertEquals(0x5a, Entity.newBuilder().setRegisterEntry(RegisterEntry.getDefaultInstance()).build().toByteArray()[0]);
  }

  @Test
  void streamChannelMessages() throws IOException {
    MasterArbitrationUpdate arbitration =
        MasterArbitrationUpdate.newBuilder()
            .setDeviceId(1)
            .setRole(p4.v1.Role.newBuilder().setName("stare"))
            .setElectionId(Uint128s.toProto(2))
            .setStatus(Status.newBuilder().setCode(0).setMessage("ok"))
            .build();
    // device_id 1, role 2 (Role.name 3), election_id 3, status 4.
    assertEquals(List.of(1, 2, 3, 4), numbers(arbitration.toByteString()));
    assertEquals(List.of(3), numbers(field(arbitration.toByteString(), 2)));
    assertEquals(ByteString.copyFrom(arbitration.toByteArray()),
        only(StreamMessageRequest.newBuilder().setArbitration(arbitration).build().toByteString(), 1));

    PacketOut out =
        PacketOut.newBuilder()
            .setPayload(ByteString.copyFromUtf8("frame"))
            .addMetadata(PacketMetadata.newBuilder().setMetadataId(2).setValue(ByteString.copyFrom(new byte[] {0, 5})))
            .build();
    // StreamMessageRequest.packet 2; PacketOut payload 1, metadata 2; PacketMetadata metadata_id 1, value 2.
    ByteString packet = only(StreamMessageRequest.newBuilder().setPacket(out).build().toByteString(), 2);
    assertEquals(List.of(1, 2), numbers(packet));
    assertArrayEquals(new byte[] {0x08, 0x02, 0x12, 0x02, 0x00, 0x05}, field(packet, 2).toByteArray());
  }

  @Test
  void pipelineConfigAndP4Info() throws IOException {
    P4Info info =
        P4Info.newBuilder()
            .addRegisters(
                p4.config.v1.Register.newBuilder()
                    .setSize(2048)
                    .setTypeSpec(
                        P4DataTypeSpec.newBuilder()
                            .setBitstring(
                                P4BitstringLikeTypeSpec.newBuilder().setBit(P4BitTypeSpec.newBuilder().setBitwidth(8)))))
            .setTypeInfo(P4TypeInfo.newBuilder().setError(p4.config.v1.P4ErrorTypeSpec.newBuilder().addMembers("NoError")))
            .build();
    // P4Info.registers 11, type_info 200 (tag 200<<3|2 = 1602, varint c2 0c).
    assertEquals(List.of(11, 200), numbers(info.toByteString()));
    assertEquals(0x5a, info.toByteArray()[0] & 0xff);
    ByteString register = field(info.toByteString(), 11);
    // Register: type_spec 2, size 3; P4DataTypeSpec.bitstring 1; P4BitstringLikeTypeSpec.bit 1; bitwidth 1.
    assertEquals(List.of(2, 3), numbers(register));
    assertArrayEquals(new byte[] {0x08, 0x08}, only(only(field(register, 2), 1), 1).toByteArray());

    SetForwardingPipelineConfigRequest request =
        SetForwardingPipelineConfigRequest.newBuilder()
            .setDeviceId(1)
            .setElectionId(Uint128s.toProto(1))
            .setAction(SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT)
            .setConfig(
                ForwardingPipelineConfig.newBuilder()
                    .setP4Info(info)
                    .setP4DeviceConfig(ByteString.copyFromUtf8("{}"))
                    .setCookie(ForwardingPipelineConfig.Cookie.newBuilder().setCookie(77)))
            .build();
    // device_id 1, election_id 3, action 4 (VERIFY_AND_COMMIT = 3), config 5.
    List<Field> top = fields(request.toByteString());
    assertEquals(List.of(1, 3, 4, 5), top.stream().map(Field::number).toList());
    assertEquals(3, top.get(2).varint());
    // ForwardingPipelineConfig: p4info 1, p4_device_config 2, cookie 3.
    assertEquals(List.of(1, 2, 3), numbers(top.get(3).bytes()));
  }
}
