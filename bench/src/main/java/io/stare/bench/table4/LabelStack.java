package io.stare.bench.table4;

/**
 * P4 source routing's label stack on the in-net links of one publish: the fewest and most labels a
 * link carries, the mean per in-net message, the mean over the tree's levels (each level's links
 * carry the same stack), the labels on the publisher's own link, and the label bytes in total.
 */
public record LabelStack(int min, int max, double meanPerMessage, double meanPerLevel, int onPublisherLink,
                         long totalLabelBytes) {
}
