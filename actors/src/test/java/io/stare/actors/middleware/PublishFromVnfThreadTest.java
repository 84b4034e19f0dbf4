package io.stare.actors.middleware;

import static io.stare.actors.middleware.Testbed.WAIT;
import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.StareClient;
import io.stare.client.UpdateHandler;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * At light traffic a publish leaves from the publishing VNF's thread (the main path sleeps), and
 * nothing changes for the subscribers: every update once, in order, on this server and another.
 */
@Timeout(60)
class PublishFromVnfThreadTest {

    private record Heard(long update, byte value, Thread thread) {
    }

    @Test
    void aPublishToAnIdleMainPathIsSentFromThePublishersThread() throws Exception {
        try (Testbed testbed = new Testbed()) {
            StareClient publisher = testbed.vnf(0, "light-pub");
            StareClient neighbour = testbed.vnf(0, "same-server-sub");
            StareClient remote = testbed.vnf(1, "other-server-sub");
            int state = await(publisher.declare("light"));
            BlockingQueue<Heard> local = new LinkedBlockingQueue<>();
            BlockingQueue<Heard> far = new LinkedBlockingQueue<>();
            await(neighbour.subscribe("light", (UpdateHandler) (s, vnf, update, buffer, offset, length) ->
                    local.add(new Heard(update, buffer.get(offset), Thread.currentThread()))));
            await(remote.subscribe("light", (UpdateHandler) (s, vnf, update, buffer, offset, length) ->
                    far.add(new Heard(update, buffer.get(offset), Thread.currentThread()))));

            // One update at a time, the next once the last arrived: the main path sleeps in between.
            int updates = 50;
            int onPublisherThread = 0;
            for (int i = 0; i < updates; i++) {
                assertEquals(i, publisher.tryPublish(state, new byte[] {(byte) i}, 0, 1));
                Heard there = far.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                Heard here = local.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(new Heard(i, (byte) i, there.thread()), there, "the other server, in order");
                assertEquals(i, here.update(), "this server, in order");
                assertEquals((byte) i, here.value());
                if (here.thread() == Thread.currentThread()) {
                    onPublisherThread++;
                }
            }
            Middleware.Stats stats = testbed.stats(0);
            assertTrue(stats.sentFromVnfThreads() > 0, "no publish left from the VNF's thread: " + stats);
            assertTrue(onPublisherThread > 0, "the neighbour's handler never ran on the publisher's thread");
            assertEquals(updates, stats.updatesPublished());
            assertTrue(stats.publishLogBytes() > 0 && stats.publishLogBytes() <= 4L << 20,
                    "the publish log holds a chunk or a few for these updates: " + stats.publishLogBytes());
            assertEquals(List.of(), List.copyOf(far), "nothing twice");
            assertEquals(List.of(), List.copyOf(local), "nothing twice");
            assertEquals(0, testbed.stats(1).unrecoverableUpdates());
        }
    }
}
