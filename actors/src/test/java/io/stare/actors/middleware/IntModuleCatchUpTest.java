package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** An INT module whose queue overflows reads what it turned away from the backlog, in order. */
class IntModuleCatchUpTest {

    private static final ActorTestKit testKit = ActorTestKit.create();
    private static final int STATE = 5;
    private static final int PUBLISHER = 2;

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private final TestProbe<Vnf.Command> vnf = testKit.createTestProbe();
    private final List<CatchUp.Read> reads = new ArrayList<>();

    private IntModule module(int capacity) {
        return new IntModule(9, vnf.ref(), capacity, new LongAdder(), new LongAdder(), 2,
                (module, read) -> reads.add(read));
    }

    private static void deliver(IntModule module, long update) {
        byte[] value = {(byte) update};
        module.deliver(STATE, PUBLISHER, update, ByteBuffer.wrap(value), 0, 1);
    }

    private static List<Delivery> drain(IntModule module) {
        List<Delivery> out = new ArrayList<>();
        for (Delivery next = module.poll(); next != null; next = module.poll()) {
            out.add(next);
        }
        return out;
    }

    private static Segment segment(long update, int no, int of) {
        return new Segment(STATE, PUBLISHER, update, of, no, new byte[] {(byte) update, (byte) no});
    }

    private static long updateOf(Delivery delivery) {
        return ((Delivery.Update) delivery).update();
    }

    @Test
    void whatTheFullQueueTurnedAwayIsReadAgainAndQueuedInOrder() {
        IntModule module = module(4);
        for (long u = 0; u < 10; u++) {
            deliver(module, u);
        }
        assertEquals(6, module.inboundDropped(), "4 queued, 6 turned away");
        assertEquals(4, module.oldestHeld(STATE), "the backlog must keep 4 and on");

        assertEquals(List.of(0L, 1L, 2L, 3L), drain(module).stream().map(IntModuleCatchUpTest::updateOf).toList());
        assertEquals(List.of(new CatchUp.Read(STATE, PUBLISHER, 4, 5)), reads,
                "one read, of the room there was once the queue was half empty");
        deliver(module, 10); // live, while the read is out: held back too

        // The backlog has 4 whole, 5 only in part (its answer was cut short).
        assertFalse(module.caughtUp(reads.get(0), new Recovered(1, STATE,
                List.of(segment(4, 0, 1), segment(5, 0, 2)), List.of(), 10)), "it brought 4: progress");
        assertEquals(new CatchUp.Read(STATE, PUBLISHER, 5, 7), reads.get(1), "from 5 on, as much as there is room");
        // 5 whole in two segments, 6 truncated (a loss notice, exactly), 7 whole.
        assertFalse(module.caughtUp(reads.get(1), new Recovered(2, STATE,
                List.of(segment(5, 1, 2), segment(5, 0, 2), segment(7, 0, 1)), List.of(MissingUpdate.whole(6)), 10)));
        assertEquals(2, reads.size(), "the queue is more than half full: no read yet");

        List<Delivery> next = drain(module);
        assertEquals(4L, updateOf(next.get(0)));
        assertEquals(5L, updateOf(next.get(1)));
        assertTrue(java.util.Arrays.equals(new byte[] {5, 0, 5, 1}, ((Delivery.Update) next.get(1)).value()),
                "segments joined in order");
        assertEquals(new Delivery.Loss(STATE, PUBLISHER, 6, 6, Delivery.Loss.Reason.UNRECOVERABLE), next.get(2));
        assertEquals(7L, updateOf(next.get(3)));
        assertEquals(new CatchUp.Read(STATE, PUBLISHER, 8, 9), reads.get(2), "asked as the queue drained");

        module.caughtUp(reads.get(2), new Recovered(3, STATE, List.of(segment(8, 0, 1), segment(9, 0, 1)), List.of(), 10));
        assertEquals(new CatchUp.Read(STATE, PUBLISHER, 10, 10), reads.get(3), "the live update that came meanwhile");
        module.caughtUp(reads.get(3), new Recovered(4, STATE, List.of(segment(10, 0, 1)), List.of(), 10));
        assertEquals(List.of(8L, 9L, 10L), drain(module).stream().map(IntModuleCatchUpTest::updateOf).toList());
        assertEquals(-1, module.oldestHeld(STATE), "caught up");
        deliver(module, 11);
        assertEquals(List.of(11L), drain(module).stream().map(IntModuleCatchUpTest::updateOf).toList(), "live again");
        assertEquals(4, reads.size());
    }

    @Test
    void anUpdateTheBacklogNeverBringsWhollyIsReportedLostAfterTheAttempts() {
        IntModule module = module(2);
        for (long u = 0; u < 3; u++) {
            deliver(module, u);
        }
        drain(module);
        CatchUp.Read read = reads.get(0);
        Recovered partial = new Recovered(1, STATE, List.of(segment(2, 0, 2)), List.of(), 2);
        assertTrue(module.caughtUp(read, partial), "nothing whole: asked again after the retry");
        assertNull(module.poll());
        module.retryCatchUp(read);
        CatchUp.Read again = reads.get(reads.size() - 1);
        assertEquals(read, again);
        assertFalse(module.caughtUp(again, partial), "the second fruitless answer gives the update up");
        assertEquals(List.of(new Delivery.Loss(STATE, PUBLISHER, 2, 2, Delivery.Loss.Reason.UNRECOVERABLE)),
                drain(module));
        assertEquals(-1, module.oldestHeld(STATE));
    }

    @Test
    void anAnswerThatFindsTheQueueFullIsNotFruitless() {
        IntModule module = module(2); // gives an update up after 2 fruitless answers
        deliver(module, 0);
        deliver(module, 1);
        deliver(module, 2); // turned away
        drain(module);
        CatchUp.Read read = reads.get(0);
        byte[] other = {9};
        for (int attempt = 0; attempt < 3; attempt++) {
            module.deliver(STATE + 1, PUBLISHER, attempt * 2, java.nio.ByteBuffer.wrap(other), 0, 1);
            module.deliver(STATE + 1, PUBLISHER, attempt * 2 + 1, java.nio.ByteBuffer.wrap(other), 0, 1);
            // Another state filled the queue: the answer cannot be queued, and that is no reason to give up.
            assertFalse(module.caughtUp(read, new Recovered(attempt, STATE, List.of(segment(2, 0, 1)), List.of(), 2)));
            drain(module);
            read = reads.get(reads.size() - 1);
            assertEquals(2, read.first(), "asked again as the queue drained");
        }
        module.caughtUp(read, new Recovered(9, STATE, List.of(segment(2, 0, 1)), List.of(), 2));
        assertEquals(List.of(2L), drain(module).stream().map(IntModuleCatchUpTest::updateOf).toList(),
                "delivered, never reported lost");
    }
}
