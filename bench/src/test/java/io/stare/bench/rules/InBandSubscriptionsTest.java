package io.stare.bench.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.protocol.address.MessageKind;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What the BMv2 measurement counts as an installed register-mode rule, checked on the Java register
 * pipeline (byte-identical to BMv2 running the compiled program, as the conformance tests show):
 * the SUB-ack that leaves the subscriber's port, and nothing else.
 */
class InBandSubscriptionsTest {

    private static RegisterPipeline pipeline() {
        RegisterPipeline pipeline = new RegisterPipeline(8, 2048);
        pipeline.replication().installPortMaskGroups(8);
        return pipeline;
    }

    @Test
    void theSubAckOfASubRegisterOnPortZeroNamesItsState() {
        RegisterPipeline pipeline = pipeline();
        List<PipelineResult.Emission> out = pipeline.process(0, RuleMemory.subscriptionFrame(MessageKind.SUB_REGISTER, 1234))
                .emissions();
        assertEquals(1, out.size(), "one SUB-ack, no propagation without tree ports: " + out);
        assertEquals(Optional.of(1234), InBandSubscriptions.ackedState(0, out.get(0)));
        assertEquals(1L, pipeline.statePorts().read(1234), "bit 0 of state_ports[1234] is set");
    }

    @Test
    void aSubRemoveIsAckedTooAndClearsTheBit() {
        RegisterPipeline pipeline = pipeline();
        pipeline.process(0, RuleMemory.subscriptionFrame(MessageKind.SUB_REGISTER, 7));
        List<PipelineResult.Emission> out = pipeline.process(0, RuleMemory.subscriptionFrame(MessageKind.SUB_REMOVE, 7))
                .emissions();
        assertEquals(Optional.of(7), InBandSubscriptions.ackedState(0, out.get(0)));
        assertEquals(0L, pipeline.statePorts().read(7));
    }

    @Test
    void framesOnOtherPortsAndOtherKindsAreNotAcks() {
        byte[] ack = pipeline().process(0, RuleMemory.subscriptionFrame(MessageKind.SUB_REGISTER, 5)).emissions().get(0)
                .frame();
        assertEquals(Optional.empty(), InBandSubscriptions.ackedState(1, new PipelineResult.Emission(0, ack)));
        assertEquals(Optional.empty(), InBandSubscriptions.ackedState(0, new PipelineResult.Emission(1, ack)));
        assertEquals(Optional.empty(), InBandSubscriptions.ackedState(0,
                new PipelineResult.Emission(0, RuleMemory.subscriptionFrame(MessageKind.SUB_REGISTER, 5))));
        assertEquals(Optional.empty(), InBandSubscriptions.ackedState(0, new PipelineResult.Emission(0, new byte[10])));
    }
}
