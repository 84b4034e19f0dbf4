package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalDirectoryTest {

    private final LocalDirectory directory = new LocalDirectory();

    @Test
    void oneSubRegisterPerServerAndOneSubRemoveWhenTheLastLeaves() {
        assertEquals(LocalDirectory.NetworkChange.SUB_REGISTER, directory.subscribe(1, 42));
        assertEquals(LocalDirectory.NetworkChange.NONE, directory.subscribe(2, 42));
        assertEquals(LocalDirectory.NetworkChange.NONE, directory.subscribe(2, 42), "a repeated subscribe");
        assertEquals(Set.of(1, 2), directory.localSubscribers(42));
        assertEquals(LocalDirectory.NetworkChange.NONE, directory.unsubscribe(1, 42));
        assertEquals(LocalDirectory.NetworkChange.NONE, directory.unsubscribe(1, 42), "a repeated unsubscribe");
        assertEquals(LocalDirectory.NetworkChange.SUB_REMOVE, directory.unsubscribe(2, 42));
        assertEquals(Set.of(), directory.localSubscribers(42));
        assertEquals(LocalDirectory.NetworkChange.NONE, directory.unsubscribe(3, 99), "never subscribed");
    }

    @Test
    void onlyTheDeclaringVnfMayPublish() {
        assertEquals(LocalDirectory.Declared.OK, directory.declarePublisher(1, 7));
        assertEquals(LocalDirectory.Declared.OK, directory.declarePublisher(1, 7), "declaring again is fine");
        assertEquals(LocalDirectory.Declared.OWNED_BY_OTHER, directory.declarePublisher(2, 7));
        assertTrue(directory.mayPublish(1, 7));
        assertFalse(directory.mayPublish(2, 7));
        assertFalse(directory.mayPublish(1, 8), "an undeclared state");
        assertEquals(OptionalInt.of(1), directory.publisherOf(7));
    }

    @Test
    void aVnfThatGoesAwayTakesItsSubscriptionsAndRolesWithIt() {
        directory.subscribe(1, 10);
        directory.subscribe(1, 11);
        directory.subscribe(2, 11);
        directory.declarePublisher(1, 12);
        assertEquals(List.of(10), directory.removeVnf(1), "state 11 still has VNF 2");
        assertEquals(Set.of(11), directory.subscribedStates());
        assertFalse(directory.mayPublish(1, 12));
        assertEquals(LocalDirectory.Declared.OK, directory.declarePublisher(3, 12), "the role is free again");
    }
}
