package io.stare.actors.agent;

import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.RegisterPipeline;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import p4.v1.PacketOut;

/**
 * Register access through the CPU port (BMv2): packet-out READ and WRITE of up to
 * {@value RegisterPipeline#MAX_REGISTER_VALUES} cells each, answered by REGISTER_VALUES packet-ins,
 * and SET_CLONE_FLAG. The {@link StreamSession} (or the reconfiguration run it forwards them to)
 * feeds every REGISTER_VALUES packet-in to {@link #onRegisterValues}; nothing here blocks, and the
 * methods may be called from either actor.
 *
 * <p>Requests are pipelined: up to {@code window} packet-outs are in flight at once, so reading
 * 2048 cells (256 READs) takes a few round trips, not 256. Answers are matched to requests by
 * {@code index} (and arrive in the order the switch processed the requests, so equal indexes are
 * matched first in, first out). SET_CLONE_FLAG has no answer: it is followed by a one-cell READ
 * whose answer proves the flag is applied. Every operation is bounded by a timeout; a lost
 * packet-out fails its operation rather than hanging it.
 */
public final class InBandRegisterAccess implements RegisterAccess {

    /** One operation (read, write, flag) made of chunks; completes when all are answered. */
    private static final class Operation {
        final CompletableFuture<long[]> done = new CompletableFuture<>();
        final long[] values;
        int unanswered;

        Operation(int size) {
            values = new long[size];
        }
    }

    /** One packet-out; {@code offset} places a READ's answer in its operation's values. */
    private record Chunk(Operation operation, CpuHeaders.PacketOut header, byte[] payload, int offset) {
        boolean answered() {
            return header.op() == CpuHeaders.Op.READ || header.op() == CpuHeaders.Op.WRITE;
        }
    }

    private final Predicate<PacketOut> sender;
    private final int window;
    private final Duration timeout;
    private final Deque<Chunk> queued = new ArrayDeque<>();
    private final Map<Long, Deque<Chunk>> inFlight = new HashMap<>();
    private int inFlightCount;

    /**
     * @param sender offers a packet-out to the StreamChannel; false if it could not be queued
     * @param window packet-outs awaiting an answer at most
     * @param timeout bound on each operation
     */
    InBandRegisterAccess(Predicate<PacketOut> sender, int window, Duration timeout) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1");
        }
        this.sender = sender;
        this.window = window;
        this.timeout = timeout;
    }

    @Override
    public Kind kind() {
        return Kind.IN_BAND;
    }

    @Override
    public CompletionStage<long[]> read(int from, int count) {
        Operation op = new Operation(count);
        List<Chunk> chunks = new ArrayList<>();
        for (int offset = 0; offset < count; offset += RegisterPipeline.MAX_REGISTER_VALUES) {
            int n = Math.min(RegisterPipeline.MAX_REGISTER_VALUES, count - offset);
            chunks.add(new Chunk(op, new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, n, from + offset), new byte[0], offset));
        }
        return submit(op, chunks);
    }

    @Override
    public CompletionStage<Integer> write(SortedMap<Integer, Long> cells) {
        Operation op = new Operation(0);
        List<Chunk> chunks = new ArrayList<>();
        // Runs of consecutive indexes, at most 8 cells each: one WRITE per run.
        List<Map.Entry<Integer, Long>> run = new ArrayList<>();
        for (Map.Entry<Integer, Long> cell : cells.entrySet()) {
            boolean continues = !run.isEmpty() && run.get(run.size() - 1).getKey() + 1 == cell.getKey()
                    && run.size() < RegisterPipeline.MAX_REGISTER_VALUES;
            if (!continues && !run.isEmpty()) {
                chunks.add(writeChunk(op, run));
                run = new ArrayList<>();
            }
            run.add(cell);
        }
        if (!run.isEmpty()) {
            chunks.add(writeChunk(op, run));
        }
        return submit(op, chunks).thenApply(values -> cells.size());
    }

    /** The packet-out writing {@code cells} (consecutive) in place: for callers that send it themselves. */
    static PacketOut writePacket(int index, long... masks) {
        ByteBuffer payload = ByteBuffer.allocate(4 * masks.length);
        for (long mask : masks) {
            payload.putInt((int) mask);
        }
        return P4Entities.packetOut(new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, masks.length, index),
                payload.array());
    }

    /** The packet-out reading {@code count} cells from {@code index}. */
    static PacketOut readPacket(int index, int count) {
        return P4Entities.packetOut(new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, count, index), new byte[0]);
    }

    /** The packet-out setting or clearing {@code clone_flag}. */
    static PacketOut cloneFlagPacket(boolean set) {
        return P4Entities.packetOut(new CpuHeaders.PacketOut(CpuHeaders.Op.SET_CLONE_FLAG, 0, 0, set ? 1 : 0),
                new byte[0]);
    }

    private static Chunk writeChunk(Operation op, List<Map.Entry<Integer, Long>> run) {
        ByteBuffer payload = ByteBuffer.allocate(4 * run.size());
        run.forEach(cell -> payload.putInt((int) (long) cell.getValue()));
        return new Chunk(op, new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, run.size(), run.get(0).getKey()),
                payload.array(), 0);
    }

    @Override
    public CompletionStage<Void> setCloneFlag(boolean set) {
        Operation op = new Operation(1);
        // The flag has no answer; the READ after it is processed after it, so its answer confirms it.
        return submit(op, List.of(
                new Chunk(op, new CpuHeaders.PacketOut(CpuHeaders.Op.SET_CLONE_FLAG, 0, 0, set ? 1 : 0), new byte[0], 0),
                new Chunk(op, new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0, 1, 0), new byte[0], 0)))
                .thenApply(values -> null);
    }

    /**
     * A REGISTER_VALUES packet-in: completes the request it answers. Answers nobody waits for
     * (an abandoned request, another sender's) are ignored.
     *
     * @return whether it answered a request of this access
     */
    public boolean onRegisterValues(CpuHeaders.PacketIn header, byte[] payload) {
        Operation completed = null;
        synchronized (this) {
            Deque<Chunk> waiting = inFlight.get(header.index());
            Chunk chunk = waiting == null ? null : waiting.peek();
            if (chunk == null || chunk.header().count() != header.count() || payload.length < 4 * header.count()) {
                return false;
            }
            waiting.poll();
            if (waiting.isEmpty()) {
                inFlight.remove(header.index());
            }
            inFlightCount--;
            Operation op = chunk.operation();
            if (chunk.header().op() == CpuHeaders.Op.READ && op.values.length > 0) {
                ByteBuffer values = ByteBuffer.wrap(payload);
                for (int i = 0; i < header.count() && chunk.offset() + i < op.values.length; i++) {
                    op.values[chunk.offset() + i] = Integer.toUnsignedLong(values.getInt(4 * i));
                }
            }
            if (--op.unanswered == 0) {
                completed = op;
            }
        }
        pump();
        if (completed != null) {
            completed.done.complete(completed.values);
        }
        return true;
    }

    /** Fails every pending operation (the session ended). */
    public void failAll(String reason) {
        List<Operation> failed = new ArrayList<>();
        synchronized (this) {
            queued.forEach(c -> failed.add(c.operation()));
            inFlight.values().forEach(d -> d.forEach(c -> failed.add(c.operation())));
            queued.clear();
            inFlight.clear();
            inFlightCount = 0;
        }
        IllegalStateException cause = new IllegalStateException(reason);
        failed.forEach(op -> op.done.completeExceptionally(cause));
    }

    /** Packet-outs sent and not yet answered (for tests and views). */
    public synchronized int inFlight() {
        return inFlightCount;
    }

    private CompletionStage<long[]> submit(Operation op, List<Chunk> chunks) {
        synchronized (this) {
            op.unanswered = (int) chunks.stream().filter(Chunk::answered).count();
            queued.addAll(chunks);
        }
        if (op.unanswered == 0) {
            op.done.complete(op.values);
        }
        op.done.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((v, failure) -> {
            if (failure != null) {
                abandon(op);
            }
        });
        pump();
        return op.done;
    }

    /** Sends queued chunks while the window has room. */
    private void pump() {
        List<Operation> failed = new ArrayList<>();
        synchronized (this) {
            while (!queued.isEmpty() && inFlightCount < window) {
                Chunk chunk = queued.poll();
                if (chunk.operation().done.isDone()) {
                    continue;
                }
                if (chunk.answered()) {
                    inFlight.computeIfAbsent(chunk.header().index(), i -> new ArrayDeque<>()).add(chunk);
                    inFlightCount++;
                }
                if (!sender.test(P4Entities.packetOut(chunk.header(), chunk.payload()))) {
                    failed.add(chunk.operation());
                }
            }
        }
        failed.forEach(op -> {
            op.done.completeExceptionally(new IllegalStateException("the StreamChannel did not take a packet-out"));
            abandon(op);
        });
    }

    /** Forgets an operation that failed or timed out, freeing its share of the window. */
    private void abandon(Operation op) {
        synchronized (this) {
            queued.removeIf(c -> c.operation() == op);
            inFlight.values().forEach(d -> {
                int before = d.size();
                d.removeIf(c -> c.operation() == op);
                inFlightCount -= before - d.size();
            });
            inFlight.values().removeIf(Deque::isEmpty);
        }
        pump();
    }
}
