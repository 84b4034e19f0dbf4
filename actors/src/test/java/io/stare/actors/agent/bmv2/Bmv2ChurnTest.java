package io.stare.actors.agent.bmv2;

import static io.stare.actors.agent.bmv2.Bmv2Switch.WAIT;
import static io.stare.actors.agent.bmv2.Bmv2Switch.awaitView;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.agent.AgentSettings;
import io.stare.actors.agent.AgentView;
import io.stare.actors.agent.Reconfiguration;
import io.stare.actors.agent.ReconfigurationReport;
import io.stare.actors.agent.RegisterAccess;
import io.stare.actors.agent.SwitchAgent;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.p4.program.StareProgram;
import io.stare.protocol.address.MessageKind;
import io.stare.testing.TestTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A State4 growth on BMv2 (in-band register access) under SUB churn keeps every cell exact. */
class Bmv2ChurnTest {

    /** SUB frames sent before the reconfiguration starts, and after it has reported. */
    private static final int CHURN_BEFORE = 300;
    private static final int CHURN_AFTER = 200;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aState4GrowthOnBmv2UnderChurnLosesNoChange() throws Exception {
        ActorTestKit kit = ActorTestKit.create("bmv2-churn");
        try (Bmv2Switch bmv2 = Bmv2Switch.start()) {
            ActorRef<SwitchAgent.Command> agent = kit.spawn(SwitchAgent.create(bmv2.settings(1,
                    StareProgram.Mode.REGISTER, 0b100).withState4(new AgentSettings.State4(
                    RegisterAccess.Choice.AUTO, 0, 64, false))), "register-churn");
            try {
                awaitView(kit, agent, AgentView::ready, WAIT);
                AtomicBoolean sending = new AtomicBoolean(true);
                List<int[]> sent = java.util.Collections.synchronizedList(new ArrayList<>());
                AtomicBoolean failed = new AtomicBoolean();
                Thread sender = new Thread(() -> {
                    Random random = new Random(4);
                    int update = 0;
                    try {
                        while (sending.get()) {
                            int port = random.nextInt(2);
                            int state = random.nextInt(64);
                            int kind = random.nextInt(5) < 3 ? 1 : 0;
                            update++;
                            bmv2.send(port, kind == 1 ? MessageKind.SUB_REGISTER : MessageKind.SUB_REMOVE, state,
                                    update, port + 1, new byte[0]);
                            sent.add(new int[] {port, kind, state, update});
                            Thread.sleep(2);
                        }
                    } catch (Exception e) {
                        failed.set(true);
                    }
                }, "churn");
                sender.start();
                // Churn before the reconfiguration, during it and after it: counted in frames sent,
                // not in time, so a slow machine churns as much as a fast one.
                TestTime.eventually(WAIT, () -> assertTrue(sent.size() >= CHURN_BEFORE, sent.size() + " frames sent"));
                TestProbe<ReconfigurationReport> probe = kit.createTestProbe();
                agent.tell(new SwitchAgent.Reconfigure(4096, Reconfiguration.Strategy.STATE4, probe.ref()));
                ReconfigurationReport report = probe.receiveMessage(Duration.ofSeconds(30));
                int atReport = sent.size();
                TestTime.eventually(WAIT, () -> assertTrue(sent.size() >= atReport + CHURN_AFTER,
                        sent.size() + " frames sent"));
                sending.set(false);
                sender.join(5_000);
                assertTrue(!failed.get(), "sending failed");
                assertTrue(report.succeeded(), report.toString());
                assertEquals(RegisterAccess.Kind.IN_BAND, report.access());
                awaitView(kit, agent, v -> !v.reconfiguring() && v.stateCapacity() == 4096, WAIT);

                RegisterPipeline expected = new RegisterPipeline(8, 2048);
                expected.replication().installPortMaskGroups(8);
                synchronized (sent) {
                    for (int[] f : sent) {
                        expected.process(f[0], Bmv2Switch.frame(f[1] == 1 ? MessageKind.SUB_REGISTER
                                : MessageKind.SUB_REMOVE, f[2], f[3], f[0] + 1, new byte[0]));
                    }
                }
                // Frames still in the switch's queues land eventually: wait for the cells to converge.
                TestTime.eventually(WAIT, () -> {
                    long[] cells = io.stare.actors.agent.InBandCells.read(kit, agent, 4096, WAIT);
                    int wrong = 0;
                    StringBuilder first = new StringBuilder();
                    for (int i = 0; i < cells.length; i++) {
                        long want = i < 2048 ? expected.statePorts().read(i) : 0;
                        if (cells[i] != want && wrong++ < 5) {
                            first.append(" [").append(i).append("] ").append(cells[i]).append(" != ").append(want);
                        }
                    }
                    assertEquals(0, wrong, "cells differ from a switch never reconfigured (" + sent.size()
                            + " frames):" + first + "; " + report);
                });
            } finally {
                kit.stop(agent, Duration.ofSeconds(5));
            }
        } finally {
            kit.shutdownTestKit();
        }
    }
}
