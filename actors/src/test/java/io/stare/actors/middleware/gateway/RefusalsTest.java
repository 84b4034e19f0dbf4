package io.stare.actors.middleware.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.protocol.DecodeError;
import io.stare.protocol.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** How refusals of the middleware become wire error codes. */
class RefusalsTest {

    @Test
    void decodeErrors() {
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, Refusals.of(new DecodeError(DecodeError.Kind.OVERSIZE, "big")));
        assertEquals(ErrorCode.BAD_REQUEST, Refusals.of(new DecodeError(DecodeError.Kind.UNKNOWN_KIND, "0x7f")));
    }

    @Test
    void publishRefusals() {
        assertEquals(ErrorCode.NOT_PUBLISHER, Refusals.of(PublishResult.Reason.NOT_DECLARED));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, Refusals.of(PublishResult.Reason.TOO_LARGE));
        assertEquals(ErrorCode.BACK_PRESSURED, Refusals.of(PublishResult.Reason.BACK_PRESSURED));
        assertEquals(ErrorCode.UNAVAILABLE, Refusals.of(PublishResult.Reason.UNAVAILABLE));
    }

    @Test
    void clientFailuresKeepTheirCodeWhateverTheirText() {
        for (ErrorCode code : ErrorCode.values()) {
            // The text names another code on purpose: only the typed code counts.
            assertEquals(code, Refusals.of(new CompletionException(new StareException(code,
                    "declare s: NOT_PUBLISHER: no VNF declared the state"))));
        }
        assertEquals(ErrorCode.UNAVAILABLE, Refusals.of(new CompletionException(new TimeoutException("ask"))));
        assertEquals(ErrorCode.INTERNAL, Refusals.of(new CompletionException(new NullPointerException())));
    }
}
