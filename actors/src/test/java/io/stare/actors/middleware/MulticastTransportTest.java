package io.stare.actors.middleware;

import static io.stare.actors.middleware.MulticastSupport.eventually;
import static io.stare.actors.middleware.MulticastSupport.heldOnLoopback;
import static io.stare.actors.middleware.MulticastSupport.igmpGroups;
import static io.stare.actors.middleware.MulticastSupport.onLoopback;
import static io.stare.actors.middleware.MulticastSupport.publishFrame;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.middleware.MulticastSupport.Inbox;
import io.stare.actors.middleware.MulticastSupport.RawSender;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.StarePacket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The multicast transport with real sockets on the loopback interface: real kernel memberships
 * (read back from /proc/net/igmp), several sockets per transport, several transports per host.
 */
@Timeout(60)
class MulticastTransportTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private ActorTestKit testKit;
    private final List<MulticastRig> transports = new ArrayList<>();
    private int base;

    @BeforeEach
    void start() {
        testKit = ActorTestKit.create();
        base = MulticastSupport.randomStateBase();
    }

    @AfterEach
    void stop() throws Exception {
        for (MulticastRig transport : transports) {
            transport.close();
        }
        testKit.shutdownTestKit();
    }

    private MulticastRig transport(int maxMemberships, Inbox inbox) throws Exception {
        MulticastRig transport = new MulticastRig(testKit.system(), onLoopback(maxMemberships),
                "test-" + transports.size(), inbox);
        transports.add(transport);
        return transport;
    }

    private static byte[] value(int state, int update) {
        return (state + ":" + update).getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertInOrderOnce(Inbox inbox, int state, int updates) {
        List<StarePacket> heard = inbox.of(state);
        assertEquals(updates, heard.size(), "state " + state + ": every update exactly once");
        for (int i = 0; i < updates; i++) {
            assertEquals(i, heard.get(i).header().updateNo(), "state " + state + ": in order");
            assertArrayEquals(value(state, i), heard.get(i).payload());
        }
    }

    /** (a) join and leave really change the kernel's memberships on lo. */
    @Test
    void theKernelHoldsTheGroupsExactlyWhileJoined() throws Exception {
        long socketsBefore = MulticastSupport.udpSocketsOnPort(StareAddress.UDP_PORT);
        MulticastRig a = transport(4, new Inbox());
        assertEquals(socketsBefore + 1, MulticastSupport.udpSocketsOnPort(StareAddress.UDP_PORT), "slot 0 is bound");
        int s = base;
        StareAddress publish = new StareAddress(MessageKind.PUBLISH, s);
        StareAddress ack = new StareAddress(MessageKind.SUB_ACK, s);
        assertFalse(heldOnLoopback(publish) || heldOnLoopback(ack), "nobody holds the groups before");

        a.join(s);
        a.join(s); // joining twice is joining once
        eventually(() -> heldOnLoopback(publish) && heldOnLoopback(ack), WAIT,
                () -> "239.0 and 239.64 groups of state " + s + " in /proc/net/igmp: " + igmpGroups("lo"));
        assertEquals(Map.of(0, Set.of(publish, ack)), a.memberships());
        assertEquals(OptionalInt.of(0), a.ownerOf(s));

        a.leave(s);
        assertFalse(heldOnLoopback(publish) || heldOnLoopback(ack), "the kernel dropped both groups at once");
        a.leave(s); // a no-op
        assertEquals(Map.of(0, Set.of()), a.memberships());

        // close() releases everything still held: three states at two per socket take two sockets.
        a.join(s);
        a.join(s + 1);
        a.join(s + 2);
        assertEquals(socketsBefore + 2, MulticastSupport.udpSocketsOnPort(StareAddress.UDP_PORT), "slots 0 and 1");
        eventually(() -> heldOnLoopback(publish) && heldOnLoopback(new StareAddress(MessageKind.SUB_ACK, s + 2)), WAIT,
                () -> "groups of states " + s + " to " + (s + 2));
        a.close();
        eventually(() -> MulticastSupport.udpSocketsOnPort(StareAddress.UDP_PORT) == socketsBefore, WAIT,
                () -> "every socket on the port closed");
        for (int state = s; state <= s + 2; state++) {
            for (StareAddress group : MembershipMaker.groupsOf(state)) {
                assertFalse(heldOnLoopback(group), group + " after close");
            }
        }
        a.transport.join(s + 3); // after close: nothing
        assertFalse(heldOnLoopback(new StareAddress(MessageKind.PUBLISH, s + 3)));
    }

    /** (b) more states than one socket may hold: several sockets, each publish received exactly once, in order. */
    @Test
    void manyStatesSpreadOverSocketsAndEveryPublishArrivesOnceInOrder() throws Exception {
        Inbox inbox = new Inbox();
        MulticastRig a = transport(4, inbox); // two states per socket
        MulticastRig publisher = transport(20, null);
        int states = 30;
        int updates = 21; // the last round is the marker: once a socket's last ones are in, so is all before
        for (int i = 0; i < states; i++) {
            a.join(base + i);
        }
        assertEquals(15, a.openSlots().size(), "30 states at 2 per socket");
        eventually(() -> igmpGroups("lo").containsAll(groupsOf(base, states)), WAIT, () -> "60 groups on lo");
        for (Map.Entry<Integer, Set<StareAddress>> socket : a.memberships().entrySet()) {
            assertEquals(4, socket.getValue().size(), "slot " + socket.getKey() + " is full, not over");
        }

        for (int update = 0; update < updates; update++) {
            for (int i = 0; i < states; i++) {
                assertTrue(publisher.send(publishFrame(base + i, update, 7, value(base + i, update))));
            }
            Thread.sleep(2); // the kernel's socket buffers are not the subject here
        }
        eventually(() -> inbox.size() >= states * updates, WAIT, () -> "630 publishes, got " + inbox.size());
        assertEquals(states * updates, inbox.size(), "nothing twice");
        for (int i = 0; i < states; i++) {
            assertInOrderOnce(inbox, base + i, updates);
        }
        assertEquals(0, inbox.undecodable.get(), "every message read decodes");

        Transport.Counters counters = a.counters();
        assertEquals(states * updates, counters.received());
        // Where sockets hear every group joined on the host (IP_MULTICAST_ALL), the 14 other slots'
        // copies are refused as foreign; the JDK clears that flag, and then there are none.
        assertTrue(counters.foreign() <= 14L * states * updates, counters.toString());
        assertEquals(states * updates, publisher.counters().sent());
        assertEquals(0, publisher.counters().received(), "the publisher joined nothing");
    }

    /** (c) another transport on the host that joined other states: each delivers only its own. */
    @Test
    void aSecondTransportOnTheHostDoesNotDeliverTheFirstOnesStates() throws Exception {
        Inbox atA = new Inbox();
        Inbox atB = new Inbox();
        MulticastRig a = transport(20, atA);
        MulticastRig b = transport(20, atB);
        MulticastRig publisher = transport(20, null);
        List<Integer> ofA = List.of(base, base + 1, base + 2);
        List<Integer> ofB = List.of(base + 3, base + 4, base + 5);
        for (int state : ofA) {
            a.join(state);
        }
        for (int state : ofB) {
            b.join(state);
        }
        eventually(() -> igmpGroups("lo").containsAll(groupsOf(base, 6)), WAIT, () -> "both transports' groups");
        int updates = 11; // the last round is the marker: once it is in, so is everything before it
        for (int update = 0; update < updates; update++) {
            for (int state = base; state < base + 6; state++) {
                publisher.send(publishFrame(state, update, 3, value(state, update)));
            }
            Thread.sleep(1); // pacing: the kernel's socket buffers are not the subject here
        }
        eventually(() -> atA.size() >= 33 && atB.size() >= 33, WAIT, () -> "33 publishes at each");
        assertEquals(33, atA.size());
        assertEquals(33, atB.size());
        for (int state : ofA) {
            assertInOrderOnce(atA, state, updates);
        }
        for (int state : ofB) {
            assertInOrderOnce(atB, state, updates);
        }
        // Whatever one heard of the other's states (all 33 with IP_MULTICAST_ALL, none on the JDK's
        // sockets), it refused; so did the publisher, which joined nothing.
        assertTrue(Set.of(0L, 33L).contains(a.counters().foreign()), a.counters().toString());
        assertTrue(Set.of(0L, 33L).contains(b.counters().foreign()), b.counters().toString());
        assertTrue(Set.of(0L, 66L).contains(publisher.counters().foreign()), publisher.counters().toString());
        assertEquals(0, publisher.counters().received());
    }

    /**
     * (c, continued) The owner check itself: a copy of a state's datagram on a slot that does not own
     * the state, as IP_MULTICAST_ALL would deliver it, is refused; so is a state not joined.
     */
    @Test
    void onlyTheOwningSlotAcceptsAState() throws Exception {
        Inbox inbox = new Inbox();
        MulticastRig a = transport(2, inbox); // one state per socket
        a.join(base);
        a.join(base + 1);
        a.join(base + 2);
        assertEquals(OptionalInt.of(1), a.ownerOf(base + 1));
        java.util.function.IntFunction<byte[]> publishOf = state -> concat(
                new StareHeader(MessageKind.PUBLISH, state, 0, 2, 1, 0).toBytes(), value(state, 0));
        assertTrue(a.receivedOn(0, publishOf.apply(base + 1), inbox));
        assertTrue(a.receivedOn(2, publishOf.apply(base + 1), inbox));
        assertTrue(a.receivedOn(0, publishOf.apply(base + 7), inbox));
        assertEquals(new Transport.Counters(0, 0, 0, 3, 0), a.counters());
        assertTrue(a.receivedOn(1, publishOf.apply(base + 1), inbox));
        assertEquals(1, inbox.size(), "the owner's copy");
        assertEquals(new Transport.Counters(0, 1, 0, 3, 0), a.counters());
        assertInOrderOnce(inbox, base + 1, 1);

        a.leave(base + 1); // slot 1 closes; its state is nobody's now
        assertEquals(OptionalInt.empty(), a.ownerOf(base + 1));
        assertFalse(a.receivedOn(1, publishOf.apply(base + 1), inbox));
        assertTrue(a.receivedOn(0, publishOf.apply(base + 1), inbox));
        assertEquals(4, a.counters().foreign());
    }

    /** (d) garbage beside good traffic: counted and dropped, the good traffic delivered. */
    @Test
    void garbageIsCountedAndTheGoodTrafficBesideItDelivered() throws Exception {
        Inbox inbox = new Inbox();
        MulticastRig a = transport(20, inbox);
        int s = base;
        a.join(s);
        eventually(() -> heldOnLoopback(new StareAddress(MessageKind.PUBLISH, s))
                && heldOnLoopback(new StareAddress(MessageKind.SUB_ACK, s)), WAIT, () -> "groups of " + s);
        StareAddress publishGroup = new StareAddress(MessageKind.PUBLISH, s);
        StareAddress ackGroup = new StareAddress(MessageKind.SUB_ACK, s);
        byte[] badSegment = new StareHeader(MessageKind.PUBLISH, s, 0, 1, 1, 0).toBytes();
        badSegment[7] = 0x05; // SEGM_NO 5 of TOT_SEG 1
        byte[] ackWithPayload = concat(StareHeader.subscription(MessageKind.SUB_ACK, s, 1, 1).toBytes(), new byte[] {1});
        byte[] register = StareHeader.subscription(MessageKind.SUB_REGISTER, s, 1, 1).toBytes();
        byte[] otherState = concat(new StareHeader(MessageKind.PUBLISH, s + 1, 0, 1, 1, 0).toBytes(), new byte[] {9});
        int rounds = 10;
        try (RawSender raw = new RawSender()) {
            for (int i = 0; i < rounds; i++) {
                byte[] good = concat(new StareHeader(MessageKind.PUBLISH, s, i, 4, 1, 0).toBytes(), value(s, i));
                raw.send(publishGroup, good);
                raw.send(publishGroup, new byte[0]);                          // malformed: empty
                raw.send(publishGroup, new byte[] {(byte) 0xef, 0});          // malformed: 2 bytes
                raw.send(publishGroup, Arrays.copyOf(good, 7));               // malformed: truncated header
                raw.send(publishGroup, badSegment);                           // malformed: header does not decode
                raw.send(ackGroup, ackWithPayload);                           // malformed: a SUB-ack has no payload
                raw.send(publishGroup, register);                             // foreign: not for a server
                raw.send(publishGroup, otherState);                           // foreign: a state not joined
                Thread.sleep(1); // pacing: the kernel's socket buffers are not the subject here
            }
            // The marker, a last good publish on the same socket: once it is in, so is all before it.
            raw.send(publishGroup, concat(new StareHeader(MessageKind.PUBLISH, s, rounds, 4, 1, 0).toBytes(),
                    value(s, rounds)));
        }
        eventually(() -> inbox.size() >= rounds + 1, WAIT, () -> "the marker: " + a.counters());
        assertEquals(new Transport.Counters(0, rounds + 1, 0, 2L * rounds, 5L * rounds), a.counters());
        assertInOrderOnce(inbox, s, rounds + 1);
        assertEquals(0, inbox.undecodable.get());
    }

    @Test
    void mainSendStripsTheFrameToItsUdpPayloadAndRefusesWhatIsNotStare() throws Exception {
        byte[] frame = publishFrame(12345, 3, 9, new byte[] {1, 2, 3});
        MulticastTransport.Outgoing datagram = MulticastTransport.toDatagram(frame, StareAddress.UDP_PORT);
        assertNotNull(datagram);
        assertEquals("/239.0.48.57:65432", datagram.destination().toString());
        assertArrayEquals(concat(new StareHeader(MessageKind.PUBLISH, 12345, 3, 9, 1, 0).toBytes(), new byte[] {1, 2, 3}),
                datagram.payload(), "the STARE header and the segment, nothing else");

        assertNull(MulticastTransport.toDatagram(new byte[20], StareAddress.UDP_PORT), "too short");
        byte[] notIpv4 = frame.clone();
        notIpv4[12] = (byte) 0x86;
        notIpv4[13] = (byte) 0xdd;
        assertNull(MulticastTransport.toDatagram(notIpv4, StareAddress.UDP_PORT), "IPv6 EtherType");
        byte[] unicast = frame.clone();
        unicast[ETH + 16] = 10;
        assertNull(MulticastTransport.toDatagram(unicast, StareAddress.UDP_PORT), "not 239.0.0.0/8");
        byte[] tcp = frame.clone();
        tcp[ETH + 9] = 6;
        assertNull(MulticastTransport.toDatagram(tcp, StareAddress.UDP_PORT), "not UDP");
        assertNull(MulticastTransport.toDatagram(Arrays.copyOf(frame, frame.length - 4), StareAddress.UDP_PORT),
                "shorter than its IPv4 length");

        MulticastRig a = transport(20, new Inbox());
        assertFalse(a.send(new byte[20]));
        assertFalse(a.send(notIpv4));
        assertTrue(a.send(frame));
        eventually(() -> a.counters().sent() == 1, WAIT, () -> "one sent");
        assertEquals(2, a.counters().dropped());
    }

    @Test
    void anUnknownInterfaceIsAClearError() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> new MulticastTransport(
                onLoopback(20).withInterface("nosuchif0"), "bad"));
        assertTrue(error.getMessage().contains("nosuchif0"), error.getMessage());
    }

    private static final int ETH = io.stare.protocol.packet.Ethernet.HEADER_LENGTH;

    private static Set<Integer> groupsOf(int first, int count) {
        Set<Integer> groups = new java.util.HashSet<>();
        for (int state = first; state < first + count; state++) {
            for (StareAddress group : MembershipMaker.groupsOf(state)) {
                groups.add(group.toInt());
            }
        }
        return groups;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
