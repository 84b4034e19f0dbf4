package io.stare.datapath;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What one duty cycle of a {@link DataPath} hands its logic, as one stream element: the frames its
 * sockets received (a table of (port, offset, length) into one receive buffer, no copies), the
 * control messages that arrived, whether the period's tick is due, and the {@link Egress} to write
 * answers into. The same object comes back every cycle: it is only valid until the logic returns.
 *
 * @param <C> the control messages of the logic
 */
public final class Ingress<C> {

    private final ByteBuffer buffer;
    private final Egress egress;
    private int frames;
    private int[] ports = new int[256];
    private int[] offsets = new int[256];
    private int[] lengths = new int[256];
    private final List<C> controls = new ArrayList<>();
    private boolean tick;
    private boolean signalled;
    private long nanoTime;

    Ingress(ByteBuffer buffer, Egress egress) {
        this.buffer = buffer;
        this.egress = egress;
    }

    /** Frames received this cycle. */
    public int frameCount() {
        return frames;
    }

    /** The port frame {@code i} arrived on. */
    public int port(int i) {
        return ports[i];
    }

    /** Where frame {@code i} starts in {@link #buffer()}. */
    public int offset(int i) {
        return offsets[i];
    }

    /** Frame {@code i}'s length in bytes. */
    public int length(int i) {
        return lengths[i];
    }

    /** The receive buffer every frame of this cycle is in (read with absolute gets; do not keep it). */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Control messages that arrived since the last cycle, in order. */
    public List<C> controls() {
        return controls;
    }

    /** Whether the data path's tick period has elapsed since the last tick. */
    public boolean tick() {
        return tick;
    }

    /** Whether someone {@linkplain DataPath#signal() signalled} work outside the control queue. */
    public boolean signalled() {
        return signalled;
    }

    /** {@link System#nanoTime()} when the cycle started. */
    public long nanoTime() {
        return nanoTime;
    }

    /** Where this cycle's outgoing frames go. */
    public Egress egress() {
        return egress;
    }

    void reset(long now) {
        frames = 0;
        controls.clear();
        tick = false;
        signalled = false;
        nanoTime = now;
    }

    void tick(boolean due) {
        tick = due;
    }

    void signalled(boolean value) {
        signalled = value;
    }

    void addControl(C control) {
        controls.add(control);
    }

    void addFrame(int port, int offset, int length) {
        if (frames == ports.length) {
            ports = Arrays.copyOf(ports, frames * 2);
            offsets = Arrays.copyOf(offsets, frames * 2);
            lengths = Arrays.copyOf(lengths, frames * 2);
        }
        ports[frames] = port;
        offsets[frames] = offset;
        lengths[frames] = length;
        frames++;
    }

    boolean isEmpty() {
        return frames == 0 && controls.isEmpty() && !tick && !signalled;
    }
}
