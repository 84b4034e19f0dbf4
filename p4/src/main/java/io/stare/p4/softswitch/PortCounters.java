package io.stare.p4.softswitch;

/**
 * A snapshot of one UDP port's counters.
 *
 * @param received datagrams read from the socket and handed to the switch (bad ones included:
 *     the pipeline counts those)
 * @param sent frames handed to the socket; the kernel may still drop one under overload
 * @param droppedNoPeer frames emitted while the port knew no peer
 * @param droppedQueueFull frames emitted while the port's send queue was full
 * @param droppedOversize frames longer than {@link UdpPorts#MAX_DATAGRAM} bytes
 * @param droppedClosed frames emitted after the port was closed
 * @param receiveErrors datagrams whose delivery into the switch threw (logged; the port lives on)
 */
public record PortCounters(long received, long sent, long droppedNoPeer, long droppedQueueFull,
                           long droppedOversize, long droppedClosed, long receiveErrors) {

    /** Every frame the port dropped on its way out, whatever the reason. */
    public long dropped() {
        return droppedNoPeer + droppedQueueFull + droppedOversize + droppedClosed;
    }
}
