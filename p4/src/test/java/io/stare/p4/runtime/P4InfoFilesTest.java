package io.stare.p4.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import p4.config.v1.ActionRef;
import p4.config.v1.ControllerPacketMetadata;
import p4.config.v1.CounterSpec;
import p4.config.v1.MatchField;
import p4.config.v1.P4Ids;
import p4.config.v1.P4Info;
import p4.config.v1.Register;
import p4.config.v1.Table;

class P4InfoFilesTest {
  private static final String SAMPLE = "io/stare/p4/runtime/sample.p4info.txtpb";

  @Test
  void parsesAV1modelP4InfoFromTheClassPath() {
    P4Info info = P4InfoFiles.fromResource(SAMPLE);
    assertEquals("v1model", info.getPkgInfo().getArch());

    assertEquals(2, info.getTablesCount());
    Table lpm = info.getTables(0);
    assertEquals("MyIngress.ipv4_lpm", lpm.getPreamble().getName());
    assertEquals(P4Ids.Prefix.TABLE_VALUE, lpm.getPreamble().getId() >>> 24);
    MatchField dst = lpm.getMatchFields(0);
    assertEquals(32, dst.getBitwidth());
    assertEquals(MatchField.MatchType.LPM, dst.getMatchType());
    assertEquals(ActionRef.Scope.DEFAULT_ONLY, lpm.getActionRefs(2).getScope());
    assertEquals("@defaultonly", lpm.getActionRefs(2).getAnnotations(0));
    assertEquals(1024, lpm.getSize());
    assertEquals(0, info.getTables(1).getMatchFieldsCount()); // keyless tree_ports

    assertEquals(4, info.getActionsCount());
    assertEquals(9, info.getActions(2).getParams(0).getBitwidth());
    assertEquals(CounterSpec.Unit.PACKETS, info.getCounters(0).getSpec().getUnit());
    assertEquals(8, info.getCounters(0).getSize());

    Register state = info.getRegisters(0);
    assertEquals("state_ports", state.getPreamble().getAlias());
    assertEquals(P4Ids.Prefix.REGISTER_VALUE, state.getPreamble().getId() >>> 24);
    assertEquals(8, state.getTypeSpec().getBitstring().getBit().getBitwidth());
    assertEquals(2048, state.getSize());

    ControllerPacketMetadata packetIn = info.getControllerPacketMetadata(1);
    assertEquals("packet_in", packetIn.getPreamble().getName());
    assertEquals("@controller_header(\"packet_in\")", packetIn.getPreamble().getAnnotations(0));
    assertEquals(7, packetIn.getMetadata(1).getBitwidth());
    assertTrue(info.hasTypeInfo());
  }

  @Test
  void fileAndResourceGiveTheSameMessage(@TempDir Path dir) throws Exception {
    P4Info fromResource = P4InfoFiles.fromResource("/" + SAMPLE);
    Path file = dir.resolve("copy.p4info.txtpb");
    Files.writeString(file, fromResource.toString());
    assertEquals(fromResource, P4InfoFiles.fromFile(file));
  }

  @Test
  void unknownFieldNamesFileAndLine() {
    P4InfoParseException e =
        assertThrows(
            P4InfoParseException.class,
            () -> P4InfoFiles.fromResource("io/stare/p4/runtime/unknown-field.p4info.txtpb"));
    assertEquals(8, e.line());
    assertTrue(e.getMessage().startsWith("classpath:io/stare/p4/runtime/unknown-field.p4info.txtpb:8:"),
        e.getMessage());
    assertTrue(e.getMessage().contains("sise"), e.getMessage());
  }

  @Test
  void malformedFileNamesFileAndLine(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("broken.p4info.txtpb");
    Files.writeString(file, "pkg_info {\n  arch: \"v1model\"\n}\ntables {\n  preamble {\n    id: 1\n");
    P4InfoParseException e = assertThrows(P4InfoParseException.class, () -> P4InfoFiles.fromFile(file));
    assertEquals(file.toString(), e.source());
    assertTrue(e.line() >= 6, "line " + e.line());
    assertTrue(e.getMessage().startsWith(file + ":" + e.line() + ":"), e.getMessage());
  }

  @Test
  void missingInputsAreNamed(@TempDir Path dir) {
    IllegalArgumentException noResource =
        assertThrows(IllegalArgumentException.class, () -> P4InfoFiles.fromResource("nope.p4info.txtpb"));
    assertTrue(noResource.getMessage().contains("nope.p4info.txtpb"));
    Path missing = dir.resolve("missing.p4info.txtpb");
    UncheckedIOException noFile = assertThrows(UncheckedIOException.class, () -> P4InfoFiles.fromFile(missing));
    assertTrue(noFile.getMessage().contains(missing.toString()));
  }
}
