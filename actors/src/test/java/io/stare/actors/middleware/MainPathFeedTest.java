package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The EXT module's inputs reach the main path in order, none lost, however often its queue is full. */
class MainPathFeedTest {

    private final List<MainPath.Input> taken = new ArrayList<>();
    private int room;
    private final MainPathFeed feed = new MainPathFeed(input -> room > 0 && taken.add(input) && room-- > 0);

    @Test
    void anInputTheQueueTakesIsHandedOverAtOnce() {
        room = 1;
        assertFalse(feed.feed(new MainPath.Forget(1)));
        assertEquals(List.of(new MainPath.Forget(1)), taken);
        assertFalse(feed.retry());
    }

    @Test
    void whatAFullQueueRefusesWaitsAndLaterInputsWaitBehindIt() {
        room = 0;
        assertTrue(feed.feed(new MainPath.Forget(1)));
        room = 5; // room again, but the waiting input goes first
        assertTrue(feed.feed(new MainPath.Forget(2)));
        assertEquals(List.of(), taken);

        room = 1;
        assertTrue(feed.retry());
        assertEquals(List.of(new MainPath.Forget(1)), taken);
        room = 5;
        assertFalse(feed.retry());
        assertEquals(List.of(new MainPath.Forget(1), new MainPath.Forget(2)), taken);
        assertFalse(feed.feed(new MainPath.Forget(3)));
        assertEquals(3, taken.size());
    }
}
