package io.stare.state.global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.state.store.StateKey;
import io.stare.state.store.StructureType;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** Peers' messages round-trip, and no bytes make the decoder do anything but refuse them. */
class PeerMessageTest {

    private static final StateKey CM = new StateKey("ids", "1", 0, StructureType.COUNTERMAP, "matches");

    @Test
    void aMessageRoundTrips() {
        PeerMessage message = new PeerMessage(PeerMessage.Kind.HANDOVER, "1", 42, "127.0.0.1:7000", "0",
                List.of("0", "2"), List.of(new PeerMessage.Handed("2", 17), new PeerMessage.Handed("3", 5)),
                List.of(new Change.Delete(CM), new Change.SetField(CM, Bytes.of(new byte[] {1, 2}), 7),
                        new Change.PutValue(new StateKey("ids", "1", 2, StructureType.VALUE, "v"), new byte[9])));
        PeerMessage back = PeerMessage.decode(message.encode());
        assertEquals(message.kind(), back.kind());
        assertEquals(message.adopter(), back.adopter());
        assertEquals(List.of("0", "2"), back.counting());
        assertEquals(message.adopted(), back.adopted());
        assertEquals(message.sequence(), back.sequence());
        assertEquals(ChangeCodec.encode(message.changes()).length, ChangeCodec.encode(back.changes()).length);
        assertEquals(message.changes().get(1), back.changes().get(1));
    }

    @Test
    void aTruncatedMessageIsRefused() {
        byte[] whole = new PeerMessage(PeerMessage.Kind.CHANGES, "1", 1, "", "", List.of(),
                List.of(new PeerMessage.Handed("0", 3)), List.of(new Change.AddToCounter(new StateKey("ids", "1", 0, StructureType.COUNTER, "c"), 1))).encode();
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(whole, length);
            assertThrows(ChangeCodec.MalformedChangesException.class, () -> PeerMessage.decode(cut), "at " + length);
        }
    }

    @Property(tries = 2000)
    void hostileBytesAreRefusedNeverThrownOtherwise(@ForAll byte[] junk) {
        try {
            PeerMessage.decode(junk);
        } catch (ChangeCodec.MalformedChangesException refused) {
            // the one way to fail
        }
    }
}
