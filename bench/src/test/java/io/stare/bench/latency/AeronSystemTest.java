package io.stare.bench.latency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.File;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** AeronSystem with its embedded media driver: every payload reaches both subscribers, and the driver's directory goes away. */
@Timeout(20)
class AeronSystemTest {

    @Test
    void everySubscriberGetsEveryPayloadIntact() throws Exception {
        SmokeCheck.assertAllDelivered(new AeronSystem());
    }

    @Test
    void closingASessionDeletesTheDriverDirectory() throws Exception {
        File tmp = new File(System.getProperty("java.io.tmpdir"));
        String[] before = tmp.list((dir, name) -> name.startsWith("stare-bench-aeron-"));
        new AeronSystem().start(1, 64, (s, b, o, l, t) -> { }).close();
        String[] after = tmp.list((dir, name) -> name.startsWith("stare-bench-aeron-"));
        Arrays.sort(before);
        Arrays.sort(after);
        assertArrayEquals(before, after);
    }
}
