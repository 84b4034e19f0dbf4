package io.stare.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.testing.TestTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The actor benchmarks' methods, called directly on a real middleware (not through JMH), do what
 * they claim: every publish of a batch completes as published and reaches the network or the local
 * subscriber.
 */
@Timeout(60)
class ActorBenchmarksTest {

    @Test
    void aPublishBatchIsPublishedAndSent() throws Exception {
        PublishBenchmark benchmark = new PublishBenchmark();
        benchmark.payloadBytes = 1024;
        benchmark.start();
        try {
            Outcomes outcomes = new Outcomes();
            assertEquals(PublishBenchmark.BATCH, benchmark.stareClient(outcomes));
            assertEquals(PublishBenchmark.BATCH, benchmark.middleware(outcomes));
            assertEquals(2L * PublishBenchmark.BATCH, outcomes.published);
            assertEquals(0, outcomes.refused);
            assertEquals(2L * PublishBenchmark.BATCH, benchmark.rig().stats().updatesPublished());
            // MAIN SEND counts a frame when its stream takes it from the queue, a little after the reply.
            TestTime.eventually(java.time.Duration.ofSeconds(10), () -> {
                var stats = benchmark.rig().stats();
                assertEquals(2L * PublishBenchmark.BATCH, stats.transport().sent() + stats.transport().dropped(),
                        "one frame per 1 KB update handed to MAIN SEND");
            });
        } finally {
            benchmark.stop();
        }
    }

    @Test
    void aLocalBatchReachesTheSubscriber() throws Exception {
        LocalDeliveryBenchmark benchmark = new LocalDeliveryBenchmark();
        benchmark.payloadBytes = 64;
        benchmark.start();
        try {
            Outcomes outcomes = new Outcomes();
            // Each method returns only once the listener has had every published update.
            assertEquals(LocalDeliveryBenchmark.BATCH, benchmark.viaStareClient(outcomes));
            assertEquals(LocalDeliveryBenchmark.BATCH, benchmark.viaMiddleware(outcomes));
            assertEquals(0, outcomes.lost);
            var stats = benchmark.rig().stats();
            assertEquals(2L * LocalDeliveryBenchmark.BATCH, stats.localDeliveries());
            assertEquals(0, stats.transport().sent(), "nothing leaves for the network");
        } finally {
            benchmark.stop();
        }
    }
}
