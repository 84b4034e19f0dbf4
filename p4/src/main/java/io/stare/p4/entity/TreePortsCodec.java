package io.stare.p4.entity;

import io.stare.p4.program.StareProgram;
import java.util.OptionalLong;
import p4.v1.Entity;
import p4.v1.TableEntry;

/**
 * The register program's keyless {@code tree_ports} table: its default entry
 * {@code set_tree_ports(mask)} holds the ports of the distribution tree. Written with MODIFY, read
 * with {@code is_default_action}.
 */
public final class TreePortsCodec implements EntityCodec<Long> {

    private final int tableId;
    private final int actionId;
    private final int maskBits;

    TreePortsCodec(StareProgram program, int maskBits) {
        this.tableId = StareEntities.id(program, program.tableId("tree_ports"), "table tree_ports");
        this.actionId = StareEntities.id(program, program.actionId("set_tree_ports"), "action set_tree_ports");
        this.maskBits = maskBits;
    }

    public int tableId() {
        return tableId;
    }

    @Override
    public Entity encode(Long mask) {
        return TableEntries.entity(TableEntry.newBuilder().setTableId(tableId).setIsDefaultAction(true)
                .setAction(TableEntries.action(actionId, mask)));
    }

    @Override
    public Decoded<Long> decode(Entity entity) {
        TableEntry entry = entity.getTableEntry();
        if (!entity.hasTableEntry() || entry.getTableId() != tableId || !entry.getIsDefaultAction()) {
            return Decoded.invalid("tree_ports is keyless: only its default entry exists");
        }
        OptionalLong mask = TableEntries.param(entry, actionId, maskBits);
        return mask.isPresent() ? Decoded.ok(mask.getAsLong())
                : Decoded.invalid("tree_ports takes set_tree_ports(mask) with a mask of " + maskBits + " bits");
    }

    /** A filter reading the default entry (a keyless table's only one). */
    public Entity filter() {
        return TableEntries.entity(TableEntry.newBuilder().setTableId(tableId).setIsDefaultAction(true));
    }
}
