package io.stare.bench.latency;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * DistributedDataSystem, three ActorSystems per session: each subscriber node ends with the last
 * value (Distributed Data delivers the latest value, so earlier ones may be superseded), and every
 * value it did receive crossed the nodes intact.
 */
@Timeout(40)
class DistributedDataSystemTest {

    @Test
    void everySubscriberGetsTheLatestValueIntact() throws Exception {
        SmokeCheck.assertLatestDelivered(new DistributedDataSystem());
    }
}
