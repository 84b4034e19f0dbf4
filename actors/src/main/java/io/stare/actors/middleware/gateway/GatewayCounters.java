package io.stare.actors.middleware.gateway;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeErrorCounters;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfMessage;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** What every session of one {@link VnfGateway} adds up; read through {@link #snapshot()}. */
final class GatewayCounters {

    final LongAdder accepted = new LongAdder();
    final LongAdder refusedConnections = new LongAdder();
    final LongAdder open = new LongAdder();
    final LongAdder handshakes = new LongAdder();
    final LongAdder handshakeTimeouts = new LongAdder();
    final LongAdder framesIn = new LongAdder();
    final LongAdder framesOut = new LongAdder();
    final LongAdder framingCloses = new LongAdder();
    final LongAdder deliveries = new LongAdder();
    final LongAdder deliveriesDropped = new LongAdder();
    final LongAdder lossNotices = new LongAdder();
    final LongAdder tlsRefused = new LongAdder();
    final LongAdder refusedSources = new LongAdder();
    final DecodeErrorCounters decodeErrors = new DecodeErrorCounters();
    private final EnumMap<ErrorCode, LongAdder> errors = new EnumMap<>(ErrorCode.class);

    GatewayCounters() {
        for (ErrorCode code : ErrorCode.values()) {
            errors.put(code, new LongAdder());
        }
    }

    void errorSent(ErrorCode code) {
        errors.get(code).increment();
    }

    VnfGateway.Counters snapshot() {
        EnumMap<ErrorCode, Long> errorCopy = new EnumMap<>(ErrorCode.class);
        errors.forEach((code, adder) -> errorCopy.put(code, adder.sum()));
        Map<DecodeError.Kind, Long> decode = decodeErrors.snapshot();
        return new VnfGateway.Counters(accepted.sum(), refusedConnections.sum(), open.sum(), handshakes.sum(),
                handshakeTimeouts.sum(),
                framesIn.sum(), framesOut.sum(), framingCloses.sum(), deliveries.sum(), deliveriesDropped.sum(),
                lossNotices.sum(), Map.copyOf(errorCopy), Map.copyOf(decode), tlsRefused.sum(), refusedSources.sum());
    }
}
