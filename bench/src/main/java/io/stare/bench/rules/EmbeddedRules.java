package io.stare.bench.rules;

import io.stare.p4.softswitch.P4Values;
import io.stare.p4.softswitch.StareProgram;
import io.stare.p4.softswitch.StarePrograms;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import p4.v1.Action;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.TableAction;
import p4.v1.TableEntry;

/**
 * Embedded-mode rules as the paper's local controller wrote them over P4Runtime: per subscribed
 * state, a multicast group of its own (group {@code state + 1}, one replica on the subscriber's
 * port; group 0 means "none" in v1model) and a {@code state_forwarding} entry state → that group.
 * STARE's own embedded controller shares port-mask groups between states instead, which costs less
 * per rule; here the paper's per-rule cost is what is measured.
 */
final class EmbeddedRules {

    private final int tableId;
    private final int actionId;
    private final int port;

    private EmbeddedRules(StareProgram program, int port) {
        this.tableId = program.tableId("state_forwarding").orElseThrow();
        this.actionId = program.actionId("set_group").orElseThrow();
        this.port = port;
    }

    /** The rules of the shipped embedded program, replicating to {@code port}. */
    static EmbeddedRules of(int port) {
        try {
            return new EmbeddedRules(StareProgram.recognise(
                    StarePrograms.config(StareProgram.Mode.EMBEDDED).getP4Info()), port);
        } catch (StareProgram.UnsupportedProgramException e) {
            throw new IllegalStateException("the shipped embedded program is not recognised", e);
        }
    }

    /** Installs the rules of states {@code from .. to-1}: the groups first, so no entry names a missing group. */
    void install(Bmv2Session session, int from, int to) throws IOException {
        session.insert(groups(from, to));
        session.insert(entries(from, to));
    }

    /** Deletes the rules of states {@code from .. to-1}: the entries first, so no entry names a missing group. */
    void remove(Bmv2Session session, int from, int to) throws IOException {
        session.delete(keysOf(entries(from, to)));
        session.delete(keysOf(groups(from, to)));
    }

    /** Reads the table back: a measurement of rules that are not all there would be meaningless. */
    void verify(Bmv2Session session, int rules) throws IOException {
        int entries = session.count(Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(tableId))
                .build());
        if (entries != rules) {
            throw new IOException("the switch holds " + entries + " state_forwarding entries, expected " + rules);
        }
    }

    private List<Entity> groups(int from, int to) {
        List<Entity> groups = new ArrayList<>();
        for (int state = from; state < to; state++) {
            groups.add(MulticastGroups.group(state + 1, 1L << port));
        }
        return groups;
    }

    private List<Entity> entries(int from, int to) {
        List<Entity> entries = new ArrayList<>();
        for (int state = from; state < to; state++) {
            entries.add(Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(tableId)
                    .addMatch(FieldMatch.newBuilder().setFieldId(1).setExact(FieldMatch.Exact.newBuilder()
                            .setValue(P4Values.canonical(state))))
                    .setAction(TableAction.newBuilder().setAction(Action.newBuilder().setActionId(actionId)
                            .addParams(Action.Param.newBuilder().setParamId(1)
                                    .setValue(P4Values.canonical(state + 1))))))
                    .build());
        }
        return entries;
    }

    /** The entities as a DELETE names them: a table entry by its match, a group by its ID (as the agent does). */
    private static List<Entity> keysOf(List<Entity> entities) {
        return entities.stream().map(e -> e.hasTableEntry()
                ? e.toBuilder().setTableEntry(e.getTableEntry().toBuilder().clearAction()).build()
                : MulticastGroups.group(
                        e.getPacketReplicationEngineEntry().getMulticastGroupEntry().getMulticastGroupId(), 0))
                .toList();
    }
}
