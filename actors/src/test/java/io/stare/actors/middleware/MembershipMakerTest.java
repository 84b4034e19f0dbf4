package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.middleware.MembershipMaker.CloseSocket;
import io.stare.actors.middleware.MembershipMaker.JoinGroup;
import io.stare.actors.middleware.MembershipMaker.LeaveGroup;
import io.stare.actors.middleware.MembershipMaker.Op;
import io.stare.actors.middleware.MembershipMaker.OpenSocket;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MembershipMakerTest {

    private static StareAddress publish(int state) {
        return new StareAddress(MessageKind.PUBLISH, state);
    }

    private static StareAddress ack(int state) {
        return new StareAddress(MessageKind.SUB_ACK, state);
    }

    @Test
    void aStateTakesItsPublishAndSubAckGroupsOnSlotZero() {
        MembershipMaker maker = new MembershipMaker(20);
        assertEquals(List.of(new OpenSocket(0)), maker.start());
        assertEquals(List.of(), maker.start(), "slot 0 opens once");
        assertEquals(List.of(new JoinGroup(0, publish(12345)), new JoinGroup(0, ack(12345))), maker.join(12345));
        assertEquals("239.0.48.57", publish(12345).toDottedQuad());
        assertEquals("239.64.48.57", ack(12345).toDottedQuad());
        assertEquals(OptionalInt.of(0), maker.ownerOf(12345));
        assertEquals(10, maker.statesPerSocket());
    }

    @Test
    void joinAndLeaveAreIdempotent() {
        MembershipMaker maker = new MembershipMaker(20);
        maker.start();
        assertEquals(2, maker.join(7).size());
        assertEquals(List.of(), maker.join(7), "joining twice is joining once");
        assertEquals(List.of(), maker.leave(8), "leaving a state not joined does nothing");
        assertEquals(List.of(new LeaveGroup(0, publish(7)), new LeaveGroup(0, ack(7))), maker.leave(7));
        assertEquals(List.of(), maker.leave(7));
        assertFalse(maker.isJoined(7));
        assertEquals(OptionalInt.empty(), maker.ownerOf(7));
        assertEquals(Set.of(0), maker.openSlots(), "slot 0 stays open, empty");
    }

    @Test
    void aJoinBeforeStartOpensSlotZeroFirst() {
        MembershipMaker maker = new MembershipMaker(4);
        assertEquals(List.of(new OpenSocket(0), new JoinGroup(0, publish(1)), new JoinGroup(0, ack(1))), maker.join(1));
        assertEquals(List.of(), maker.start());
    }

    @Test
    void aNewSocketOnlyWhenEveryOpenOneIsFullAndFreedSlotsAreReused() {
        MembershipMaker maker = new MembershipMaker(4); // two states per socket
        maker.start();
        maker.join(1);
        maker.join(2);
        assertEquals(List.of(new OpenSocket(1), new JoinGroup(1, publish(3)), new JoinGroup(1, ack(3))), maker.join(3));
        maker.join(4);
        assertEquals(new OpenSocket(2), maker.join(5).get(0));
        assertEquals(Set.of(0, 1, 2), maker.openSlots());

        // A freed place on slot 0 is taken before anything else: no new socket.
        maker.leave(1);
        assertEquals(List.of(new JoinGroup(0, publish(6)), new JoinGroup(0, ack(6))), maker.join(6));

        // Slot 1 empties: it is closed, and its number is the next one given out.
        assertEquals(List.of(new LeaveGroup(1, publish(3)), new LeaveGroup(1, ack(3))), maker.leave(3));
        assertEquals(List.of(new LeaveGroup(1, publish(4)), new LeaveGroup(1, ack(4)), new CloseSocket(1)),
                maker.leave(4));
        assertEquals(Set.of(0, 2), maker.openSlots());
        maker.join(7); // slot 2 has room
        assertEquals(OptionalInt.of(2), maker.ownerOf(7));
        assertEquals(List.of(new OpenSocket(1), new JoinGroup(1, publish(8)), new JoinGroup(1, ack(8))), maker.join(8));
        assertEquals(Set.of(2, 6), maker.statesOn(0));
        assertEquals(Set.of(8), maker.statesOn(1));
        assertEquals(Set.of(5, 7), maker.statesOn(2));
    }

    @Test
    void slotZeroIsNeverClosedByALeaveButCloseAllClosesEverything() {
        MembershipMaker maker = new MembershipMaker(2);
        maker.start();
        maker.join(1);
        maker.join(2);
        assertEquals(List.of(new LeaveGroup(0, publish(1)), new LeaveGroup(0, ack(1))), maker.leave(1));
        List<Op> all = maker.closeAll();
        assertEquals(List.of(new CloseSocket(0), new LeaveGroup(1, publish(2)), new LeaveGroup(1, ack(2)),
                new CloseSocket(1)), all);
        assertEquals(Set.of(), maker.openSlots());
        assertEquals(Set.of(), maker.states());
        assertEquals(List.of(new OpenSocket(0)), maker.start(), "a closed maker may start again");
    }

    @Test
    void anOddLimitLeavesOneMembershipUnused() {
        MembershipMaker maker = new MembershipMaker(5);
        assertEquals(2, maker.statesPerSocket());
        maker.join(1);
        maker.join(2);
        assertEquals(new OpenSocket(1), maker.join(3).get(0));
    }

    @Test
    void nonsenseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MembershipMaker(1));
        assertThrows(IllegalArgumentException.class, () -> new MembershipMaker(0));
        MembershipMaker maker = new MembershipMaker(20);
        assertThrows(IllegalArgumentException.class, () -> maker.join(-1));
        assertThrows(IllegalArgumentException.class, () -> maker.join(StareAddress.MAX_STATE_ID + 1));
        assertEquals(List.of(new OpenSocket(0), new JoinGroup(0, publish(StareAddress.MAX_STATE_ID)),
                new JoinGroup(0, ack(StareAddress.MAX_STATE_ID))), maker.join(StareAddress.MAX_STATE_ID));
    }

    @Test
    void theOsLimitIsReadWithAFallback(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("igmp_max_memberships");
        Files.writeString(file, "37\n");
        assertEquals(37, MembershipMaker.osLimit(file, 20));
        Files.writeString(file, "many");
        assertEquals(20, MembershipMaker.osLimit(file, 20));
        assertEquals(21, MembershipMaker.osLimit(dir.resolve("missing"), 21));
        if (Files.isReadable(MembershipMaker.OS_LIMIT)) {
            assertEquals(Integer.parseInt(Files.readString(MembershipMaker.OS_LIMIT).trim()), MembershipMaker.osLimit());
        } else {
            assertEquals(MembershipMaker.DEFAULT_MAX_MEMBERSHIPS, MembershipMaker.osLimit());
        }
    }

    /**
     * Random joins and leaves (seeded, bounded), replayed on a model of the sockets: every operation
     * makes sense where it stands, no socket exceeds the limit, a socket is opened only when all are
     * full and at the lowest free number, and ownerOf agrees with where the groups are.
     */
    @Test
    void randomJoinsAndLeavesKeepTheBookConsistent() {
        for (long seed = 1; seed <= 30; seed++) {
            Random random = new Random(seed);
            int limit = 2 + random.nextInt(9);
            MembershipMaker maker = new MembershipMaker(limit);
            Map<Integer, Set<StareAddress>> sockets = new TreeMap<>(); // the model: open slot -> joined groups
            Set<Integer> joined = new HashSet<>();
            replay(maker.start(), sockets, limit);
            for (int step = 0; step < 400; step++) {
                int state = random.nextInt(40);
                boolean join = random.nextInt(100) < 60;
                boolean allFullBefore = sockets.values().stream().allMatch(g -> g.size() + 2 > limit);
                List<Op> ops = join ? maker.join(state) : maker.leave(state);
                boolean wasJoined = joined.contains(state);
                if (join) {
                    joined.add(state);
                } else {
                    joined.remove(state);
                }
                if (join == wasJoined) {
                    assertEquals(List.of(), ops, "seed " + seed + " step " + step + ": nothing to do");
                    continue;
                }
                boolean opened = ops.stream().anyMatch(op -> op instanceof OpenSocket);
                if (opened) {
                    assertTrue(allFullBefore, "seed " + seed + ": a socket opened while another had room");
                    int lowestFree = 0;
                    while (sockets.containsKey(lowestFree)) {
                        lowestFree++;
                    }
                    assertEquals(lowestFree, ops.get(0).slot(), "seed " + seed + ": the lowest free slot");
                }
                replay(ops, sockets, limit);
                for (int s = 0; s < 40; s++) {
                    OptionalInt owner = maker.ownerOf(s);
                    assertEquals(joined.contains(s), owner.isPresent());
                    if (owner.isPresent()) {
                        assertTrue(sockets.get(owner.getAsInt()).containsAll(MembershipMaker.groupsOf(s)));
                    }
                }
                int groups = sockets.values().stream().mapToInt(Set::size).sum();
                assertEquals(2 * joined.size(), groups, "seed " + seed + ": exactly the joined states' groups");
                assertTrue(sockets.containsKey(0), "slot 0 stays open");
                for (Map.Entry<Integer, Set<StareAddress>> socket : sockets.entrySet()) {
                    assertTrue(socket.getKey() == 0 || !socket.getValue().isEmpty(), "an empty socket is closed");
                }
                assertEquals(sockets.keySet(), maker.openSlots());
            }
            List<Op> last = maker.closeAll();
            replay(last, sockets, limit);
            assertTrue(sockets.isEmpty(), "closeAll leaves and closes everything");
        }
    }

    /** Applies operations to the model, checking each one is possible. */
    private static void replay(List<Op> ops, Map<Integer, Set<StareAddress>> sockets, int limit) {
        List<String> trail = new ArrayList<>();
        for (Op op : ops) {
            trail.add(op.toString());
            if (op instanceof OpenSocket open) {
                assertFalse(sockets.containsKey(open.slot()), "opened twice: " + trail);
                sockets.put(open.slot(), new HashSet<>());
            } else if (op instanceof JoinGroup join) {
                Set<StareAddress> groups = sockets.get(join.slot());
                assertTrue(groups != null, "join on a closed socket: " + trail);
                assertTrue(groups.add(join.group()), "joined twice: " + trail);
                assertTrue(groups.size() <= limit, "over the limit: " + trail);
            } else if (op instanceof LeaveGroup leave) {
                Set<StareAddress> groups = sockets.get(leave.slot());
                assertTrue(groups != null && groups.remove(leave.group()), "left a group not joined: " + trail);
            } else if (op instanceof CloseSocket close) {
                Set<StareAddress> groups = sockets.remove(close.slot());
                assertTrue(groups != null && groups.isEmpty(), "closed a socket not open or not empty: " + trail);
            }
        }
    }
}
