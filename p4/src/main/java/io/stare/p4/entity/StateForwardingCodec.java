package io.stare.p4.entity;

import io.stare.p4.program.StareProgram;
import java.util.OptionalInt;
import java.util.OptionalLong;
import p4.v1.Entity;
import p4.v1.TableEntry;

/**
 * An entry of the embedded program's exact-match table {@code state_forwarding}: a state's publishes
 * go to a multicast group ({@code set_group(group)}), or are dropped ({@code drop_no_subscriber()}).
 */
public final class StateForwardingCodec implements EntityCodec<StateForwardingCodec.Entry> {

    /** {@code state_forwarding[stateId]}: {@code set_group(group)}, or drop when {@code group} is empty. */
    public record Entry(int stateId, OptionalInt group) {
        /** The entry sending the state's publishes to {@code group}. */
        public static Entry toGroup(int stateId, int group) {
            return new Entry(stateId, OptionalInt.of(group));
        }
    }

    private static final int STATE_BITS = 22;
    private static final int GROUP_BITS = 16;

    private final int tableId;
    private final int setGroup;
    private final int drop;

    StateForwardingCodec(StareProgram program) {
        this.tableId = StareEntities.id(program, program.tableId("state_forwarding"), "table state_forwarding");
        this.setGroup = StareEntities.id(program, program.actionId("set_group"), "action set_group");
        this.drop = StareEntities.id(program, program.actionId("drop_no_subscriber"), "action drop_no_subscriber");
    }

    public int tableId() {
        return tableId;
    }

    /** The id of {@code drop_no_subscriber}, the table's default action. */
    public int defaultActionId() {
        return drop;
    }

    @Override
    public Entity encode(Entry entry) {
        return TableEntries.entity(key(entry.stateId()).setAction(entry.group().isPresent()
                ? TableEntries.action(setGroup, entry.group().getAsInt()) : TableEntries.action(drop)));
    }

    @Override
    public Decoded<Entry> decode(Entity entity) {
        Decoded<Integer> state = decodeKey(entity);
        if (!state.isOk()) {
            return state.map(s -> null);
        }
        TableEntry entry = entity.getTableEntry();
        OptionalLong group = TableEntries.param(entry, setGroup, GROUP_BITS);
        if (group.isPresent() && group.getAsLong() >= 1) {
            return Decoded.ok(Entry.toGroup(state.orElseThrow(), (int) group.getAsLong()));
        }
        if (TableEntries.isBareAction(entry, drop)) {
            return Decoded.ok(new Entry(state.orElseThrow(), OptionalInt.empty()));
        }
        return Decoded.invalid("state_forwarding takes set_group(group) with a 16-bit group from 1, "
                + "or drop_no_subscriber()");
    }

    /** The state of an entry's key (all a DELETE carries). */
    public Decoded<Integer> decodeKey(Entity entity) {
        TableEntry entry = entity.getTableEntry();
        if (!entity.hasTableEntry() || entry.getTableId() != tableId) {
            return Decoded.invalid("not a state_forwarding entry");
        }
        OptionalLong state = TableEntries.exactKey(entry, STATE_BITS);
        return state.isPresent() ? Decoded.ok((int) state.getAsLong())
                : Decoded.invalid("state_forwarding needs one exact match on field 1, a 22-bit state ID");
    }

    /** The key alone: DELETE with it, or read the one entry. */
    public Entity keyOf(int stateId) {
        return TableEntries.entity(key(stateId));
    }

    /** The default entry as the program declares it ({@code drop_no_subscriber()}), as a Read returns it. */
    public Entity defaultEntry() {
        return TableEntries.entity(TableEntry.newBuilder().setTableId(tableId).setIsDefaultAction(true)
                .setAction(TableEntries.action(drop)));
    }

    /** A filter reading every entry. */
    public Entity filter() {
        return TableEntries.entity(TableEntry.newBuilder().setTableId(tableId));
    }

    private TableEntry.Builder key(int stateId) {
        return TableEntry.newBuilder().setTableId(tableId).addMatch(TableEntries.exact(stateId));
    }
}
