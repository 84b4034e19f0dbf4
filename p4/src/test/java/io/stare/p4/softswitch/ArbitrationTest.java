package io.stare.p4.softswitch;

import static io.stare.p4.softswitch.Arbitration.Standing.BACKUP;
import static io.stare.p4.softswitch.Arbitration.Standing.NO_PRIMARY;
import static io.stare.p4.softswitch.Arbitration.Standing.PRIMARY;
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
        assertEquals(List.of(new Arbitration.Notice<>("a", "", PRIMARY, id(10))), first);

        // A higher bidder takes over: both streams hear about it.
        List<Arbitration.Notice<String>> second = accept("b", 20);
        assertEquals(2, second.size());
        assertTrue(second.contains(new Arbitration.Notice<>("a", "", BACKUP, id(20))));
        assertTrue(second.contains(new Arbitration.Notice<>("b", "", PRIMARY, id(20))));

        assertTrue(arbitration.isPrimary("", id(20)));
        assertFalse(arbitration.isPrimary("", id(10)));
        assertFalse(arbitration.isPrimary("", Optional.empty()));
    }

    @Test
    void aLowerBidderOnlyHearsItIsABackup() {
        accept("a", 20);
        assertEquals(List.of(new Arbitration.Notice<>("b", "", BACKUP, id(20))), accept("b", 10));
    }

    @Test
    void noBackupIsPromotedWhenThePrimaryGoesAwayUntilOneClaimsTheHighestId() {
        accept("a", 20);
        accept("b", 10);
        List<Arbitration.Notice<String>> notices = arbitration.close("a");
        assertEquals(List.of(new Arbitration.Notice<>("b", "", NO_PRIMARY, id(20))), notices);
        assertFalse(arbitration.isPrimary("", id(10)));
        assertEquals(Optional.empty(), arbitration.primaryOf(""));
        assertEquals(List.of(), arbitration.close("nobody"));

        // Claiming the highest ID seen (or more) makes b primary; every stream of the role hears it.
        assertEquals(List.of(new Arbitration.Notice<>("b", "", PRIMARY, id(20))), accept("b", 20));
        assertTrue(arbitration.isPrimary("", id(20)));
    }

    @Test
    void aPrimaryThatLowersItsIdLeavesTheRoleWithoutPrimary() {
        accept("a", 20);
        accept("b", 10);
        List<Arbitration.Notice<String>> notices = accept("a", 5);
        assertEquals(List.of(new Arbitration.Notice<>("a", "", NO_PRIMARY, id(20)),
                new Arbitration.Notice<>("b", "", NO_PRIMARY, id(20))), notices);
        assertEquals(Optional.empty(), arbitration.primaryOf(""));
    }

    @Test
    void lastPrimaryLeavingTellsBackupsTheHighestIdSeen() {
        accept("a", 5);
        arbitration.arbitrate("observer", 1, "", Optional.empty());
        List<Arbitration.Notice<String>> notices = arbitration.close("a");
        assertEquals(List.of(new Arbitration.Notice<>("observer", "", NO_PRIMARY, id(5))), notices);
    }

    @Test
    void refusesWrongDeviceDuplicateIdsAndRoleOrDeviceChanges() {
        accept("a", 10);
        assertEquals("NOT_FOUND", ((Arbitration.Refused<String>) arbitration.arbitrate("b", 2, "", id(11))).code());
        assertEquals("INVALID_ARGUMENT",
                ((Arbitration.Refused<String>) arbitration.arbitrate("b", 1, "", id(10))).code());
        // A live stream's role and device are fixed (P4Runtime: FAILED_PRECONDITION).
        assertEquals("FAILED_PRECONDITION",
                ((Arbitration.Refused<String>) arbitration.arbitrate("a", 1, "other", id(10))).code());
        assertEquals("FAILED_PRECONDITION",
                ((Arbitration.Refused<String>) arbitration.arbitrate("a", 2, "", id(10))).code());
        // The same stream may raise its own election ID.
        accept("a", 30);
        assertTrue(arbitration.isPrimary("", id(30)));
    }

    @Test
    void rolesArePrimaryIndependently() {
        accept("a", 10);
        Arbitration.Outcome<String> other = arbitration.arbitrate("b", 1, "agent", id(1));
        assertEquals(List.of(new Arbitration.Notice<>("b", "agent", PRIMARY, id(1))),
                ((Arbitration.Accepted<String>) other).notices());
        assertTrue(arbitration.isPrimary("", id(10)));
        assertTrue(arbitration.isPrimary("agent", id(1)));
    }

    @Test
    void aRoleIsKnownOnceAStreamArbitratedForIt() {
        assertTrue(arbitration.knowsRole(""));
        assertFalse(arbitration.knowsRole("agent"));
        arbitration.arbitrate("b", 1, "agent", Optional.empty());
        assertTrue(arbitration.knowsRole("agent"));
    }
}
