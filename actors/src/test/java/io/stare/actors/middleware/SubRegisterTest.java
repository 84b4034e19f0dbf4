package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.frame.ServerFrames;
import io.stare.protocol.header.StareHeader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The SUB register as plain logic: its frames, its phases and its retransmissions, on a clock moved by hand. */
class SubRegisterTest {

    private static final int SENDER = 3;
    private static final int STATE = 41;
    private static final long MS = 1_000_000;

    private long now = 1_000 * MS;
    private final SubRegister register = new SubRegister(MiddlewareSettings.fromConfig(ConfigFactory.load())
            .forServer("h1", SENDER, new InetSocketAddress("127.0.0.1", 9))
            .withArq(Duration.ofMillis(100), Duration.ofMillis(150), 2), () -> now);

    private static Middleware.Subscribe subscribe(int vnfId, long resumeFrom) {
        return new Middleware.Subscribe(vnfId, "s", resumeFrom, null);
    }

    private static StareHeader header(byte[] frame) {
        return ServerFrames.decode(frame).orElseThrow().header();
    }

    /** The first switch's SUB-ack of {@code frame}: same STATE_ID, UPDATE_NO and VNF_ID. */
    private static StareHeader ackOf(byte[] frame) {
        StareHeader sent = header(frame);
        return new StareHeader(MessageKind.SUB_ACK, sent.stateId(), sent.updateNo(), sent.vnfId(), 1, 0);
    }

    private byte[] registered(Middleware.Subscribe first) {
        SubRegister.Join join = register.subscribe(STATE, 7, first, true);
        return assertInstanceOf(SubRegister.Register.class, join).frame();
    }

    @Test
    void theFirstSubscriberSendsOneSubRegisterAndTheOthersWaitForItsAck() {
        byte[] frame = registered(subscribe(1, -1));
        StareHeader header = header(frame);
        assertEquals(MessageKind.SUB_REGISTER, header.kind());
        assertEquals(STATE, header.stateId());
        assertEquals(SENDER, header.vnfId());

        assertInstanceOf(SubRegister.Waiting.class, register.subscribe(STATE, 7, subscribe(2, -1), false));
        assertTrue(register.waiting(STATE, 1));
        assertTrue(register.waiting(STATE, 2));
        assertFalse(register.active(STATE));

        assertEquals(SubRegister.Acked.REGISTERED, register.acked(ackOf(frame)));
        SubRegister.Activated activated = register.activate(register.registration(STATE), 500);
        assertEquals(List.of(1, 2), activated.subscribed().stream().map(Middleware.Subscribe::vnfId).toList());
        assertEquals(500, activated.resumeFrom());
        assertEquals(7, activated.publisherVnfId());
        assertTrue(register.active(STATE));
        assertFalse(register.waiting(STATE, 1));
        assertEquals(List.of(new SubRegister.Active(STATE, 7)), register.actives());

        assertInstanceOf(SubRegister.AlreadyActive.class, register.subscribe(STATE, 7, subscribe(3, -1), false));
        assertEquals(OptionalLong.empty(), register.nextDelay());
    }

    @Test
    void aRefreshRegistersEveryActiveStateAgainWithoutTheArq() {
        assertEquals(List.of(), register.refresh(), "nothing active, nothing to refresh");
        byte[] frame = registered(subscribe(1, -1));
        assertEquals(List.of(), register.refresh(), "a registration under way is the ARQ's to repeat");
        register.acked(ackOf(frame));
        register.activate(register.registration(STATE), 0);

        List<byte[]> refreshed = register.refresh();
        assertEquals(1, refreshed.size());
        StareHeader header = header(refreshed.get(0));
        assertEquals(MessageKind.SUB_REGISTER, header.kind());
        assertEquals(STATE, header.stateId());
        assertEquals(SENDER, header.vnfId());
        assertEquals(OptionalLong.empty(), register.nextDelay(), "no retransmission waits for the refresh's ack");
        assertEquals(SubRegister.Acked.NOTHING, register.acked(ackOf(refreshed.get(0))), "its ack changes nothing");
        assertTrue(register.active(STATE));
        now += 10_000 * MS;
        assertEquals(List.of(), register.poll().abandoned(), "a switch that never acks a refresh abandons nothing");
        assertTrue(register.active(STATE));
    }

    @Test
    void aStreamResumesAtTheEarliestPointAResubscribingVnfAsksFor() {
        byte[] frame = registered(subscribe(1, 90));
        register.subscribe(STATE, 7, subscribe(2, 60), false);
        register.subscribe(STATE, 7, subscribe(3, -1), false);
        register.acked(ackOf(frame));
        assertEquals(60, register.activate(register.registration(STATE), 500).resumeFrom());
    }

    @Test
    void anAckThatDoesNotEchoTheSequenceOrSenderIsIgnored() {
        byte[] frame = registered(subscribe(1, -1));
        StareHeader ack = ackOf(frame);
        assertEquals(SubRegister.Acked.NOTHING, register.acked(
                new StareHeader(MessageKind.SUB_ACK, STATE, (ack.updateNo() + 1) & StareHeader.MAX_UPDATE_NO, SENDER, 1, 0)));
        assertEquals(SubRegister.Acked.NOTHING, register.acked(
                new StareHeader(MessageKind.SUB_ACK, STATE, ack.updateNo(), SENDER + 1, 1, 0)));
        assertTrue(register.waiting(STATE, 1));
        assertEquals(SubRegister.Acked.REGISTERED, register.acked(ack));
        assertEquals(SubRegister.Acked.NOTHING, register.acked(ack)); // a duplicate
    }

    @Test
    void eachSubMessageIsNumberedOnFromTheLast() {
        int first = header(registered(subscribe(1, -1))).updateNo();
        SubRegister.Leave leave = register.leave(STATE);
        assertEquals((first + 1) & StareHeader.MAX_UPDATE_NO, header(leave.frame()).updateNo());
    }

    @Test
    void leavingBeforeTheAckSendsASubRemoveAndHandsBackTheWaitingSubscribers() {
        byte[] registerFrame = registered(subscribe(1, -1));
        SubRegister.Registration registration = register.registration(STATE);
        SubRegister.Leave leave = register.leave(STATE);
        assertEquals(List.of(1), leave.waiting().stream().map(Middleware.Subscribe::vnfId).toList());
        assertEquals(MessageKind.SUB_REMOVE, header(leave.frame()).kind());
        // The SUB-remove replaced the SUB-register in the ARQ: the older ack completes nothing.
        assertEquals(SubRegister.Acked.NOTHING, register.acked(ackOf(registerFrame)));
        assertNull(register.activate(registration, 0));
        assertTrue(register.registers(STATE));
        assertEquals(SubRegister.Acked.REMOVED, register.acked(ackOf(leave.frame())));
        assertFalse(register.registers(STATE));
        assertNull(register.leave(STATE));
    }

    @Test
    void aSubscriberDuringRemovalRegistersAgain() {
        registered(subscribe(1, -1));
        register.leave(STATE);
        SubRegister.Join again = register.subscribe(STATE, 7, subscribe(2, -1), false);
        assertEquals(MessageKind.SUB_REGISTER, header(assertInstanceOf(SubRegister.Register.class, again).frame()).kind());
    }

    @Test
    void withdrawingTakesOutOnlyThatVnfsWaitingSubscribes() {
        registered(subscribe(1, -1));
        register.subscribe(STATE, 7, subscribe(2, -1), false);
        assertEquals(List.of(2), register.withdraw(STATE, 2).stream().map(Middleware.Subscribe::vnfId).toList());
        assertFalse(register.waiting(STATE, 2));
        assertTrue(register.waiting(STATE, 1));
        assertEquals(List.of(), register.withdraw(STATE + 1, 1));
    }

    @Test
    void anUnackedMessageIsResentWithBackoffThenAbandonedWithItsSubscribers() {
        byte[] frame = registered(subscribe(1, -1));
        assertEquals(OptionalLong.of(100 * MS), register.nextDelay());
        now += 99 * MS;
        assertEquals(0, register.poll().resend().size());
        assertEquals(OptionalLong.of(MS), register.nextDelay());

        now += MS;
        SubRegister.Due first = register.poll();
        assertEquals(1, first.resend().size());
        assertArrayEquals(frame, first.resend().get(0));
        assertEquals(OptionalLong.of(150 * MS), register.nextDelay()); // 200 ms, capped at the maximum

        now += 150 * MS;
        assertEquals(1, register.poll().resend().size());
        now += 150 * MS;
        SubRegister.Due last = register.poll();
        assertEquals(0, last.resend().size());
        assertEquals(1, last.abandoned().size());
        SubRegister.Abandoned abandoned = last.abandoned().get(0);
        assertEquals(STATE, abandoned.stateId());
        assertTrue(abandoned.registering());
        assertEquals(List.of(1), abandoned.waiting().stream().map(Middleware.Subscribe::vnfId).toList());
        assertFalse(register.registers(STATE));
        assertEquals(OptionalLong.empty(), register.nextDelay());
        assertEquals(2, register.counters().retransmissions());
        assertEquals(1, register.counters().abandoned());
    }

    @Test
    void anOverdueRetransmissionIsDueAtOnce() {
        registered(subscribe(1, -1));
        now += 5_000 * MS;
        assertEquals(OptionalLong.of(0), register.nextDelay());
    }

    @Test
    void anOrphanTreeIsLeftOnlyIfNoVnfSubscribedAgain() {
        registered(subscribe(1, -1));
        assertNull(register.leaveOrphan(STATE));
        byte[] remove = register.leaveOrphan(STATE + 1);
        assertNotNull(remove);
        assertEquals(MessageKind.SUB_REMOVE, header(remove).kind());
        assertEquals(STATE + 1, header(remove).stateId());
        assertEquals(SubRegister.Acked.REMOVED, register.acked(ackOf(remove)));
    }
}
