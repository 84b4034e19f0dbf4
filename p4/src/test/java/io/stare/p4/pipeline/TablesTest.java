package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.pipeline.ReplicationEngine.Replica;
import io.stare.p4.pipeline.WriteResult.Reason;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The pipelines' tables and registers: P4Runtime-style outcomes as values, range checks. */
class TablesTest {

    private static Reason refusal(WriteResult result) {
        return ((WriteResult.Refused) result).reason();
    }

    @Test
    void multicastGroupsInsertModifyDelete() {
        ReplicationEngine engine = new ReplicationEngine(8);
        List<Replica> two = List.of(new Replica(3, 0), new Replica(1, 0), new Replica(3, 1));
        assertTrue(engine.insertGroup(9, two).isDone());
        assertEquals(two, engine.replicate(9)); // order kept, two copies to port 3
        assertEquals(Reason.ALREADY_EXISTS, refusal(engine.insertGroup(9, List.of())));
        assertEquals(Reason.NOT_FOUND, refusal(engine.modifyGroup(10, List.of())));
        assertTrue(engine.modifyGroup(9, List.of(new Replica(7, 0))).isDone());
        assertEquals(List.of(new Replica(7, 0)), engine.replicate(9));
        assertTrue(engine.deleteGroup(9).isDone());
        assertEquals(Reason.NOT_FOUND, refusal(engine.deleteGroup(9)));
        assertEquals(List.of(), engine.replicate(9));

        assertEquals(Reason.INVALID_ARGUMENT, refusal(engine.insertGroup(0, List.of())));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(engine.insertGroup(65536, List.of())));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(engine.insertGroup(1, List.of(new Replica(8, 0)))));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(engine.insertGroup(1, List.of(new Replica(1, 0), new Replica(1, 0)))));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(engine.insertGroup(1, List.of(new Replica(1, 65536)))));
        assertEquals(Map.of(), engine.groups());
    }

    @Test
    void portMaskGroupsCoverEveryNonEmptyMask() {
        ReplicationEngine engine = new ReplicationEngine(8);
        assertTrue(engine.installPortMaskGroups(8).isDone());
        assertEquals(255, engine.groups().size());
        assertEquals(List.of(new Replica(0, 0), new Replica(2, 0)), engine.replicate(0b101));
        assertEquals(8, engine.replicate(255).size());
        assertEquals(Reason.ALREADY_EXISTS, refusal(engine.installPortMaskGroups(8)));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(new ReplicationEngine(8).installPortMaskGroups(9)));
        ReplicationEngine partial = new ReplicationEngine(4);
        partial.insertGroup(5, List.of());
        assertEquals(Reason.ALREADY_EXISTS, refusal(partial.installPortMaskGroups(4)));
        assertEquals(1, partial.groups().size(), "all or nothing");
    }

    @Test
    void cloneSessions() {
        ReplicationEngine engine = new ReplicationEngine(8);
        assertTrue(engine.insertCloneSession(100, CpuHeaders.CPU_PORT).isDone());
        assertEquals(OptionalInt.of(255), engine.cloneSession(100));
        assertEquals(Reason.ALREADY_EXISTS, refusal(engine.insertCloneSession(100, 1)));
        assertTrue(engine.modifyCloneSession(100, 1).isDone());
        assertEquals(Reason.NOT_FOUND, refusal(engine.modifyCloneSession(101, 1)));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(engine.insertCloneSession(5, 8)));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(engine.insertCloneSession(0, 1)));
        assertTrue(engine.deleteCloneSession(100).isDone());
        assertEquals(Reason.NOT_FOUND, refusal(engine.deleteCloneSession(100)));
        assertEquals(OptionalInt.empty(), engine.cloneSession(100));
    }

    @Test
    void lpmPrefersTheLongestPrefix() {
        Ipv4Lpm lpm = new Ipv4Lpm(8, 3);
        Ipv4Lpm.Prefix all = new Ipv4Lpm.Prefix(0, 0);
        Ipv4Lpm.Prefix net = new Ipv4Lpm.Prefix(0x0a000000, 8);
        Ipv4Lpm.Prefix host = new Ipv4Lpm.Prefix(0x0a000001, 32);
        assertTrue(lpm.insert(all, new Ipv4Lpm.Forward(0)).isDone());
        assertTrue(lpm.insert(net, new Ipv4Lpm.Forward(1)).isDone());
        assertTrue(lpm.insert(host, new Ipv4Lpm.Drop()).isDone());
        assertEquals(Optional.of(new Ipv4Lpm.Drop()), lpm.lookup(0x0a000001));
        assertEquals(Optional.of(new Ipv4Lpm.Forward(1)), lpm.lookup(0x0a000002));
        assertEquals(Optional.of(new Ipv4Lpm.Forward(0)), lpm.lookup(0xc0a80001));
        assertEquals(List.of(host, net, all), List.copyOf(lpm.entries().keySet()));

        assertEquals(Reason.ALREADY_EXISTS, refusal(lpm.insert(net, new Ipv4Lpm.Drop())));
        assertEquals(Reason.RESOURCE_EXHAUSTED, refusal(lpm.insert(new Ipv4Lpm.Prefix(0x0b000000, 8), new Ipv4Lpm.Drop())));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(lpm.modify(new Ipv4Lpm.Prefix(0x0a000001, 8), new Ipv4Lpm.Drop())));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(lpm.modify(net, new Ipv4Lpm.Forward(8))));
        assertTrue(lpm.modify(net, new Ipv4Lpm.Forward(2)).isDone());
        assertEquals(Optional.of(new Ipv4Lpm.Forward(2)), lpm.lookup(0x0a000002));
        assertTrue(lpm.delete(all).isDone());
        assertEquals(Reason.NOT_FOUND, refusal(lpm.delete(all)));
        assertEquals(Optional.empty(), lpm.lookup(0xc0a80001));
        assertEquals(Reason.NOT_FOUND, refusal(lpm.modify(all, new Ipv4Lpm.Drop())));
        assertEquals(2, lpm.size());
        assertThrows(IllegalArgumentException.class, () -> new Ipv4Lpm.Prefix(0, 33));
    }

    @Test
    void stateGroupTable() {
        StateGroupTable table = new StateGroupTable(2);
        assertTrue(table.insert(4_194_303, 1).isDone());
        assertEquals(Reason.ALREADY_EXISTS, refusal(table.insert(4_194_303, 2)));
        assertEquals(Reason.NOT_FOUND, refusal(table.modify(5, 2)));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(table.insert(4_194_304, 1)));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(table.insert(5, -1)));
        assertEquals(Reason.INVALID_ARGUMENT, refusal(table.insert(5, 65536)));
        assertTrue(table.insert(5, 65535).isDone());
        assertEquals(Reason.RESOURCE_EXHAUSTED, refusal(table.insert(6, 1)));
        assertTrue(table.modify(5, 3).isDone());
        assertEquals(Map.of(5, 3, 4_194_303, 1), table.entries());
        assertTrue(table.delete(5).isDone());
        assertEquals(Reason.NOT_FOUND, refusal(table.delete(5)));
        assertEquals(OptionalInt.empty(), table.lookup(5));
        assertEquals(1, table.size());
        // drop_no_subscriber: an entry that misses like no entry, and reads back as DROP.
        assertTrue(table.insert(6, StateGroupTable.DROP).isDone());
        assertEquals(OptionalInt.empty(), table.lookup(6));
        assertEquals(Map.of(6, StateGroupTable.DROP, 4_194_303, 1), table.entries());
    }

    @Test
    void stateForwardingTableChecksItsRanges() {
        StateForwardingTable table = new StateForwardingTable(4, 32);
        table.write(3, 0xffff_ffffL);
        assertEquals(0xffff_ffffL, table.read(3));
        assertArrayEquals(new long[] {0, 0, 0, 0xffff_ffffL}, table.snapshot());
        assertEquals(Map.of(3, 0xffff_ffffL), table.nonZeroEntries());
        assertThrows(IllegalArgumentException.class, () -> table.read(4));
        assertThrows(IllegalArgumentException.class, () -> table.write(-1, 0));
        StateForwardingTable narrow = new StateForwardingTable(2, 8);
        assertThrows(IllegalArgumentException.class, () -> narrow.write(0, 0x100));
        assertThrows(IllegalArgumentException.class, () -> new StateForwardingTable(0, 8));
        assertThrows(IllegalArgumentException.class, () -> new StateForwardingTable(2, 33));
    }

    @Test
    void dropCountersAndPortMasks() {
        DropCounters drops = new DropCounters();
        drops.increment(DropReason.NO_ROUTE);
        drops.increment(DropReason.NO_ROUTE);
        drops.increment(DropReason.BAD_PACKET_OUT);
        assertArrayEquals(new long[] {0, 0, 0, 0, 2, 0, 0, 1}, drops.snapshot());
        assertEquals(3, drops.total());
        assertThrows(IllegalArgumentException.class, () -> drops.count(8));
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7),
                java.util.Arrays.stream(DropReason.values()).map(DropReason::index).toList());

        assertEquals(List.of(1, 5, 31), PortMask.ports(0x8000_0022L));
        assertEquals("00100010", PortMask.format(0b0010_0010, 8));
        assertEquals(0xffff_ffffL, PortMask.all(32));
        assertTrue(PortMask.contains(0b100, 2));
    }

    /** The fast path's per-group summary is rewritten with the group, so it never lags a write. */
    @Test
    void fanoutsFollowEveryGroupWrite() {
        ReplicationEngine engine = new ReplicationEngine(8);
        assertSame(ReplicationEngine.Fanout.NONE, engine.fanout(5));
        assertSame(ReplicationEngine.Fanout.NONE, engine.fanout(0));
        assertSame(ReplicationEngine.Fanout.NONE, engine.fanout(ReplicationEngine.MAX_GROUP_ID + 1));
        assertTrue(engine.insertGroup(5, List.of(new Replica(3, 0),
                new Replica(3, 1), new Replica(4, 0))).isDone());
        ReplicationEngine.Fanout twoOnThree = engine.fanout(5);
        assertEquals(0b1_1000, twoOnThree.ports());
        assertFalse(twoOnThree.ascending());
        assertTrue(twoOnThree.isAscendingWithout(3));
        assertFalse(twoOnThree.isAscendingWithout(4));
        assertTrue(engine.modifyGroup(5, ReplicationEngine.replicasOf(0b101)).isDone());
        assertEquals(new ReplicationEngine.Fanout(0b101, true, 0xff), engine.fanout(5));
        assertTrue(engine.deleteGroup(5).isDone());
        assertSame(ReplicationEngine.Fanout.NONE, engine.fanout(5));
        assertTrue(engine.installPortMaskGroups(8).isDone());
        for (int g = 1; g < 256; g++) {
            assertEquals(new ReplicationEngine.Fanout(g, true, 0xff), engine.fanout(g));
        }
        // A refused write changes nothing.
        assertFalse(engine.modifyGroup(1, List.of(new Replica(9, 0))).isDone());
        assertEquals(new ReplicationEngine.Fanout(1, true, 0xff), engine.fanout(1));
    }
}
