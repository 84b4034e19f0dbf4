package io.stare.actors.middleware.gateway;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeErrorCounters;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.vnf.VnfFrameDecoder;
import io.stare.protocol.vnf.VnfMessage;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * The decode stage of a connection: TCP chunks in, whole frames (or refusals) out, with one
 * {@link VnfFrameDecoder} per materialization, i.e. per connection.
 *
 * <p>Every refusal is counted here. A framing error (length 0 or above the limit) is emitted as a
 * fatal {@link Inbound.Refused}, after which the decoder ignores the rest of the stream; bytes of an
 * unfinished frame when the peer closes are counted as {@code TRUNCATED} (there is nobody to answer).
 */
final class FrameDecoding {

    /** What the decode stage hands the session. */
    sealed interface Inbound {
        /** A well-formed frame. */
        record Frame(VnfMessage message) implements Inbound {
        }

        /** A refused frame; {@code fatal} when the stream can no longer be cut into frames. */
        record Refused(DecodeError error, boolean fatal) implements Inbound {
        }
    }

    private FrameDecoding() {
    }

    static Flow<ByteString, Inbound, NotUsed> flow(int maxFrameBytes, GatewayCounters counters) {
        DecodeErrorCounters errors = counters.decodeErrors;
        return Flow.of(ByteString.class)
                .statefulMap(() -> new VnfFrameDecoder(maxFrameBytes),
                        (decoder, chunk) -> Pair.create(decoder, decode(decoder, chunk, counters)),
                        decoder -> {
                            // The peer hung up inside a frame: nobody to answer, but count it.
                            if (!decoder.isBroken() && decoder.bufferedBytes() > 0) {
                                counters.framingCloses.increment();
                                errors.record(new DecodeError(DecodeError.Kind.TRUNCATED,
                                        "connection closed " + decoder.bufferedBytes() + " bytes into a frame"));
                            }
                            return Optional.<List<Inbound>>empty();
                        })
                .mapConcat(list -> list);
    }

    private static List<Inbound> decode(VnfFrameDecoder decoder, ByteString chunk, GatewayCounters counters) {
        List<Inbound> out = new ArrayList<>();
        for (ByteBuffer buffer : chunk.getByteBuffers()) {
            for (DecodeResult<io.stare.protocol.vnf.VnfMessage> result : decoder.feed(buffer)) {
                if (result instanceof DecodeResult.Ok<VnfMessage> ok) {
                    counters.framesIn.increment();
                    out.add(new Inbound.Frame(ok.value()));
                } else {
                    DecodeError error = result.errorOrNull();
                    counters.decodeErrors.record(error);
                    if (decoder.isBroken()) {
                        counters.framingCloses.increment();
                    }
                    out.add(new Inbound.Refused(error, decoder.isBroken()));
                }
            }
        }
        return out;
    }
}
