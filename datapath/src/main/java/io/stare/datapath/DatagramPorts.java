package io.stare.datapath;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The stage that owns a {@link DataPath}'s sockets: each time its logic asks for more (a pull), it
 * runs one duty cycle (control messages, then every ready socket drained into the receive buffer,
 * then the tick) and emits it as one {@link Ingress}; each {@link Egress} that comes back is flushed
 * to the sockets. With nothing to do it waits in {@code epoll} on the stage's own thread (the data
 * path's dispatcher is pinned, one thread per data path), so a datagram is handled on the thread
 * the kernel wakes, with no hand-off to another thread.
 *
 * <p>Never fails on input: a datagram from a stranger, a malformed batch, or a system call the
 * kernel refuses is counted on its port and the cycle goes on.
 */
final class DatagramPorts<C> extends GraphStage<FlowShape<Egress, Ingress<C>>> {

    /** A datagram is read only while this much of the receive buffer is free, so none is truncated. */
    private static final int DATAGRAM_ROOM = 65_536;

    private final DataPath<C> path;
    private final Inlet<Egress> in = Inlet.create("DatagramPorts.egress");
    private final Outlet<Ingress<C>> out = Outlet.create("DatagramPorts.ingress");
    private final FlowShape<Egress, Ingress<C>> shape = FlowShape.of(in, out);

    DatagramPorts(DataPath<C> path) {
        this.path = path;
    }

    @Override
    public FlowShape<Egress, Ingress<C>> shape() {
        return shape;
    }

    @Override
    public GraphStageLogic createLogic(Attributes attributes) {
        return new Logic();
    }

    private final class Logic extends GraphStageLogic {
        private final ByteBuffer receive = ByteBuffer.allocateDirect(path.settings.receiveBuffer());
        private final Ingress<C> ingress = new Ingress<>(receive, path.egress);
        private final long idleYieldMillis = Math.max(1, path.settings.idleYield().toMillis());
        private int[] ready = new int[8];
        private int readyCount;
        private boolean anyWritable;
        private long lastTick = System.nanoTime();
        private AsyncCallback<NotUsed> resume;
        /** Frames of the datagram being scanned go to this port. */
        private int scanningPort;
        private Throwable failure;
        // Method references made once: a fresh one per call would allocate on every cycle.
        private final java.util.function.Consumer<SelectionKey> onReady = this::onReady;
        private final TunnelFraming.FrameConsumer addFrame = this::addFrame;

        Logic() {
            super(shape);
            setHandler(out, new AbstractOutHandler() {
                @Override
                public void onPull() throws IOException {
                    cycle();
                }

                @Override
                public void onDownstreamFinish(Throwable cause) {
                    completeStage();
                }
            });
            setHandler(in, new AbstractInHandler() {
                @Override
                public void onPush() {
                    grab(in);
                    flushAll();
                    path.leaveCycle(); // the logic's step is over: until the next pull, callers may run idle work
                    pull(in);
                }

                @Override
                public void onUpstreamFinish() {
                    completeStage();
                }

                @Override
                public void onUpstreamFailure(Throwable cause) {
                    failure = cause; // the logic threw: a bug, reported when the data path stops
                    failStage(cause);
                }
            });
        }

        @Override
        public void preStart() {
            resume = createAsyncCallback(ignored -> {
                if (isAvailable(out)) {
                    cycle();
                }
            });
            pull(in);
        }

        @Override
        public void postStop() {
            path.enterCycle();
            if (failure == null) {
                flushAll();
            }
            path.leaveCycle();
            path.stopped(failure);
        }

        /**
         * One duty cycle, pushed as one element; or, with nothing to do, a wait in the kernel. After
         * {@code idle-yield} of waiting the thread goes back to Pekko (a callback resumes the cycle),
         * so the stream still hears a shutdown.
         */
        private void cycle() throws IOException {
            while (true) {
                path.enterCycle(); // held until the step's Egress is flushed, or until it sleeps
                long now = System.nanoTime();
                path.thread = Thread.currentThread();
                ingress.reset(now);
                if (path.drainInbox(ingress)) {
                    completeStage();
                    return;
                }
                if (path.takeSignal()) {
                    ingress.signalled(true);
                }
                path.selector.selectNow(onReady);
                receiveReady();
                if (path.tickNanos > 0 && now - lastTick >= path.tickNanos) {
                    lastTick = now;
                    ingress.tick(true);
                }
                if (!ingress.isEmpty()) {
                    push(out, ingress);
                    return;
                }
                if (anyWritable) {
                    flushAll();
                }
                long wait = idleYieldMillis;
                if (path.tickNanos > 0) {
                    long untilTick = TimeUnit.NANOSECONDS.toMillis(lastTick + path.tickNanos - now);
                    wait = Math.max(1, Math.min(wait, untilTick + 1));
                }
                path.leaveCycle();
                if (!path.sleep(wait, onReady) && wait >= idleYieldMillis) {
                    resume.invoke(NotUsed.notUsed()); // nothing for a while: let Pekko run, then wait again
                    return;
                }
            }
        }

        private void onReady(SelectionKey key) {
            Port port = (Port) key.attachment();
            if (!key.isValid()) {
                return;
            }
            if (key.isReadable() && !port.ready) {
                port.ready = true;
                if (readyCount == ready.length) {
                    ready = java.util.Arrays.copyOf(ready, readyCount * 2);
                }
                ready[readyCount++] = port.id;
            }
            if (key.isWritable()) {
                anyWritable = true;
            }
        }

        /** Drains each ready socket, up to the per-cycle limit and the receive buffer's room. */
        private void receiveReady() {
            receive.clear();
            for (int r = 0; r < readyCount; r++) {
                path.ports.get(ready[r]).ready = false;
            }
            for (int r = 0; r < readyCount; r++) {
                Port port = path.ports.get(ready[r]);
                for (int n = 0; n < path.settings.maxDatagramsPerCycle() && !port.closed; n++) {
                    if (receive.remaining() < DATAGRAM_ROOM) {
                        readyCount = 0; // still readable: the next cycle's selectNow finds them again
                        return;
                    }
                    int start = receive.position();
                    SocketAddress source;
                    try {
                        source = port.channel.receive(receive);
                    } catch (IOException e) {
                        port.errors++;
                        break;
                    }
                    if (source == null) {
                        break;
                    }
                    int length = receive.position() - start;
                    if (!port.accept(source)) {
                        receive.position(start);
                        continue;
                    }
                    scanningPort = port.id;
                    int before = ingress.frameCount();
                    TunnelFraming.Verdict verdict = TunnelFraming.scan(receive, start, length, addFrame);
                    if (verdict == TunnelFraming.Verdict.MALFORMED) {
                        port.malformed++;
                        receive.position(start);
                        continue;
                    }
                    if (verdict == TunnelFraming.Verdict.BATCH && !port.peerBatches) {
                        port.peerBatches = true;
                    }
                    port.datagramsIn++;
                    port.framesIn += ingress.frameCount() - before;
                }
            }
            readyCount = 0;
        }

        private void addFrame(int offset, int length) {
            ingress.addFrame(scanningPort, offset, length);
        }

        /** Sends what the logic wrote; a port that holds and could not send all waits for OP_WRITE. */
        private void flushAll() {
            anyWritable = false;
            for (Port port : path.ports.all()) {
                if (port.closed) {
                    continue;
                }
                port.flush();
                int interest = port.holding() ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ;
                if (port.key.isValid() && port.key.interestOps() != interest) {
                    port.key.interestOps(interest);
                }
            }
        }
    }
}
