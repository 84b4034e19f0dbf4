package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.stare.client.Delivery;
import io.stare.client.StareClient;
import io.stare.fabric.FabricLink;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.packet.StareFrameEncoder;
import io.stare.protocol.packet.StareFrameFlyweight;
import io.stare.protocol.packet.StarePacket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 7: frames carrying the publisher's VNF ID, sent into the switch from another
 * host's port, reached the subscribers as updates, and the genuine updates with those numbers were
 * then dropped as duplicates. With Publish segments authenticated (the default), the subscriber's
 * middleware drops every forged segment, tagged or not, before it takes a genuine one's place; a
 * genuine segment replayed is a duplicate. Without authentication the same attack succeeds: the
 * second test shows what the first one guards against.
 */
@Timeout(120)
class PublishSpoofingTest {

    private static final int UPDATES = 20;

    @Test
    void forgedPublishesAreDroppedAndCountedAndGenuineOnesAllArrive() throws Exception {
        try (StareFabric fabric = StareFabric.builder().topology(StareFabric.singleSwitch("h1", "h2", "h3"))
                .seed(17).start()) {
            Attack attack = Attack.prepare(fabric);
            // Untagged forgeries, and forgeries tagged under a key the stranger made up, for the very
            // numbers the publisher is about to use.
            for (int u = 0; u < UPDATES; u++) {
                attack.inject(u, "forged-" + u, null);
                attack.inject(u, "forged-" + u, PublishKey.random());
            }
            fabric.eventually(() -> assertEquals(2 * UPDATES, fabric.stats("h2").unauthenticated()));

            List<byte[]> genuineFrames = new ArrayList<>();
            fabric.link("h1").observe((from, frame, lost, nanos) -> {
                if (from.equals("h1") && isPublish(frame)) {
                    synchronized (genuineFrames) {
                        genuineFrames.add(frame.clone());
                    }
                }
            });
            attack.publishAndExpectGenuine(0, UPDATES);
            fabric.link("h1").observe(null);

            // Genuine frames replayed by the stranger are duplicates: the next delivery is the next update.
            long framesBefore = fabric.stats("h2").publishFramesReceived();
            List<byte[]> replayed;
            synchronized (genuineFrames) {
                replayed = List.copyOf(genuineFrames);
            }
            for (byte[] frame : replayed) {
                fabric.link("h3").inject("h3", frame);
            }
            fabric.eventually(() -> assertTrue(fabric.stats("h2").publishFramesReceived() >= framesBefore
                    + replayed.size()));
            attack.publishAndExpectGenuine(UPDATES, 1);
            assertEquals(2 * UPDATES, fabric.stats("h2").unauthenticated(), "a replayed genuine segment verifies");
        }
    }

    @Test
    void withoutAuthenticationTheSameForgeriesTakeTheGenuineUpdatesPlaces() throws Exception {
        try (StareFabric fabric = StareFabric.builder().topology(StareFabric.singleSwitch("h1", "h2", "h3"))
                .config(ConfigFactory.parseString("stare.controller.publish-authentication = off"))
                .seed(17).start()) {
            Attack attack = Attack.prepare(fabric);
            for (int u = 0; u < UPDATES; u++) {
                attack.inject(u, "forged-" + u, null);
            }
            fabric.eventually(() -> assertEquals(UPDATES, fabric.stats("h2").publishFramesReceived()));
            for (int u = 0; u < UPDATES; u++) {
                fabric.await(attack.publisher.publish(attack.state, ("genuine-" + u).getBytes(StandardCharsets.UTF_8)));
            }
            Delivery.Update first = attack.listener.probe().expectMessageClass(Delivery.Update.class,
                    Duration.ofSeconds(20));
            assertEquals("forged-0", new String(first.value(), StandardCharsets.UTF_8));
            assertEquals(0, fabric.stats("h2").unauthenticated());
        }
    }

    private static boolean isPublish(byte[] frame) {
        return frame.length >= StareFrameFlyweight.HEADER_LENGTH
                && (frame[StareFrameFlyweight.STARE_OFFSET] & 0xff) >>> 6 == MessageKind.PUBLISH.code();
    }

    /** A publisher on h1, a subscriber on h2, and a stranger on h3's wire. */
    private static final class Attack {
        final StareFabric fabric;
        final StareClient publisher;
        final int state;
        final ProbeListener listener;
        final StareFrameEncoder stranger = new StareFrameEncoder(0x02_00_00_00_00_99L, 0x7f000001,
                StareAddress.UDP_PORT, StarePacket.DEFAULT_TTL);

        private Attack(StareFabric fabric, StareClient publisher, int state, ProbeListener listener) {
            this.fabric = fabric;
            this.publisher = publisher;
            this.state = state;
            this.listener = listener;
        }

        static Attack prepare(StareFabric fabric) throws Exception {
            StareClient publisher = fabric.vnf("h1", "prices-feed");
            StareClient subscriber = fabric.vnf("h2", "trader");
            int state = fabric.await(publisher.declare("prices"));
            ProbeListener listener = fabric.listener();
            fabric.await(subscriber.subscribe("prices", listener));
            fabric.awaitRoute(state, "h1", "h2");
            return new Attack(fabric, publisher, state, listener);
        }

        /** Sends a Publish of update {@code update} in the publisher's name, tagged under {@code key} if not null. */
        void inject(long update, String value, PublishKey key) throws Exception {
            byte[] payload = value.getBytes(StandardCharsets.UTF_8);
            ByteBuffer frame = ByteBuffer.allocate(StareFrameEncoder.frameLength(payload.length + PublishKey.TAG_LENGTH));
            int length = stranger.encodePublish(frame, 0, state, update, publisher.vnfId(), 1, 0,
                    ByteBuffer.wrap(payload), 0, payload.length, key);
            byte[] bytes = new byte[length];
            frame.get(0, bytes);
            fabric.link("h3").inject("h3", bytes);
        }

        void publishAndExpectGenuine(int first, int count) throws Exception {
            for (int u = first; u < first + count; u++) {
                fabric.await(publisher.publish(state, ("genuine-" + u).getBytes(StandardCharsets.UTF_8)));
            }
            for (int u = first; u < first + count; u++) {
                Delivery.Update update = listener.probe().expectMessageClass(Delivery.Update.class,
                        Duration.ofSeconds(20));
                assertEquals("genuine-" + u, new String(update.value(), StandardCharsets.UTF_8));
                assertEquals(u, update.update());
            }
        }
    }
}
