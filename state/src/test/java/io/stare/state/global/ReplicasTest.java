package io.stare.state.global;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.state.StateItem;
import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import io.stare.state.store.StructureType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Instance "p" hears instances "a" and "b"; a hands its flow-a counter to b (scale-out). Whatever
 * order the messages come in, p counts every flow once at every step: the moved item is held apart
 * from a's hand-over until b says it has adopted it.
 */
class ReplicasTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final AtomicLong nanos = new AtomicLong();
    private final List<PeerMessage.Handed> adoptedHere = new ArrayList<>();
    private final Replicas p = new Replicas("ids", "p", nanos::get, TIMEOUT,
            (handed, items) -> adoptedHere.add(handed));

    private static StateKey counter(String instance, String flow) {
        return new StateKey("ids", instance, 0, StructureType.COUNTER, flow);
    }

    private static PeerMessage message(PeerMessage.Kind kind, String from, long sequence, String adopter,
                                       List<PeerMessage.Handed> adopted, Change... changes) {
        return new PeerMessage(kind, from, sequence, "", adopter, List.of(), adopted, List.of(changes));
    }

    /** The flows' counts summed over every item p counts, by flow. */
    private Map<String, Long> counts() {
        Map<String, Long> out = new TreeMap<>();
        for (StateItem item : p.items(key -> true)) {
            out.merge(item.key().id(), (Long) item.value(), Long::sum);
        }
        out.values().removeIf(v -> v == 0);
        return out;
    }

    private void bothKnown() {
        p.receive(message(PeerMessage.Kind.SNAPSHOT, "a", 1, "", List.of(),
                new Change.SetCounter(counter("a", "flow-a"), 5), new Change.SetCounter(counter("a", "flow-b"), 3)));
        p.receive(message(PeerMessage.Kind.SNAPSHOT, "b", 1, "", List.of(),
                new Change.SetCounter(counter("b", "flow-c"), 2)));
    }

    private PeerMessage handOverFlowA() {
        return message(PeerMessage.Kind.HANDOVER, "a", 2, "b", List.of(),
                new Change.Delete(counter("a", "flow-a")), new Change.SetCounter(counter("a", "flow-a"), 5));
    }

    private PeerMessage bAdopted() {
        return message(PeerMessage.Kind.CHANGES, "b", 2, "", List.of(new PeerMessage.Handed("a", 2)),
                new Change.SetCounter(counter("b", "flow-a"), 5));
    }

    @Test
    void aHandedItemCountsOnceFromTheHandOverUntilTheAdopterHasItAndAfter() {
        Map<String, Long> truth = Map.of("flow-a", 5L, "flow-b", 3L, "flow-c", 2L);
        bothKnown();
        assertEquals(truth, counts());

        p.receive(handOverFlowA());
        assertEquals(truth, counts(), "a no longer has flow-a, b not yet: held");
        assertEquals(1, p.holding());

        p.receive(bAdopted());
        assertEquals(truth, counts(), "b has it and says so: no longer held");
        assertEquals(0, p.holding());
    }

    @Test
    void anAcknowledgementHeardBeforeItsHandOverHoldsNothing() {
        bothKnown();
        p.receive(bAdopted()); // b's path was the faster one: until a's hand-over comes, flow-a counts twice
        p.receive(handOverFlowA());
        assertEquals(Map.of("flow-a", 5L, "flow-b", 3L, "flow-c", 2L), counts());
        assertEquals(0, p.holding(), "the hand-over was acknowledged already");
    }

    @Test
    void aHoldWhoseAdopterFallsSilentPassesToTheFirstInstanceThatStillCounts() {
        bothKnown();
        p.receive(handOverFlowA());
        nanos.addAndGet(TIMEOUT.toNanos() / 2);
        p.tick();
        assertEquals(5L, counts().get("flow-a"), "held while the adopter may still answer");
        assertEquals(List.of(), adoptedHere);
        nanos.addAndGet(TIMEOUT.toNanos());
        p.tick();
        assertEquals(List.of(new PeerMessage.Handed("a", 2)), adoptedHere, "b went silent (and a): p adopts");
        assertEquals(5L, counts().get("flow-a"), "still held until p has them");
        assertEquals(1, p.orphaned());
    }

    @Test
    void aHoldWhoseAdopterIsStillHeardStaysHeld() {
        bothKnown();
        p.receive(handOverFlowA());
        for (int i = 0; i < 5; i++) {
            nanos.addAndGet(TIMEOUT.toNanos() / 2);
            p.receive(message(PeerMessage.Kind.SNAPSHOT, "b", 10 + i, "", List.of(),
                    new Change.SetCounter(counter("b", "flow-c"), 2))); // b adopts slowly (its store is away)
        }
        assertEquals(5L, counts().get("flow-a"), "held, never dropped, while b is heard");
        assertEquals(List.of(), adoptedHere);
        p.receive(message(PeerMessage.Kind.CHANGES, "b", 20, "", List.of(new PeerMessage.Handed("a", 2)),
                new Change.SetCounter(counter("b", "flow-a"), 5))); // adopted at last
        assertEquals(0, p.holding());
        assertEquals(5L, counts().get("flow-a"));
    }

    @Test
    void itemsHandedHereAreAdoptedAndHeldUntilReleased() {
        p.receive(message(PeerMessage.Kind.SNAPSHOT, "a", 1, "", List.of(),
                new Change.SetCounter(counter("a", "flow-a"), 5)));
        p.receive(message(PeerMessage.Kind.HANDOVER, "a", 2, "p", List.of(),
                new Change.Delete(counter("a", "flow-a")), new Change.SetCounter(counter("a", "flow-a"), 5)));
        assertEquals(List.of(new PeerMessage.Handed("a", 2)), adoptedHere);
        assertEquals(Map.of("flow-a", 5L), counts(), "held until this instance's own items hold it");
        p.release(new PeerMessage.Handed("a", 2));
        assertEquals(Map.of(), counts(), "now counted among this instance's own items, not here");
    }

    @Test
    void aLeaversItemsAreHeldUntilItsAdopterHasThem() {
        bothKnown();
        p.receive(message(PeerMessage.Kind.LEAVE, "a", 2, "b", List.of(),
                new Change.SetCounter(counter("a", "flow-a"), 5), new Change.SetCounter(counter("a", "flow-b"), 3)));
        assertEquals(Map.of("flow-a", 5L, "flow-b", 3L, "flow-c", 2L), counts(), "a left; its items held");
        p.receive(message(PeerMessage.Kind.CHANGES, "b", 2, "", List.of(new PeerMessage.Handed("a", 2)),
                new Change.SetCounter(counter("b", "flow-a"), 5), new Change.SetCounter(counter("b", "flow-b"), 3)));
        assertEquals(Map.of("flow-a", 5L, "flow-b", 3L, "flow-c", 2L), counts());
        assertEquals(0, p.holding());
    }

    @Test
    void aSilentPeerIsTakenOverFromItsLastItemsAndTheOthersForgetItOnTheAdoptersWord() {
        bothKnown();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> p.takeOver("a"),
                "a still counts");
        nanos.addAndGet(TIMEOUT.toNanos() + 1); // a and b go silent
        p.receive(message(PeerMessage.Kind.SNAPSHOT, "b", 2, "", List.of(),
                new Change.SetCounter(counter("b", "flow-c"), 2))); // b is heard again
        var taken = p.takeOver("a").orElseThrow();
        assertEquals(new PeerMessage.Handed("a", 1), taken.getKey());
        assertEquals(2, taken.getValue().size(), "flow-a and flow-b, as last heard");
        assertEquals(java.util.Optional.empty(), p.takeOver("a"), "forgotten");

        // Another instance hears p's word that it adopted a's items up to message 1: it forgets a too.
        Replicas other = new Replicas("ids", "q", nanos::get, TIMEOUT, (handed, items) -> { });
        other.receive(message(PeerMessage.Kind.SNAPSHOT, "a", 1, "", List.of(),
                new Change.SetCounter(counter("a", "flow-a"), 5)));
        nanos.addAndGet(TIMEOUT.toNanos() + 1);
        other.receive(message(PeerMessage.Kind.CHANGES, "p", 1, "", List.of(new PeerMessage.Handed("a", 1)),
                new Change.SetCounter(counter("p", "flow-a"), 5)));
        assertEquals(java.util.Optional.empty(), other.takeOver("a"), "a's replica is p's now");
    }

    @Test
    void twoLeaversNamingEachOtherLeaveTheirItemsToTheFirstThatStillCounts() {
        Map<String, Long> truth = Map.of("flow-a", 5L, "flow-b", 3L, "flow-c", 2L);
        bothKnown();
        // a names b, b names a; neither adopts the other's (each left first): both are orphans.
        p.receive(message(PeerMessage.Kind.LEAVE, "a", 2, "b", List.of(),
                new Change.SetCounter(counter("a", "flow-a"), 5), new Change.SetCounter(counter("a", "flow-b"), 3)));
        assertEquals(truth, counts(), "a's items held for b");
        assertEquals(List.of(), adoptedHere, "b still counts: it adopts");
        p.receive(message(PeerMessage.Kind.LEAVE, "b", 2, "a", List.of(),
                new Change.SetCounter(counter("b", "flow-c"), 2)));
        assertEquals(truth, counts(), "still counted once, held");
        assertEquals(List.of(new PeerMessage.Handed("a", 2), new PeerMessage.Handed("b", 2)), adoptedHere,
                "p, alone now, adopts both");
        assertEquals(2, p.orphaned());
    }

    @Test
    void whatALeaverAdoptedBeforeItLeftIsNoOrphan() {
        bothKnown();
        p.receive(handOverFlowA()); // a hands flow-a to b
        // b adopts it and leaves, naming a, in one message that says so.
        p.receive(message(PeerMessage.Kind.LEAVE, "b", 2, "a", List.of(new PeerMessage.Handed("a", 2)),
                new Change.SetCounter(counter("b", "flow-a"), 5), new Change.SetCounter(counter("b", "flow-c"), 2)));
        assertEquals(List.of(), adoptedHere, "a still counts: b's leave is a's to adopt");
        assertEquals(1, p.holding(), "b's items, held for a");
        assertEquals(0, p.orphaned());
        assertEquals(Map.of("flow-a", 5L, "flow-b", 3L, "flow-c", 2L), counts());
    }

    @Test
    void aHoldWhoseAdoptersWordWasLostEndsAfterThreePeerTimeouts() {
        bothKnown();
        p.receive(handOverFlowA());
        // b adopted flow-a, but the message saying so never came; its snapshots hold flow-a now.
        for (int i = 0; i < 7; i++) {
            nanos.addAndGet(TIMEOUT.toNanos() / 2);
            p.receive(message(PeerMessage.Kind.SNAPSHOT, "b", 10 + i, "", List.of(),
                    new Change.SetCounter(counter("b", "flow-a"), 5), new Change.SetCounter(counter("b", "flow-c"), 2)));
        }
        assertEquals(0, p.holding(), "ended");
        assertEquals(1, p.abandoned());
        assertEquals(5L, counts().get("flow-a"), "counted once, in b's replica");
        assertEquals(List.of(), adoptedHere);
    }

    @Test
    void anOrphanGoesToTheFirstInstanceHeardEvenIfAnUpdateOfItWasLostHere() {
        bothKnown();
        p.receive(handOverFlowA()); // a hands flow-a to b
        p.lost("a"); // a counts here again only at its next snapshot; the others count it
        p.receive(message(PeerMessage.Kind.LEAVE, "b", 2, "a", List.of(),
                new Change.SetCounter(counter("b", "flow-c"), 2))); // b leaves without adopting it
        assertEquals(List.of(), adoptedHere, "a, heard and first, adopts the orphan: p does not");
        assertEquals(1, p.orphaned());
    }
}
