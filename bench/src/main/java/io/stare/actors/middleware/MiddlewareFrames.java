package io.stare.actors.middleware;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.segment.Segment;

/**
 * The middleware's own frame codec ({@link Frames}, package-private in stare-actors) opened to the
 * JMH benchmarks. It lives in the bench module, in the middleware's package, so that the benchmarks
 * time exactly the value-object codec the middleware uses off the hot path (SUB frames; the main
 * path's publish frames before the in-place encoder) rather than a copy that could drift; the
 * middleware itself is not changed for the benchmarks' sake. If
 * {@code Frames} changes shape, this stops compiling, which is the point.
 */
public final class MiddlewareFrames {

    private final Frames frames;

    /** The frames of the server whose SUB messages carry {@code senderId} (its source MAC). */
    public MiddlewareFrames(int senderId) {
        this.frames = new Frames(senderId);
    }

    /** One Publish segment as a whole Ethernet frame, as MAIN SEND sends it. */
    public byte[] publish(Segment segment) {
        return frames.publish(segment);
    }

    /** A received frame decoded as MAIN RECEIVE's decode stage does it. */
    public static DecodeResult<StarePacket> decode(byte[] frame) {
        return Frames.decode(frame);
    }
}
