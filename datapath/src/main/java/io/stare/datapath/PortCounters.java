package io.stare.datapath;

/**
 * What one port of a {@link DataPath} has done so far. Frames are counted apart from datagrams
 * because a datagram of an emulated link may carry several ({@link TunnelFraming}).
 *
 * @param datagramsIn datagrams read from the socket and accepted
 * @param framesIn frames those datagrams carried
 * @param datagramsOut datagrams the socket took
 * @param framesOut frames those datagrams carried
 * @param foreign datagrams dropped because they did not come from the port's only peer
 * @param malformed datagrams dropped because they started a batch whose lengths did not add up
 * @param droppedNoPeer frames dropped because the port had nobody to send them to yet
 * @param droppedFull frames dropped because the port's buffer or the socket's send buffer was full
 * @param droppedSize frames dropped because their size does not fit a datagram (larger than one, or, in a
 *     batch, shorter than an Ethernet header)
 * @param droppedClosed frames offered after the data path closed
 * @param errors send or receive calls the operating system refused (counted, never thrown)
 */
public record PortCounters(long datagramsIn, long framesIn, long datagramsOut, long framesOut, long foreign,
                           long malformed, long droppedNoPeer, long droppedFull, long droppedSize,
                           long droppedClosed, long errors) {

    /** Every frame this port dropped on its way out, whatever the reason. */
    public long droppedOut() {
        return droppedNoPeer + droppedFull + droppedSize + droppedClosed;
    }
}
