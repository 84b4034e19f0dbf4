package io.stare.p4.entity;

import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import java.util.OptionalInt;
import java.util.OptionalLong;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.TableEntry;

/**
 * An entry of both programs' {@code ipv4_lpm} table (non-STARE traffic): a prefix forwarded out of a
 * port ({@code forward(port)}), or dropped ({@code drop_no_route()}).
 */
public final class Ipv4RouteCodec implements EntityCodec<Ipv4RouteCodec.Route> {

    /** {@code address/prefixLength}: {@code forward(port)}, or drop when {@code port} is empty. */
    public record Route(int address, int prefixLength, OptionalInt port) {
    }

    /** The key of a route: all a DELETE carries. */
    public record Prefix(int address, int prefixLength) {
    }

    private static final int PORT_BITS = 9;

    private final int tableId;
    private final int forward;
    private final int drop;

    Ipv4RouteCodec(StareProgram program) {
        this.tableId = StareEntities.id(program, program.tableId("ipv4_lpm"), "table ipv4_lpm");
        this.forward = StareEntities.id(program, program.actionId("forward"), "action forward");
        this.drop = StareEntities.id(program, program.actionId("drop_no_route"), "action drop_no_route");
    }

    public int tableId() {
        return tableId;
    }

    /** The id of {@code drop_no_route}, the table's default action. */
    public int defaultActionId() {
        return drop;
    }

    @Override
    public Entity encode(Route route) {
        return TableEntries.entity(TableEntry.newBuilder().setTableId(tableId)
                .addMatch(FieldMatch.newBuilder().setFieldId(1).setLpm(FieldMatch.LPM.newBuilder()
                        .setValue(P4Values.canonical(Integer.toUnsignedLong(route.address())))
                        .setPrefixLen(route.prefixLength())))
                .setAction(route.port().isPresent() ? TableEntries.action(forward, route.port().getAsInt())
                        : TableEntries.action(drop)));
    }

    @Override
    public Decoded<Route> decode(Entity entity) {
        Decoded<Prefix> prefix = decodeKey(entity);
        if (!prefix.isOk()) {
            return prefix.map(p -> null);
        }
        Prefix key = prefix.orElseThrow();
        TableEntry entry = entity.getTableEntry();
        OptionalLong port = TableEntries.param(entry, forward, PORT_BITS);
        if (port.isPresent()) {
            return Decoded.ok(new Route(key.address(), key.prefixLength(), OptionalInt.of((int) port.getAsLong())));
        }
        if (TableEntries.isBareAction(entry, drop)) {
            return Decoded.ok(new Route(key.address(), key.prefixLength(), OptionalInt.empty()));
        }
        return Decoded.invalid("ipv4_lpm takes forward(port) or drop_no_route()");
    }

    /** The prefix of an entry's key. */
    public Decoded<Prefix> decodeKey(Entity entity) {
        TableEntry entry = entity.getTableEntry();
        if (!entity.hasTableEntry() || entry.getTableId() != tableId) {
            return Decoded.invalid("not an ipv4_lpm entry");
        }
        if (entry.getMatchCount() != 1 || entry.getMatch(0).getFieldId() != 1 || !entry.getMatch(0).hasLpm()) {
            return Decoded.invalid("ipv4_lpm needs one LPM match on field 1 (hdr.ipv4.dst_addr)");
        }
        FieldMatch.LPM match = entry.getMatch(0).getLpm();
        OptionalLong address = P4Values.parse(match.getValue(), 32);
        if (address.isEmpty() || match.getPrefixLen() < 1 || match.getPrefixLen() > 32) {
            return Decoded.invalid("ipv4_lpm match needs a 32-bit address and a prefix length 1..32");
        }
        return Decoded.ok(new Prefix((int) address.getAsLong(), match.getPrefixLen()));
    }

    /** The default entry as the program declares it ({@code drop_no_route()}), as a Read returns it. */
    public Entity defaultEntry() {
        return TableEntries.entity(TableEntry.newBuilder().setTableId(tableId).setIsDefaultAction(true)
                .setAction(TableEntries.action(drop)));
    }

    /** A filter reading every route. */
    public Entity filter() {
        return TableEntries.entity(TableEntry.newBuilder().setTableId(tableId));
    }
}
