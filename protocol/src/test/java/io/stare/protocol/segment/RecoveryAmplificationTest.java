package io.stare.protocol.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Recovery must repair loss, not amplify it. A deterministic simulation (virtual clock, seeded
 * random, no threads) of one publisher at 10,000 updates/s for three virtual seconds, a lossy and
 * slightly reordering data plane into one subscriber's {@link Reassembler}, and a backlog that
 * receives every segment a little late and answers each RECOVER after a round trip, bounded per
 * answer, with its latest update; the subscriber also polls the latest update every second. Each
 * answer is reported as the middleware's receive path does (segments, then the latest), followed by
 * {@link Reassembler#recoveryAnswered} or, for a caller that predates it, by nothing.
 *
 * <p>Whatever the loss rate, with a subscriber lagging the backlog, and on a cold start in the
 * middle of the stream (its first segments ahead of or behind its start point), every update must
 * be delivered exactly once and in order, the backlog must re-send at most twice the segments the
 * subscriber did not get from the data plane, and the stream may never have more than one RECOVER
 * in flight. Why twice, when the rules aim at exactly once: a retry after a lost answer, or a
 * segment delayed beyond the grace, may legitimately be sent twice; twice is still two orders of
 * magnitude below what amplification looks like. Before the pacing rules, the same seeds re-sent
 * 1.4 to 1,180 times the lost segments with up to 224 RECOVERs in flight.
 */
class RecoveryAmplificationTest {

    private static final int STATE = 7;
    private static final int VNF = 9;
    /** 10,000 updates per virtual second. */
    private static final long UPDATE_EVERY_MICROS = 100;
    private static final long PUBLISH_MICROS = 3_000_000;
    /** Long enough for two more latest polls after the last publish, to find lost trailing updates. */
    private static final long RUN_MICROS = PUBLISH_MICROS + 2_500_000;
    /** reference.conf: stare.middleware.tick and latest-poll. */
    private static final long TICK_MICROS = 20_000;
    private static final long LATEST_POLL_MICROS = 1_000_000;
    /** The data plane reorders: each segment is delayed by 0..2 ms on top of the path's base delay. */
    private static final int JITTER_MICROS = 2_000;
    /** The backlog receives each segment 1..5 ms after it was published. */
    private static final int BACKLOG_LAG_MIN_MICROS = 1_000;
    private static final int BACKLOG_LAG_SPREAD_MICROS = 4_000;
    /** A RECOVER or latest query takes a round trip of 0.5..2 ms. */
    private static final int RTT_MIN_MICROS = 500;
    private static final int RTT_SPREAD_MICROS = 1_500;
    private static final long ANSWER_MAX_BYTES = 64 * 1024;
    /** The old behaviour re-sent without bound; stop a run that re-sends this much. */
    private static final long RUNAWAY_RESENT = 5_000_000;
    /** 564-byte segments; updates of 1..3 segments. */
    private static final Segmenter SEGMENTER = new Segmenter(600);
    /** reference.conf's stare.middleware.reassembly section. */
    private static final ReassemblyConfig CONFIG = new ReassemblyConfig(1 << 20, 8L << 20, 1024, 50, 500, 60, 1024);

    /**
     * @param loss probability that the data plane drops a segment
     * @param pathDelayMicros the subscriber's base delay on the data plane (a busy subscriber lags)
     * @param startMicros when the subscriber joins: it starts at the backlog's latest + 1 then
     * @param seed the run's random seed (losses, delays, sizes)
     * @param reportsAnswers whether the caller calls {@link Reassembler#recoveryAnswered}
     */
    record Scenario(String name, double loss, long pathDelayMicros, long startMicros, long seed,
                    boolean reportsAnswers) {
        Scenario(String name, double loss, long pathDelayMicros, long startMicros, long seed) {
            this(name, loss, pathDelayMicros, startMicros, seed, true);
        }

        Scenario withoutAnswerReports() {
            return new Scenario(name + ", answers not reported", loss, pathDelayMicros, startMicros, seed, false);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Every scenario twice: with a caller that reports answers, and with one that does not. */
    static Stream<Arguments> scenarios() {
        return Stream.of(
                new Scenario("1% loss", 0.01, 0, 0, 1),
                new Scenario("5% loss", 0.05, 0, 0, 2),
                new Scenario("20% loss", 0.20, 0, 0, 3),
                new Scenario("5% loss, subscriber 100 ms behind the backlog", 0.05, 100_000, 0, 4),
                // The backlog lags the data plane: the first segments seen are ahead of the start point.
                new Scenario("cold start at 1 s, data plane ahead, 5% loss", 0.05, 0, 1_000_000, 5),
                new Scenario("cold start at 1 s, data plane ahead, 20% loss", 0.20, 0, 1_000_000, 6),
                // The subscriber's path lags the backlog: the first segments seen are behind it.
                new Scenario("cold start at 1 s, data plane 100 ms behind, 5% loss", 0.05, 100_000, 1_000_000, 7))
                .flatMap(s -> Stream.of(s, s.withoutAnswerReports()))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void recoveryReSendsAboutWhatWasLostAndDeliversEverythingOnce(Scenario scenario) {
        Result result = new Simulation(scenario).run();
        System.out.printf("%s: %s%n", scenario.name(), result);

        assertFalse(result.runaway, "recovery ran away: " + result);
        assertEquals(0, result.unrecoverable, "the backlog holds everything: " + result);
        assertEquals(result.expected, result.delivered, "every update from the start point, once, in order: " + result);
        assertTrue(result.maxInFlight <= 1, "RECOVERs in flight for the stream: " + result);
        assertTrue(result.needed > 0, "the scenario loses something: " + result);
        assertTrue(result.resent <= 2 * result.needed, "re-sent at most twice what was lost: " + result);
        assertTrue(result.requests <= result.needed, "no more RECOVERs than lost segments: " + result);
    }

    /** Figures of one run. */
    static final class Result {
        long expected;
        long delivered;
        /** Segments from the start point on that the data plane did not bring to the subscriber. */
        long needed;
        /** Segments the backlog sent in RECOVER answers. */
        long resent;
        long requests;
        int maxInFlight;
        long unrecoverable;
        long deferred;
        boolean runaway;

        @Override
        public String toString() {
            return String.format("lost %d segments, re-sent %d (%.2fx), %d RECOVERs, max in flight %d, "
                            + "delivered %d of %d, unrecoverable %d, deferred %d%s",
                    needed, resent, needed == 0 ? 0.0 : (double) resent / needed, requests, maxInFlight, delivered,
                    expected, unrecoverable, deferred, runaway ? ", RUNAWAY (stopped)" : "");
        }
    }

    private static byte[] value(long update, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (update * 131 + i * 7);
        }
        return bytes;
    }

    private enum Kind { START, DATA, BACKLOG, TICK, LATEST_QUERY, LATEST_REPLY, RECOVER, RECOVERED }

    private record Event(long at, long seq, Kind kind, Object body, long value) {
    }

    private record Answer(List<Segment> segments, long latest) {
    }

    private static final class Simulation implements Reassembler.Listener {
        private final Scenario scenario;
        private final Random random;
        private final PriorityQueue<Event> events = new PriorityQueue<>(
                (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
        private long seq;
        private long now;
        private final Reassembler reassembler = new Reassembler(CONFIG, this);
        private final Result result = new Result();

        private final List<Integer> lengths = new ArrayList<>();
        /** Per update, per segment: when the data plane delivers it to the subscriber, or -1 if dropped. */
        private final List<long[]> arrivals = new ArrayList<>();
        private final Map<Long, Segment[]> backlog = new HashMap<>();
        private long backlogLatest = -1;

        private boolean started;
        private long first = -1;
        private long expectNext = -1;
        private int inFlight;

        Simulation(Scenario scenario) {
            this.scenario = scenario;
            this.random = new Random(scenario.seed());
        }

        Result run() {
            schedule(scenario.startMicros(), Kind.START, null, 0);
            for (long update = 0; update * UPDATE_EVERY_MICROS < PUBLISH_MICROS; update++) {
                long at = update * UPDATE_EVERY_MICROS;
                int length = 1 + random.nextInt(3 * SEGMENTER.segmentPayload());
                lengths.add(length);
                List<Segment> segments = SEGMENTER.split(STATE, VNF, update, value(update, length));
                long[] arrival = new long[segments.size()];
                for (Segment segment : segments) {
                    schedule(at + BACKLOG_LAG_MIN_MICROS + random.nextInt(BACKLOG_LAG_SPREAD_MICROS + 1),
                            Kind.BACKLOG, segment, 0);
                    if (random.nextDouble() < scenario.loss()) {
                        arrival[segment.segmentNo()] = -1;
                    } else {
                        arrival[segment.segmentNo()] = at + scenario.pathDelayMicros() + random.nextInt(JITTER_MICROS + 1);
                        schedule(arrival[segment.segmentNo()], Kind.DATA, segment, 0);
                    }
                }
                arrivals.add(arrival);
            }
            for (long t = scenario.startMicros(); t <= RUN_MICROS; t += TICK_MICROS) {
                schedule(t, Kind.TICK, null, 0);
            }
            for (long t = scenario.startMicros() + LATEST_POLL_MICROS; t <= RUN_MICROS; t += LATEST_POLL_MICROS) {
                long rtt = rtt();
                schedule(t + rtt / 2, Kind.LATEST_QUERY, null, rtt - rtt / 2);
            }
            while (!events.isEmpty() && !result.runaway) {
                Event event = events.poll();
                now = event.at();
                handle(event);
            }
            result.expected = lengths.size() - first;
            result.delivered = expectNext - first;
            for (long update = first; update < lengths.size(); update++) {
                for (long arrival : arrivals.get((int) update)) {
                    if (arrival < scenario.startMicros()) { // dropped (-1), or delivered before the subscriber joined
                        result.needed++;
                    }
                }
            }
            result.deferred = reassembler.counters().deferred();
            return result;
        }

        private long millis() {
            return now / 1000;
        }

        private long rtt() {
            return RTT_MIN_MICROS + random.nextInt(RTT_SPREAD_MICROS + 1);
        }

        private void schedule(long at, Kind kind, Object body, long value) {
            events.add(new Event(at, seq++, kind, body, value));
        }

        private void handle(Event event) {
            switch (event.kind()) {
                case START -> {
                    started = true;
                    first = backlogLatest + 1;
                    expectNext = first;
                    reassembler.expect(STATE, VNF, first);
                }
                case DATA -> {
                    if (started) {
                        Segment s = (Segment) event.body();
                        reassembler.accept(s.header(), s.payload(), millis());
                    }
                }
                case BACKLOG -> {
                    Segment s = (Segment) event.body();
                    backlog.computeIfAbsent(s.update(), u -> new Segment[s.totalSegments()])[s.segmentNo()] = s;
                    backlogLatest = Math.max(backlogLatest, s.update());
                }
                case TICK -> reassembler.poll(millis());
                case LATEST_QUERY -> schedule(now + event.value(), Kind.LATEST_REPLY, null, backlogLatest);
                case LATEST_REPLY -> {
                    if (event.value() >= 0) {
                        reassembler.noteLatest(STATE, VNF, event.value(), millis());
                    }
                }
                case RECOVER -> {
                    Answer answer = answer((RecoveryRequest) event.body());
                    result.resent += answer.segments().size();
                    if (result.resent > RUNAWAY_RESENT) {
                        result.runaway = true;
                    }
                    schedule(now + event.value(), Kind.RECOVERED, answer, 0);
                }
                case RECOVERED -> {
                    // As the receive path does: the segments, then the latest, then the answer itself.
                    Answer answer = (Answer) event.body();
                    for (Segment s : answer.segments()) {
                        reassembler.acceptRecovered(s, millis());
                    }
                    if (answer.latest() >= 0) {
                        reassembler.noteLatest(STATE, VNF, answer.latest(), millis());
                    }
                    inFlight--;
                    if (scenario.reportsAnswers()) {
                        reassembler.recoveryAnswered(STATE, VNF, millis());
                    }
                }
            }
        }

        /** The backlog's answer: the segments it holds of what was asked, in order, within the byte bound. */
        private Answer answer(RecoveryRequest request) {
            List<Segment> found = new ArrayList<>();
            long budget = ANSWER_MAX_BYTES;
            for (MissingUpdate missing : request.missing()) {
                Segment[] held = backlog.get(missing.update());
                if (held == null) {
                    continue;
                }
                List<Integer> wanted = new ArrayList<>(missing.segments());
                if (missing.isWhole()) {
                    for (int i = 0; i < held.length; i++) {
                        wanted.add(i);
                    }
                }
                for (int segmentNo : wanted) {
                    Segment segment = held[segmentNo];
                    if (segment == null) {
                        continue;
                    }
                    if (!found.isEmpty() && segment.payloadLength() > budget) {
                        return new Answer(found, backlogLatest);
                    }
                    found.add(segment);
                    budget -= segment.payloadLength();
                }
            }
            return new Answer(found, backlogLatest);
        }

        @Override
        public void onUpdate(int stateId, int vnfId, long update, byte[] value) {
            assertEquals(expectNext, update, "delivered out of order or twice");
            assertArrayEquals(value(update, lengths.get((int) update)), value, "update " + update);
            expectNext++;
        }

        @Override
        public void onRecoveryRequest(RecoveryRequest request) {
            result.requests++;
            inFlight++;
            result.maxInFlight = Math.max(result.maxInFlight, inFlight);
            long rtt = rtt();
            schedule(now + rtt / 2, Kind.RECOVER, request, rtt - rtt / 2);
        }

        @Override
        public void onUnrecoverable(int stateId, int vnfId, long first, long last) {
            result.unrecoverable += last - first + 1;
        }
    }
}
