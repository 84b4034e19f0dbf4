package io.stare.actors.agent;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;

/** Reads an agent's state table through its in-band register access (for tests outside this package). */
public final class InBandCells {

    private InBandCells() {
    }

    public static long[] read(ActorTestKit kit, ActorRef<SwitchAgent.Command> agent, int count, Duration wait) {
        TestProbe<Object> probe = kit.createTestProbe();
        agent.tell(new SwitchAgent.UseRegisters(RegisterAccess.Kind.IN_BAND, a -> a.read(0, count), probe.ref()));
        Object outcome = probe.receiveMessage(wait);
        if (outcome instanceof Throwable failure) {
            throw new AssertionError("in-band read failed", failure);
        }
        return (long[]) outcome;
    }
}
