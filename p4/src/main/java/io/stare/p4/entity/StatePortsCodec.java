package io.stare.p4.entity;

import io.grpc.Status;
import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import java.util.OptionalLong;
import p4.v1.Entity;
import p4.v1.Index;
import p4.v1.P4Data;
import p4.v1.RegisterEntry;

/**
 * A cell of the register program's {@code state_ports}: the ports that lead to a state's
 * subscribers. Written with MODIFY (a register always has every cell), read by index or all at once.
 */
public final class StatePortsCodec implements EntityCodec<StatePortsCodec.Cell> {

    /** {@code state_ports[stateId] = mask}. */
    public record Cell(int stateId, long mask) {
    }

    private final int registerId;
    private final int width;
    private final int cells;

    StatePortsCodec(StareProgram program) {
        this.registerId = StareEntities.id(program, program.registerId("state_ports"), "register state_ports");
        this.width = program.registerWidth(registerId);
        this.cells = program.registerSize(registerId);
    }

    public int registerId() {
        return registerId;
    }

    /** P: the width of a cell, one bit per switch port. */
    public int width() {
        return width;
    }

    /** The number of cells (the compile-time STATE_CAPACITY). */
    public int cells() {
        return cells;
    }

    @Override
    public Entity encode(Cell cell) {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(registerId)
                .setIndex(Index.newBuilder().setIndex(cell.stateId()))
                .setData(P4Data.newBuilder().setBitstring(P4Values.canonical(cell.mask())))).build();
    }

    @Override
    public Decoded<Cell> decode(Entity entity) {
        RegisterEntry entry = entity.getRegisterEntry();
        if (!entity.hasRegisterEntry() || entry.getRegisterId() != registerId) {
            return Decoded.invalid("not a state_ports cell");
        }
        Decoded<Integer> index = index(entry);
        if (!index.isOk()) {
            return index.map(i -> null);
        }
        OptionalLong mask = entry.getData().hasBitstring()
                ? P4Values.parse(entry.getData().getBitstring(), width) : OptionalLong.empty();
        return mask.isPresent() ? Decoded.ok(new Cell(index.orElseThrow(), mask.getAsLong()))
                : Decoded.invalid("register data must be a bitstring of at most " + width + " bits");
    }

    /** The index of a cell named by a write or a read filter: present and within the register. */
    public Decoded<Integer> index(RegisterEntry entry) {
        if (!entry.hasIndex()) {
            return Decoded.invalid("a register cell needs an index");
        }
        long index = entry.getIndex().getIndex();
        if (index < 0 || index >= cells) {
            return Decoded.refused(Status.Code.OUT_OF_RANGE, "index " + index + " is outside 0.." + (cells - 1));
        }
        return Decoded.ok((int) index);
    }

    /** A filter reading one cell. */
    public Entity filter(int stateId) {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(registerId)
                .setIndex(Index.newBuilder().setIndex(stateId))).build();
    }

    /** A filter reading every cell. */
    public Entity filter() {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(registerId)).build();
    }
}
