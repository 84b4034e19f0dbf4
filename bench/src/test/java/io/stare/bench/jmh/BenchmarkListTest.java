package io.stare.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.InputStream;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * JMH's annotation processor ran on the main sources: its META-INF/BenchmarkList is on the classpath
 * and lists every benchmark of this package (stare bench jmh finds them there, and so does the
 * shaded stare.jar, which appends the resource), and each entry's generated class exists.
 */
class BenchmarkListTest {

    @Test
    void theGeneratedListNamesEveryBenchmark() throws Exception {
        List<BenchmarkListEntry> entries;
        // The resource JMH's Runner reads (BENCHMARK_LIST is "/META-INF/BenchmarkList").
        try (InputStream list = BenchmarkList.class.getResourceAsStream(BenchmarkList.BENCHMARK_LIST)) {
            assertNotNull(list, BenchmarkList.BENCHMARK_LIST + " is not on the classpath: JMH's processor did not run");
            entries = BenchmarkList.readBenchmarkList(list);
        }
        Set<String> names = new TreeSet<>();
        for (BenchmarkListEntry entry : entries) {
            names.add(entry.getUsername());
            String generated = entry.generatedTarget();
            Class.forName(generated.substring(0, generated.lastIndexOf('.'))); // the stub JMH runs
            if (!entry.getUsername().contains("StateWrite")) { // the state API's writes carry no update bytes
                assertEquals(List.of("64", "1024", "16384"), List.of(entry.getParams().get().get("payloadBytes")),
                        entry.getUsername());
            }
        }
        assertEquals(new TreeSet<>(Set.of(
                "io.stare.bench.jmh.PublishEncodeBenchmark.encode",
                "io.stare.bench.jmh.PublishEncodeBenchmark.encodeInPlace",
                "io.stare.bench.jmh.ReceiveDecodeBenchmark.validateInPlace",
                "io.stare.bench.jmh.ReceiveDecodeBenchmark.decodeAndReassemble",
                "io.stare.bench.jmh.PublishBenchmark.stareClient",
                "io.stare.bench.jmh.PublishBenchmark.middleware",
                "io.stare.bench.jmh.LocalDeliveryBenchmark.viaStareClient",
                "io.stare.bench.jmh.LocalDeliveryBenchmark.viaMiddleware",
                "io.stare.bench.jmh.DeliveryBenchmark.publishAndDeliver",
                "io.stare.bench.jmh.PublishTagBenchmark.tagUpdate",
                "io.stare.bench.jmh.StateWriteBenchmark.counterAdd",
                "io.stare.bench.jmh.StateWriteBenchmark.counterMapAddTo",
                "io.stare.bench.jmh.StateWriteBenchmark.sharedCounterMapAddTo")), names);
    }
}
