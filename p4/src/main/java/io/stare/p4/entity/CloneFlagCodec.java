package io.stare.p4.entity;

import io.grpc.Status;
import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import java.util.OptionalLong;
import p4.v1.Entity;
import p4.v1.Index;
import p4.v1.P4Data;
import p4.v1.RegisterEntry;

/** The register program's one-cell {@code clone_flag} (State4's reconfiguration hook). */
public final class CloneFlagCodec implements EntityCodec<Boolean> {

    private final int registerId;

    CloneFlagCodec(StareProgram program) {
        this.registerId = StareEntities.id(program, program.registerId("clone_flag"), "register clone_flag");
    }

    public int registerId() {
        return registerId;
    }

    @Override
    public Entity encode(Boolean set) {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(registerId)
                .setIndex(Index.newBuilder().setIndex(0))
                .setData(P4Data.newBuilder().setBitstring(P4Values.canonical(set ? 1 : 0)))).build();
    }

    @Override
    public Decoded<Boolean> decode(Entity entity) {
        RegisterEntry entry = entity.getRegisterEntry();
        if (!entity.hasRegisterEntry() || entry.getRegisterId() != registerId) {
            return Decoded.invalid("not the clone_flag register");
        }
        if (!entry.hasIndex()) {
            return Decoded.invalid("a register cell needs an index");
        }
        if (entry.getIndex().getIndex() != 0) {
            return Decoded.refused(Status.Code.OUT_OF_RANGE, "clone_flag has only index 0");
        }
        OptionalLong value = entry.getData().hasBitstring()
                ? P4Values.parse(entry.getData().getBitstring(), 1) : OptionalLong.empty();
        return value.isPresent() ? Decoded.ok(value.getAsLong() == 1)
                : Decoded.invalid("clone_flag data must be a 1-bit bitstring");
    }

    /** A filter reading the flag. */
    public Entity filter() {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(registerId)).build();
    }
}
