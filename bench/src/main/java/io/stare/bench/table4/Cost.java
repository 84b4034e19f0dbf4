package io.stare.bench.table4;

/**
 * What one publish costs: messages (frames) on switch-to-switch links ("in-net") and on the links
 * between the VNFs' hosts and their switches ("out-net"), and the Ethernet bytes of those frames
 * (headers and payload, no preamble, FCS or padding).
 */
public record Cost(long inNet, long outNet, long inBytes, long outBytes) {

    public long messages() {
        return inNet + outNet;
    }

    public long bytes() {
        return inBytes + outBytes;
    }
}
