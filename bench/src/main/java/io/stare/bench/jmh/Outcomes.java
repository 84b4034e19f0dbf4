package io.stare.bench.jmh;

import io.stare.client.PublishResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What became of the publishes of the actor benchmarks, reported by JMH beside the primary score
 * (which counts attempts): {@code published} and {@code refused} per second, and for the delivery
 * benchmarks {@code lost} (updates reported lost to the subscriber) per second. A refusal is a result
 * of the middleware (a full queue, too many appends unconfirmed), not a benchmark error, so it is
 * counted rather than thrown; a run with refusals measured the middleware's back-pressure as well.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.OPERATIONS)
public class Outcomes {

    public long published;
    public long refused;
    public long lost;

    private String firstRefusal;

    /** JMH leaves resetting auxiliary counters to the state: one iteration's counts each. */
    @Setup(Level.Iteration)
    public void reset() {
        published = 0;
        refused = 0;
        lost = 0;
    }

    /** Says why publishes were refused, once, at the end of the run (JMH shows the fork's output). */
    @TearDown(Level.Trial)
    public void report() {
        if (firstRefusal != null) {
            System.out.println("first refusal: " + firstRefusal);
        }
    }

    /** Waits for every result and counts it; returns how many were published. */
    int await(List<CompletableFuture<PublishResult>> results) throws Exception {
        int ok = 0;
        for (CompletableFuture<PublishResult> result : results) {
            PublishResult outcome = result.get(MiddlewareRig.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (outcome instanceof PublishResult.Published) {
                ok++;
            } else {
                refused++;
                if (firstRefusal == null) {
                    firstRefusal = String.valueOf(outcome);
                }
            }
        }
        published += ok;
        return ok;
    }
}
