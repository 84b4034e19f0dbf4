package io.stare.actors.middleware.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.actors.middleware.PublishResult;
import io.stare.actors.middleware.StareClient;
import io.stare.protocol.DecodeError;
import io.stare.protocol.vnf.VnfMessage.Error.Code;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** How refusals of the middleware become wire error codes. */
class RefusalsTest {

    @Test
    void decodeErrors() {
        assertEquals(Code.PAYLOAD_TOO_LARGE, Refusals.of(new DecodeError(DecodeError.Kind.OVERSIZE, "big")));
        assertEquals(Code.BAD_REQUEST, Refusals.of(new DecodeError(DecodeError.Kind.UNKNOWN_KIND, "0x7f")));
    }

    @Test
    void publishRefusals() {
        assertEquals(Code.NOT_PUBLISHER, Refusals.of(PublishResult.Reason.NOT_DECLARED));
        assertEquals(Code.PAYLOAD_TOO_LARGE, Refusals.of(PublishResult.Reason.TOO_LARGE));
        assertEquals(Code.UNAVAILABLE, Refusals.of(PublishResult.Reason.BACK_PRESSURED));
        assertEquals(Code.UNAVAILABLE, Refusals.of(PublishResult.Reason.UNAVAILABLE));
    }

    @Test
    void middlewareReasons() {
        assertEquals(Code.UNKNOWN_STATE, refusal("subscribe x: no VNF declared the state"));
        assertEquals(Code.ID_SPACE_EXHAUSTED, refusal("attach a: ID_SPACE_EXHAUSTED: no VNF ID left"));
        assertEquals(Code.NOT_PUBLISHER, refusal("declare s: NOT_PUBLISHER: VNF 3 publishes it"));
        assertEquals(Code.NOT_PUBLISHER, refusal("declare s: another local VNF publishes it"));
        assertEquals(Code.UNAVAILABLE, refusal("attach a: the replica controller did not answer: timeout"));
        assertEquals(Code.UNAVAILABLE, refusal("subscribe s: no SUB-ack from the switch after 8 retransmissions"));
        assertEquals(Code.BAD_REQUEST, refusal("unsubscribe s: not subscribed"));
        assertEquals(Code.UNAVAILABLE, Refusals.of(new CompletionException(new TimeoutException("ask"))));
        assertEquals(Code.INTERNAL, Refusals.of(new CompletionException(new NullPointerException())));
    }

    private static Code refusal(String message) {
        return Refusals.of(new CompletionException(new StareClient.StareException(message)));
    }
}
