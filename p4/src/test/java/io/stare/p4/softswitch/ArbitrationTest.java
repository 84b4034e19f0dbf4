package io.stare.p4.softswitch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ArbitrationTest {

    private final Arbitration<String> arbitration = new Arbitration<>(1);

    private static Optional<BigInteger> id(long value) {
        return Optional.of(BigInteger.valueOf(value));
    }

    private List<Arbitration.Notice<String>> accept(String stream, long election) {
        Arbitration.Outcome<String> outcome = arbitration.arbitrate(stream, 1, "", id(election));
        return assertInstanceOf(Arbitration.Accepted.class, outcome).notices();
    }

    @Test
    void highestElectionIdIsPrimaryAndOnlyItMayWrite() {
        List<Arbitration.Notice<String>> first = accept("a", 10);
        assertEquals(List.of(new Arbitration.Notice<>("a", "", true, id(10))), first);

        // A higher bidder takes over: both streams hear about it.
        List<Arbitration.Notice<String>> second = accept("b", 20);
        assertEquals(2, second.size());
        assertTrue(second.contains(new Arbitration.Notice<>("a", "", false, id(20))));
        assertTrue(second.contains(new Arbitration.Notice<>("b", "", true, id(20))));

        assertTrue(arbitration.isPrimary("", id(20)));
        assertFalse(arbitration.isPrimary("", id(10)));
        assertFalse(arbitration.isPrimary("", Optional.empty()));
    }

    @Test
    void aLowerBidderOnlyHearsItIsABackup() {
        accept("a", 20);
        assertEquals(List.of(new Arbitration.Notice<>("b", "", false, id(20))), accept("b", 10));
    }

    @Test
    void backupTakesOverWhenThePrimaryGoesAway() {
        accept("a", 20);
        accept("b", 10);
        List<Arbitration.Notice<String>> notices = arbitration.close("a");
        assertEquals(List.of(new Arbitration.Notice<>("b", "", true, id(10))), notices);
        assertTrue(arbitration.isPrimary("", id(10)));
        assertEquals(List.of(), arbitration.close("nobody"));
    }

    @Test
    void lastPrimaryLeavingTellsBackupsTheHighestIdSeen() {
        accept("a", 5);
        arbitration.arbitrate("observer", 1, "", Optional.empty());
        List<Arbitration.Notice<String>> notices = arbitration.close("a");
        assertEquals(List.of(new Arbitration.Notice<>("observer", "", false, id(5))), notices);
    }

    @Test
    void refusesWrongDeviceDuplicateIdsAndRoleChanges() {
        accept("a", 10);
        assertEquals("NOT_FOUND", ((Arbitration.Refused<String>) arbitration.arbitrate("b", 2, "", id(11))).code());
        assertEquals("INVALID_ARGUMENT",
                ((Arbitration.Refused<String>) arbitration.arbitrate("b", 1, "", id(10))).code());
        assertEquals("INVALID_ARGUMENT",
                ((Arbitration.Refused<String>) arbitration.arbitrate("a", 1, "other", id(10))).code());
        // The same stream may raise its own election ID.
        accept("a", 30);
        assertTrue(arbitration.isPrimary("", id(30)));
    }

    @Test
    void rolesArePrimaryIndependently() {
        accept("a", 10);
        Arbitration.Outcome<String> other = arbitration.arbitrate("b", 1, "agent", id(1));
        assertEquals(List.of(new Arbitration.Notice<>("b", "agent", true, id(1))),
                ((Arbitration.Accepted<String>) other).notices());
        assertTrue(arbitration.isPrimary("", id(10)));
        assertTrue(arbitration.isPrimary("agent", id(1)));
    }
}
