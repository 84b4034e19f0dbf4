package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.stare.client.Delivery;
import io.stare.client.StateListener;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A VNF's subscriptions as plain logic: who gets a delivery, what is held or dropped, where a restart resumes. */
class VnfSubscriptionsTest {

    private static final int STATE = 7;

    private final VnfSubscriptions subscriptions = new VnfSubscriptions();
    private final StateListener listener = (stateId, update, value) -> { };

    private static Delivery.Update update(long number) {
        return new Delivery.Update(STATE, 2, number, new byte[] {1});
    }

    private void subscribed(String name, int state, StateListener to) {
        subscriptions.requested();
        subscriptions.answered(name, new Middleware.Subscribed(name, state, 2), to, null);
    }

    @Test
    void eachUpdateReachesTheListenerOnceAndARepeatIsDropped() {
        subscribed("s", STATE, listener);
        assertSame(listener, subscriptions.listenerFor(update(0)));
        assertSame(listener, subscriptions.listenerFor(update(1)));
        assertNull(subscriptions.listenerFor(update(1)));
        assertNull(subscriptions.listenerFor(update(0)));
        assertSame(listener, subscriptions.listenerFor(update(3)));
    }

    @Test
    void aDeliveryThatOvertookItsSubscribeAnswerIsHeldUntilTheAnswer() {
        subscriptions.requested();
        Delivery early = update(0);
        assertNull(subscriptions.listenerFor(early));
        List<Delivery> held = subscriptions.answered("s", new Middleware.Subscribed("s", STATE, 2), listener, null);
        assertEquals(List.of(early), held);
        assertSame(listener, subscriptions.listenerFor(early));
    }

    @Test
    void withNoAnswerPendingADeliveryWithoutListenerIsDropped() {
        assertNull(subscriptions.listenerFor(update(0)));
        subscriptions.requested();
        assertEquals(List.of(), subscriptions.answered("s",
                new Middleware.Failed("subscribe s", io.stare.protocol.ErrorCode.UNKNOWN_STATE, "none"), listener, null));
        assertNull(subscriptions.listenerFor(update(0)));
        assertEquals(List.of(), subscriptions.resumptions());
    }

    @Test
    void aRestartResumesAfterTheNewestUpdateDeliveredOrFromTheNextOne() {
        subscribed("s", STATE, listener);
        subscribed("t", STATE + 1, listener);
        assertEquals(List.of(new VnfSubscriptions.Resumption("s", listener, null, -1),
                        new VnfSubscriptions.Resumption("t", listener, null, -1)),
                subscriptions.resumptions().stream().sorted(java.util.Comparator.comparing(
                        VnfSubscriptions.Resumption::stateName)).toList());
        subscriptions.listenerFor(update(4));
        assertEquals(5, resumeFrom("s"));
    }

    @Test
    void anUnrecoverableLossMovesTheResumePointAnOverflowDoesNot() {
        subscribed("s", STATE, listener);
        subscriptions.listenerFor(update(4));
        Delivery.Loss overflow = new Delivery.Loss(STATE, 2, 5, 9, Delivery.Loss.Reason.INBOUND_OVERFLOW);
        assertSame(listener, subscriptions.listenerFor(overflow));
        assertEquals(5, resumeFrom("s"));
        Delivery.Loss lost = new Delivery.Loss(STATE, 2, 5, 9, Delivery.Loss.Reason.UNRECOVERABLE);
        assertSame(listener, subscriptions.listenerFor(lost));
        assertEquals(10, resumeFrom("s"));
        assertNull(subscriptions.listenerFor(lost)); // reported once
    }

    @Test
    void anInlineHandlerResumesAfterWhatItHandledAndKeepsItsWrapper() {
        Vnf.Handle handle = new Vnf.Handle();
        ResumingHandler wrapper = subscriptions.resuming("s", (state, publisher, update, buffer, offset, length) -> { },
                handle);
        subscriptions.requested();
        subscriptions.answered("s", new Middleware.Subscribed("s", STATE, 2), null, wrapper);
        wrapper.onUpdate(STATE, 2, 11, ByteBuffer.allocate(1), 0, 1);
        VnfSubscriptions.Resumption again = subscriptions.resumptions().get(0);
        assertSame(wrapper, again.handler());
        assertEquals(12, again.resumeFrom());
        assertSame(wrapper, subscriptions.resuming("s", wrapper.inner, handle));
    }

    @Test
    void afterUnsubscribingNothingMoreReachesTheListener() {
        subscribed("s", STATE, listener);
        assertEquals(STATE, subscriptions.unsubscribe("s"));
        subscriptions.stopDelivering(STATE);
        assertNull(subscriptions.listenerFor(update(0)));
        assertNull(subscriptions.unsubscribe("s"));
        assertEquals(List.of(), subscriptions.resumptions());
    }

    private long resumeFrom(String name) {
        return subscriptions.resumptions().stream().filter(r -> r.stateName().equals(name)).findFirst().orElseThrow()
                .resumeFrom();
    }
}
