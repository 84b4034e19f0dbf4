package io.stare.bench.table4;

/** The six ways of delivering a publish that Table IV compares. */
public enum Approach {
    UNICAST("Unicast"),
    BROADCAST("Broadcast"),
    ALM("ALM"),
    OFM("OFM"),
    P4_SOURCE_ROUTING("P4 source routing"),
    STARE("STARE");

    private final String label;

    Approach(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
