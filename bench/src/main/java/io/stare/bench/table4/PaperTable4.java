package io.stare.bench.table4;

import java.util.Map;

/**
 * QUOTED from the paper (Table IV and its text, as given in the project brief): not computed here.
 * Messages to deliver one publish to 16 subscribers on the 4-ary tree of 85 switches and 84 links.
 */
public final class PaperTable4 {

    /** A quoted row: in-net and out-net, best (B) and worst (W) case. */
    public record Row(int inBest, int outBest, int inWorst, int outWorst) {
    }

    public static final Map<Approach, Row> ROWS = Map.of(
            Approach.UNICAST, new Row(32, 17, 96, 17),
            Approach.BROADCAST, new Row(84, 85, 84, 85),
            Approach.ALM, new Row(20, 59, 26, 67),
            Approach.OFM, new Row(20, 17, 26, 17),
            Approach.P4_SOURCE_ROUTING, new Row(20, 17, 26, 17),
            Approach.STARE, new Row(20, 17, 26, 17));

    /** Quoted: 3 bytes per label; best case 16-20 labels, average 18 (54 B); worst 16-24, average 18.75 (56.25 B). */
    public static final int LABEL_BYTES = 3;
    public static final int BEST_LABELS_MIN = 16;
    public static final int BEST_LABELS_MAX = 20;
    public static final double BEST_LABELS_AVERAGE = 18;
    public static final int WORST_LABELS_MIN = 16;
    public static final int WORST_LABELS_MAX = 24;
    public static final double WORST_LABELS_AVERAGE = 18.75;

    private PaperTable4() {
    }
}
