package io.stare.bench.latency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class RateSearchTest {

    /** Runs a search against a system that sustains exactly the rates {@code sustains} accepts. */
    private static RateSearch search(RateSearch search, IntPredicate sustains) {
        int guard = 0;
        for (OptionalInt rate = search.next(); rate.isPresent(); rate = search.next()) {
            search.record(rate.getAsInt(), sustains.test(rate.getAsInt()));
            assertTrue(++guard < 50, "the search does not end");
        }
        return search;
    }

    @Test
    void doublesThenBisectsTowardsTheLimit() {
        RateSearch s = search(new RateSearch(1_000, 256_000, 2), rate -> rate <= 13_000);
        // 1k, 2k, 4k, 8k sustained, 16k fails; bisect: 12k sustained, 14k fails.
        assertEquals(List.of(1_000, 2_000, 4_000, 8_000, 16_000, 12_000, 14_000),
                s.trials().stream().map(RateSearch.Trial::rate).toList());
        assertEquals(12_000, s.best());
    }

    @Test
    void stopsAtTheCeilingWhenEverythingIsSustained() {
        RateSearch s = search(new RateSearch(1_000, 5_000, 3), rate -> true);
        assertEquals(List.of(1_000, 2_000, 4_000, 5_000), s.trials().stream().map(RateSearch.Trial::rate).toList());
        assertEquals(5_000, s.best());
    }

    @Test
    void halvesDownToTheFloorWhenTheStartFails() {
        RateSearch s = search(new RateSearch(1_000, 100_000, 2), rate -> rate <= 300);
        assertEquals(List.of(1_000, 500, 250, 375, 312), s.trials().stream().map(RateSearch.Trial::rate).toList());
        assertEquals(250, s.best());
    }

    @Test
    void reportsZeroWhenNothingIsSustained() {
        RateSearch s = search(new RateSearch(1_000, 100_000, 2), rate -> false);
        assertEquals(0, s.best());
        assertEquals(125, s.trials().get(s.trials().size() - 1).rate());
    }

    @Test
    void refusesNonsense() {
        assertThrows(IllegalArgumentException.class, () -> new RateSearch(0, 10, 1));
        assertThrows(IllegalArgumentException.class, () -> new RateSearch(10, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> new RateSearch(10, 50, -1));
    }
}
