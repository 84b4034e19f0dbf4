package io.stare.p4.entity;

import io.stare.p4.program.P4Values;
import java.util.OptionalLong;
import p4.v1.Action;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.TableAction;
import p4.v1.TableEntry;

/** The parts of table entries the table codecs share: actions with one parameter, exact keys. */
final class TableEntries {

    private TableEntries() {
    }

    static TableAction action(int actionId) {
        return TableAction.newBuilder().setAction(Action.newBuilder().setActionId(actionId)).build();
    }

    static TableAction action(int actionId, long param) {
        return TableAction.newBuilder().setAction(Action.newBuilder().setActionId(actionId)
                .addParams(Action.Param.newBuilder().setParamId(1).setValue(P4Values.canonical(param)))).build();
    }

    /** Whether the entry's action is {@code actionId} with no parameters. */
    static boolean isBareAction(TableEntry entry, int actionId) {
        return entry.getAction().hasAction() && entry.getAction().getAction().getActionId() == actionId
                && entry.getAction().getAction().getParamsCount() == 0;
    }

    /** The single parameter (id 1) of action {@code actionId}, if the entry has that action and the value fits. */
    static OptionalLong param(TableEntry entry, int actionId, int bitWidth) {
        if (!entry.getAction().hasAction() || entry.getAction().getAction().getActionId() != actionId) {
            return OptionalLong.empty();
        }
        Action action = entry.getAction().getAction();
        if (action.getParamsCount() != 1 || action.getParams(0).getParamId() != 1) {
            return OptionalLong.empty();
        }
        return P4Values.parse(action.getParams(0).getValue(), bitWidth);
    }

    static FieldMatch exact(long value) {
        return FieldMatch.newBuilder().setFieldId(1)
                .setExact(FieldMatch.Exact.newBuilder().setValue(P4Values.canonical(value))).build();
    }

    /** The value of the entry's one exact match on field 1, if it has exactly that and it fits. */
    static OptionalLong exactKey(TableEntry entry, int bitWidth) {
        if (entry.getMatchCount() != 1 || entry.getMatch(0).getFieldId() != 1 || !entry.getMatch(0).hasExact()) {
            return OptionalLong.empty();
        }
        return P4Values.parse(entry.getMatch(0).getExact().getValue(), bitWidth);
    }

    static Entity entity(TableEntry.Builder entry) {
        return Entity.newBuilder().setTableEntry(entry).build();
    }
}
