package io.stare.bench.rules;

import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import p4.v1.Action;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.TableAction;
import p4.v1.TableEntry;

/**
 * Embedded-mode rules over P4Runtime, in one of two shapes:
 * <ul>
 *   <li>{@linkplain #perState as the paper's local controller wrote them}: per subscribed state, a
 *       multicast group of its own (group {@code state + 1}, one replica on the subscriber's port;
 *       group 0 means "none" in v1model) and a {@code state_forwarding} entry state → that group;</li>
 *   <li>{@linkplain #sharedGroup as STARE's own embedded controller writes them}: the states share
 *       the group of their port mask, installed once beforehand ({@link #prepare}), so a rule is
 *       the table entry only.</li>
 * </ul>
 */
final class EmbeddedRules {

    private final int tableId;
    private final int actionId;
    private final int port;
    private final boolean shared;

    private EmbeddedRules(StareProgram program, int port, boolean shared) {
        this.tableId = program.tableId("state_forwarding").orElseThrow();
        this.actionId = program.actionId("set_group").orElseThrow();
        this.port = port;
        this.shared = shared;
    }

    /** The paper's rules for the shipped embedded program: a group per state, replicating to {@code port}. */
    static EmbeddedRules perState(int port) {
        return new EmbeddedRules(embeddedProgram(), port, false);
    }

    /** STARE's rules for the shipped embedded program: every state names the group of {@code port}'s mask. */
    static EmbeddedRules sharedGroup(int port) {
        return new EmbeddedRules(embeddedProgram(), port, true);
    }

    private static StareProgram embeddedProgram() {
        try {
            return StareProgram.recognise(StarePrograms.config(StareProgram.Mode.EMBEDDED).getP4Info());
        } catch (StareProgram.UnsupportedProgramException e) {
            throw new IllegalStateException("the shipped embedded program is not recognised", e);
        }
    }

    /** What precedes any rule: the shared group, when the states share one (nothing per state). */
    void prepare(Bmv2Session session) throws IOException {
        if (shared) {
            session.insert(List.of(MulticastGroups.group(sharedGroupId(), 1L << port)));
        }
    }

    /** Installs the rules of states {@code from .. to-1}: the groups first, so no entry names a missing group. */
    void install(Bmv2Session session, int from, int to) throws IOException {
        if (!shared) {
            session.insert(groups(from, to));
        }
        session.insert(entries(from, to));
    }

    /** Deletes the rules of states {@code from .. to-1}: the entries first, so no entry names a missing group. */
    void remove(Bmv2Session session, int from, int to) throws IOException {
        session.delete(keysOf(entries(from, to)));
        if (!shared) {
            session.delete(keysOf(groups(from, to)));
        }
    }

    /** The port-mask group's ID, as the switch agent numbers it: the mask itself. */
    private int sharedGroupId() {
        return 1 << port;
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
                                    .setValue(P4Values.canonical(shared ? sharedGroupId() : state + 1))))))
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
