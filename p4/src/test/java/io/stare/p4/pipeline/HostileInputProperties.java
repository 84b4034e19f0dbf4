package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.Ethernet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Random input never throws, is counted once when dropped, and leaves the pipelines working. */
class HostileInputProperties {

    private static List<Pipeline> pipelines() {
        RegisterPipeline register = new RegisterPipeline();
        register.replication().installPortMaskGroups(8);
        register.statePorts().write(7, 0b100);
        EmbeddedPipeline embedded = new EmbeddedPipeline();
        embedded.replication().insertGroup(0b100, ReplicationEngine.replicasOf(0b100));
        embedded.stateForwarding().insert(7, 0b100);
        return List.of(register, embedded);
    }

    private static void assertHandledThenStillWorks(Pipeline pipeline, PipelineResult result) {
        assertEquals(result.isDropped() ? 1 : 0, pipeline.drops().total());
        byte[] publish = StareFrames.publish(7, 1, 3, new byte[] {42});
        PipelineResult next = pipeline.process(3, publish);
        assertEquals(List.of(new PipelineResult.Emission(2, StareFrames.forwarded(publish))), next.emissions());
    }

    @Property(tries = 500)
    void randomFrames(@ForAll @Size(max = 120) byte[] bytes, @ForAll @IntRange(max = 7) int port) {
        for (Pipeline pipeline : pipelines()) {
            assertHandledThenStillWorks(pipeline, pipeline.process(port, bytes));
        }
    }

    @Property(tries = 500)
    void randomIpv4Payloads(@ForAll @Size(max = 80) byte[] bytes, @ForAll @IntRange(max = 7) int port) {
        byte[] frame = Ethernet.wrap(0x01005e000007L, 2, Ethernet.ETHERTYPE_IPV4, bytes);
        for (Pipeline pipeline : pipelines()) {
            PipelineResult result = pipeline.process(port, frame);
            assertTrue(result.isDropped(), "random bytes never make a valid packet with checksums");
            assertHandledThenStillWorks(pipeline, result);
        }
    }

    @Property(tries = 500)
    void corruptedStareFrames(@ForAll @IntRange(min = 14, max = 35) int offset, @ForAll byte value,
                              @ForAll @IntRange(max = 7) int port) {
        byte[] frame = StareFrames.sub(MessageKind.SUB_REMOVE, 9, 1, 3); // not state 7, which the check uses
        frame[offset] = value;
        for (Pipeline pipeline : pipelines()) {
            assertHandledThenStillWorks(pipeline, pipeline.process(port, frame));
        }
    }

    @Property(tries = 500)
    void randomPacketOuts(@ForAll @Size(max = 60) byte[] bytes) {
        for (Pipeline pipeline : pipelines()) {
            PipelineResult result = pipeline.processPacketOut(bytes);
            result.emissions().forEach(e -> assertTrue(e.port() < 8));
            long written = pipeline instanceof RegisterPipeline r ? r.statePorts().read(7) : 0b100;
            if (written == 0b100) {
                assertHandledThenStillWorks(pipeline, result);
            }
        }
    }
}
