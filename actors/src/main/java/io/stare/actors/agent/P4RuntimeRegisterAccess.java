package io.stare.actors.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import p4.v1.Entity;
import p4.v1.Update;

/**
 * Register access over P4Runtime {@code RegisterEntry} Read and Write (software switch, Tofino).
 * A whole-register read is one wildcard Read; writes go in batches of {@value #BATCH} MODIFY
 * updates per Write.
 */
public final class P4RuntimeRegisterAccess implements RegisterAccess {

    /** Updates per Write request. */
    static final int BATCH = 1024;

    private final SwitchRpc rpc;
    private final P4Entities entities;

    /** Access through {@code rpc}, with the register ids of {@code rpc}'s program. */
    P4RuntimeRegisterAccess(SwitchRpc rpc) {
        this.rpc = rpc;
        this.entities = rpc.entities();
    }

    @Override
    public Kind kind() {
        return Kind.P4RUNTIME;
    }

    @Override
    public CompletionStage<long[]> read(int from, int count) {
        boolean whole = from == 0 && count == entities.stateCapacity();
        List<Entity> filters = new ArrayList<>();
        if (whole) {
            filters.add(entities.statePortsFilter());
        } else {
            for (int i = from; i < from + count; i++) {
                filters.add(entities.statePortsCellFilter(i));
            }
        }
        return rpc.read(filters).thenApply(found -> {
            long[] values = new long[count];
            for (Map.Entry<Integer, Long> cell : entities.statePortsCells(found).entrySet()) {
                if (cell.getKey() >= from && cell.getKey() < from + count) {
                    values[cell.getKey() - from] = cell.getValue();
                }
            }
            return values;
        });
    }

    @Override
    public CompletionStage<Integer> write(SortedMap<Integer, Long> cells) {
        List<Update> updates = new ArrayList<>();
        cells.forEach((state, mask) -> updates.add(SwitchRpc.update(Update.Type.MODIFY,
                entities.statePortsCell(state, mask))));
        CompletionStage<Integer> chain = CompletableFuture.completedFuture(0);
        for (int from = 0; from < updates.size(); from += BATCH) {
            List<Update> batch = updates.subList(from, Math.min(updates.size(), from + BATCH));
            chain = chain.thenCompose(n -> rpc.write(batch).thenApply(m -> n + m));
        }
        return chain;
    }

    @Override
    public CompletionStage<Void> setCloneFlag(boolean set) {
        return rpc.write(List.of(SwitchRpc.update(Update.Type.MODIFY, entities.cloneFlag(set)))).thenApply(n -> null);
    }
}
