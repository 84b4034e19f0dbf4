package io.stare.protocol.control;

import io.stare.protocol.segment.Segment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.segment.MissingUpdate;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/** Arbitrary valid RECOVER, recovery and truncation messages survive Pekko's Jackson CBOR serializer. */
class ControlMessageRoundTripProperties {

    private static CborRoundTrip cbor;

    @BeforeContainer
    static void startActorSystem() {
        cbor = new CborRoundTrip("cbor-properties");
    }

    @AfterContainer
    static void stopActorSystem() throws Exception {
        cbor.shutdown();
    }

    @Property(tries = 300)
    void recoverRoundTrips(@ForAll("recovers") Recover recover) {
        cbor.assertRoundTrips(recover);
    }

    @Property(tries = 300)
    void recoveredRoundTrips(@ForAll("recovereds") Recovered recovered) {
        cbor.assertRoundTrips(recovered);
    }

    @Property(tries = 300)
    void truncationReportRoundTrips(@ForAll("truncationReports") TruncationReport report) {
        cbor.assertRoundTrips(report);
    }

    /** Whatever string the name check accepts arrives unchanged: no name is altered by UTF-8. */
    @Property(tries = 300)
    void everyAcceptedNameRoundTrips(@ForAll String candidate) {
        boolean accepted;
        try {
            ControlChecks.name("stateName", candidate);
            accepted = true;
        } catch (IllegalArgumentException refused) {
            accepted = false;
        }
        if (accepted) {
            LookupState back = (LookupState) cbor.roundTrip(new LookupState(candidate));
            assertEquals(candidate, back.stateName());
        }
    }

    @Provide
    Arbitrary<Recover> recovers() {
        return Combinators.combine(
                        Arbitraries.longs(), stateIds(), names(), missingUpdate().list().ofMinSize(1).ofMaxSize(20))
                .as(Recover::new);
    }

    @Provide
    Arbitrary<Recovered> recovereds() {
        Arbitrary<Long> latest = Arbitraries.oneOf(
                Arbitraries.just(-1L), Arbitraries.longs().between(0, 100), Arbitraries.longs().between(0, Long.MAX_VALUE));
        return Combinators.combine(Arbitraries.longs(), stateIds(), latest).flatAs((requestId, stateId, latestUpdate) ->
                Combinators.combine(
                                segmentListsOf(stateId, latestUpdate),
                                missingUpdate().list().ofMaxSize(10))
                        .as((segments, truncated) -> new Recovered(requestId, stateId, segments, truncated, latestUpdate)));
    }

    @Provide
    Arbitrary<TruncationReport> truncationReports() {
        Arbitrary<TruncationReport> some = Combinators.combine(
                        Arbitraries.longs(), stateIds(), names(), Arbitraries.longs().between(0, Long.MAX_VALUE),
                        Arbitraries.integers().between(0, StareHeader.MAX_SEGMENTS - 1))
                .as(TruncationReport::new);
        Arbitrary<TruncationReport> none = Combinators.combine(Arbitraries.longs(), stateIds(), names())
                .as(TruncationReport::nothingYet);
        return Arbitraries.frequencyOf(Tuple.of(9, some), Tuple.of(1, none));
    }

    private static Arbitrary<Integer> stateIds() {
        return Arbitraries.integers().between(0, StareAddress.MAX_STATE_ID);
    }

    /** Valid names: ASCII, Latin, CJK and astral (4-byte) characters, 1..63 code points, not blank. */
    private static Arbitrary<String> names() {
        return Arbitraries.oneOf(
                        Arbitraries.strings().alpha().numeric().withChars("-_.@:/ ").ofMinLength(1).ofMaxLength(63),
                        Arbitraries.strings().withCharRange('\u00a0', '\u024f').withCharRange('\u4e00', '\u9fff')
                                .ofMinLength(1).ofMaxLength(63),
                        Arbitraries.integers().between(0x1F600, 0x1F64F).list().ofMinSize(1).ofMaxSize(63)
                                .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size())))
                .filter(s -> !s.isBlank());
    }

    private static Arbitrary<MissingUpdate> missingUpdate() {
        Arbitrary<List<Integer>> segments = Arbitraries.integers().between(0, StareHeader.MAX_SEGMENTS - 1)
                .set().ofMaxSize(12)
                .map(set -> set.stream().sorted().toList());
        return Combinators.combine(Arbitraries.longs().between(0, Long.MAX_VALUE), segments).as(MissingUpdate::new);
    }

    /** Up to 10 segments of the state, none newer than the backlog's latest update (so none if -1). */
    private static Arbitrary<List<Segment>> segmentListsOf(int stateId, long latestUpdate) {
        if (latestUpdate < 0) {
            return Arbitraries.just(List.of());
        }
        Arbitrary<Integer> totals = Arbitraries.integers().between(1, StareHeader.MAX_SEGMENTS);
        return Combinators.combine(
                        Arbitraries.integers().between(0, StareHeader.MAX_VNF_ID),
                        Arbitraries.longs().between(0, latestUpdate),
                        totals.flatMap(total -> Arbitraries.integers().between(0, total - 1)
                                .map(no -> new int[] {total, no})),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(1400))
                .as((vnfId, update, totalAndNo, payload) ->
                        new Segment(stateId, vnfId, update, totalAndNo[0], totalAndNo[1], payload))
                .list().ofMaxSize(10);
    }
}
