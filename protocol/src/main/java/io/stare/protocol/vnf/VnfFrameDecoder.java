package io.stare.protocol.vnf;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts a TCP byte stream into frames and decodes them, one decoder per connection (not
 * thread-safe). Feed it whatever chunks the socket returns; it hands back every frame the chunk
 * completed, in order.
 *
 * <pre>
 *   stream: | N (u32) | type | body (N-1) | N (u32) | type | body ... | ...
 *            \_____________ frame ______/ \______ frame ...
 * </pre>
 *
 * <p>Errors come in two classes:
 * <ul>
 *   <li><b>Body errors</b> (unknown frame type, bad field): one {@link DecodeResult.Failure} for
 *       that frame, and decoding goes on with the next frame: the length prefix keeps us in step.</li>
 *   <li><b>Framing errors</b> (length 0, or above the limit): we can no longer find the next
 *       frame, so the decoder reports one Failure ({@code MALFORMED} or {@code OVERSIZE}), becomes
 *       {@link #isBroken() broken} and ignores all further input. The caller should close the
 *       connection, perhaps after sending an {@link VnfMessage.Error}.</li>
 * </ul>
 *
 * <p>Memory is bounded: the only buffer is the current frame's, which grows as its bytes arrive
 * (a peer cannot make us allocate 16 MiB by sending four bytes) and never exceeds the limit.
 * The decoder never throws on any input.
 */
public final class VnfFrameDecoder {

    /** Default limit on a frame's length N (type + body): 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = VnfFrameCodec.DEFAULT_MAX_FRAME_BYTES;

    /** Start size of a frame buffer; it doubles up to the frame's length as bytes arrive. */
    private static final int INITIAL_FRAME_BUFFER = 4096;

    private final int maxFrameBytes;

    private final byte[] prefix = new byte[VnfFrameCodec.LENGTH_PREFIX_BYTES];
    private int prefixFilled;
    /** Length N of the frame being read, or -1 while reading its length prefix. */
    private int frameLength = -1;
    private byte[] frame = new byte[INITIAL_FRAME_BUFFER];
    private int frameFilled;
    private boolean broken;

    /** A decoder with the {@link #DEFAULT_MAX_FRAME_BYTES} limit. */
    public VnfFrameDecoder() {
        this(DEFAULT_MAX_FRAME_BYTES);
    }

    /**
     * A decoder refusing frames whose length N exceeds {@code maxFrameBytes}.
     *
     * @throws IllegalArgumentException unless {@code maxFrameBytes} is within
     *     {@link VnfFrameCodec#MIN_MAX_FRAME_BYTES}..{@link VnfFrameCodec#MAX_MAX_FRAME_BYTES}
     */
    public VnfFrameDecoder(int maxFrameBytes) {
        this.maxFrameBytes = VnfFrameCodec.checkMaxFrameBytes(maxFrameBytes);
    }

    /** The limit on a frame's length N. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** Whether a framing error has closed this decoder; it then ignores all input. */
    public boolean isBroken() {
        return broken;
    }

    /** Bytes held of a frame not yet complete (prefix included); 0 between frames. */
    public int bufferedBytes() {
        return frameLength < 0 ? prefixFilled : prefix.length + frameFilled;
    }

    /** Feeds a whole array; see {@link #feed(ByteBuffer)}. */
    public List<DecodeResult<VnfMessage>> feed(byte[] chunk) {
        return feed(ByteBuffer.wrap(chunk));
    }

    /** Feeds {@code length} bytes of {@code chunk} from {@code offset}; see {@link #feed(ByteBuffer)}. */
    public List<DecodeResult<VnfMessage>> feed(byte[] chunk, int offset, int length) {
        return feed(ByteBuffer.wrap(chunk, offset, length));
    }

    /**
     * Consumes all remaining bytes of {@code chunk} (its position moves to its limit) and returns
     * the results of the frames they completed, in stream order: possibly none. Once broken, the
     * bytes are consumed and ignored and the list is empty.
     */
    public List<DecodeResult<VnfMessage>> feed(ByteBuffer chunk) {
        List<DecodeResult<VnfMessage>> results = new ArrayList<>();
        while (chunk.hasRemaining() && !broken) {
            if (frameLength < 0) {
                readPrefix(chunk, results);
            } else {
                readFrame(chunk, results);
            }
        }
        chunk.position(chunk.limit());
        return results;
    }

    private void readPrefix(ByteBuffer chunk, List<DecodeResult<VnfMessage>> results) {
        int take = Math.min(prefix.length - prefixFilled, chunk.remaining());
        chunk.get(prefix, prefixFilled, take);
        prefixFilled += take;
        if (prefixFilled < prefix.length) {
            return;
        }
        long n = ByteBuffer.wrap(prefix).getInt() & 0xFFFF_FFFFL;
        prefixFilled = 0;
        if (n == 0) {
            breakWith(results, DecodeError.Kind.MALFORMED, "frame length 0 (a frame holds at least its type byte)");
        } else if (n > maxFrameBytes) {
            breakWith(results, DecodeError.Kind.OVERSIZE,
                    "frame length " + n + " exceeds the limit of " + maxFrameBytes + " bytes");
        } else {
            frameLength = (int) n;
            frameFilled = 0;
        }
    }

    private void readFrame(ByteBuffer chunk, List<DecodeResult<VnfMessage>> results) {
        int take = Math.min(frameLength - frameFilled, chunk.remaining());
        if (frameFilled + take > frame.length) {
            long grown = Math.max(frameFilled + take, 2L * frame.length);
            frame = Arrays.copyOf(frame, (int) Math.min(grown, frameLength));
        }
        chunk.get(frame, frameFilled, take);
        frameFilled += take;
        if (frameFilled < frameLength) {
            return;
        }
        int type = frame[0] & 0xff;
        results.add(VnfFrameCodec.decode(type, ByteBuffer.wrap(frame, 1, frameLength - 1)));
        frameLength = -1;
        frameFilled = 0;
        if (frame.length > INITIAL_FRAME_BUFFER) {
            frame = new byte[INITIAL_FRAME_BUFFER]; // do not keep a large buffer for an idle connection
        }
    }

    private void breakWith(List<DecodeResult<VnfMessage>> results, DecodeError.Kind kind, String detail) {
        broken = true;
        frame = new byte[0];
        results.add(DecodeResult.fail(kind, detail));
    }
}
