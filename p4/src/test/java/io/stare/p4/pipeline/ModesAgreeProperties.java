package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.MessageKind;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * On one switch, the register pipeline and the embedded pipeline with its controller send the
 * same frames, byte for byte, out of the same ports, for any sequence of SUB messages and publishes.
 */
class ModesAgreeProperties {

    private static final int P = 6;

    record Message(int port, int state, MessageKind kind) {
    }

    @Provide
    Arbitrary<List<Message>> messages() {
        return Combinators.combine(Arbitraries.integers().between(0, P - 1), Arbitraries.integers().between(0, 3),
                Arbitraries.of(MessageKind.SUB_REGISTER, MessageKind.SUB_REMOVE, MessageKind.PUBLISH))
                .as(Message::new).list().ofMaxSize(40);
    }

    @Property(tries = 300)
    void registerAndEmbeddedModesSendTheSameFrames(@ForAll("messages") List<Message> messages,
                                                    @ForAll @IntRange(min = 0, max = (1 << P) - 1) int treePorts) {
        RegisterPipeline register = new RegisterPipeline(P, 16);
        assertTrue(register.replication().installPortMaskGroups(P).isDone());
        register.setTreePorts(treePorts);
        EmbeddedPipeline embedded = new EmbeddedPipeline(P, 16);
        EmbeddedController controller = new EmbeddedController(P, treePorts, 16);

        int sequence = 0;
        for (Message message : messages) {
            byte[] frame = message.kind() == MessageKind.PUBLISH
                    ? StareFrames.publish(message.state(), ++sequence, 1, new byte[] {(byte) sequence})
                    : StareFrames.sub(message.kind(), message.state(), ++sequence, 1);
            long before = register.statePorts().read(message.state());
            PipelineResult byRegister = register.process(message.port(), frame);
            PipelineResult byEmbedded = embedded.process(message.port(), frame);
            List<PipelineResult.Emission> embeddedOut = new ArrayList<>(byEmbedded.emissions());
            for (PipelineResult.PacketInMessage packetIn : byEmbedded.packetIns()) {
                EmbeddedController.Act act = assertInstanceOf(EmbeddedController.Act.class, controller.onPacketIn(packetIn));
                embeddedOut.addAll(apply(embedded, act));
                // The register pipeline reports the new mask; the propagation follows from it.
                long propagated = Propagation.propagate(message.kind(), before, message.port(), treePorts,
                        PortMask.all(P));
                assertEquals(propagated, act.propagation());
                assertEquals(propagated != 0, byRegister.packetIns().stream()
                        .anyMatch(m -> m.header().reason() == CpuHeaders.Reason.SUB_PROPAGATED
                                && m.header().value() == register.statePorts().read(message.state())));
            }
            assertEquals(byRegister.emissions(), embeddedOut, message.toString());
            assertEquals(register.statePorts().read(message.state()), controller.mask(message.state()));
        }
    }

    private static List<PipelineResult.Emission> apply(EmbeddedPipeline pipeline, EmbeddedController.Act act) {
        List<PipelineResult.Emission> out = new ArrayList<>();
        for (EmbeddedController.Decision decision : act.decisions()) {
            WriteResult written = WriteResult.DONE;
            if (decision instanceof EmbeddedController.InsertGroup g) {
                written = pipeline.replication().insertGroup(g.groupId(), g.replicas());
            } else if (decision instanceof EmbeddedController.DeleteGroup g) {
                written = pipeline.replication().deleteGroup(g.groupId());
            } else if (decision instanceof EmbeddedController.InsertEntry e) {
                written = pipeline.stateForwarding().insert(e.stateId(), e.groupId());
            } else if (decision instanceof EmbeddedController.ModifyEntry e) {
                written = pipeline.stateForwarding().modify(e.stateId(), e.groupId());
            } else if (decision instanceof EmbeddedController.DeleteEntry e) {
                written = pipeline.stateForwarding().delete(e.stateId());
            } else if (decision instanceof EmbeddedController.Transmit t) {
                out.addAll(pipeline.processPacketOut(t.packetOut(), t.frame()).emissions());
            }
            assertTrue(written.isDone(), decision + ": " + written);
        }
        return out;
    }
}
