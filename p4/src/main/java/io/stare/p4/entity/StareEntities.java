package io.stare.p4.entity;

import io.stare.p4.program.StareProgram;
import java.util.Optional;

/**
 * The codecs of one STARE program's P4Runtime entities, with the ids of its P4Info (looked up once,
 * never hard-coded): the register program has {@link #treePorts()}, {@link #statePorts()} and
 * {@link #cloneFlag()}, the embedded one {@link #stateForwarding()}; both have {@link #ipv4Routes()},
 * and every switch the program-independent multicast groups, clone sessions, packet-ins and
 * packet-outs. Immutable; used by the switch agent and the software switch alike.
 */
public final class StareEntities {

    private final StareProgram program;
    private final Optional<TreePortsCodec> treePorts;
    private final Optional<StatePortsCodec> statePorts;
    private final Optional<CloneFlagCodec> cloneFlag;
    private final Optional<StateForwardingCodec> stateForwarding;
    private final Ipv4RouteCodec ipv4Routes;

    private StareEntities(StareProgram program) {
        this.program = program;
        boolean register = program.mode() == StareProgram.Mode.REGISTER;
        this.statePorts = register ? Optional.of(new StatePortsCodec(program)) : Optional.empty();
        this.treePorts = statePorts.map(cells -> new TreePortsCodec(program, cells.width()));
        this.cloneFlag = register ? Optional.of(new CloneFlagCodec(program)) : Optional.empty();
        this.stateForwarding = register ? Optional.empty() : Optional.of(new StateForwardingCodec(program));
        this.ipv4Routes = new Ipv4RouteCodec(program);
    }

    /** The codecs of {@code program}. */
    public static StareEntities of(StareProgram program) {
        return new StareEntities(program);
    }

    public StareProgram program() {
        return program;
    }

    /** Register mode: the {@code tree_ports} default entry. */
    public TreePortsCodec treePorts() {
        return require(treePorts, "table tree_ports");
    }

    /** Register mode: the {@code state_ports} cells. */
    public StatePortsCodec statePorts() {
        return require(statePorts, "register state_ports");
    }

    /** Register mode: the {@code clone_flag} cell. */
    public CloneFlagCodec cloneFlag() {
        return require(cloneFlag, "register clone_flag");
    }

    /** Embedded mode: the {@code state_forwarding} entries. */
    public StateForwardingCodec stateForwarding() {
        return require(stateForwarding, "table state_forwarding");
    }

    /** Whether this is the register program (else the embedded one). */
    public boolean registerMode() {
        return statePorts.isPresent();
    }

    /** Both modes: the {@code ipv4_lpm} routes. */
    public Ipv4RouteCodec ipv4Routes() {
        return ipv4Routes;
    }

    public static MulticastGroupCodec multicastGroups() {
        return MulticastGroupCodec.INSTANCE;
    }

    public static CloneSessionCodec cloneSessions() {
        return CloneSessionCodec.INSTANCE;
    }

    public static PacketInCodec packetIns() {
        return PacketInCodec.INSTANCE;
    }

    public static PacketOutCodec packetOuts() {
        return PacketOutCodec.INSTANCE;
    }

    private <C> C require(Optional<C> codec, String what) {
        return codec.orElseThrow(() -> new IllegalStateException(
                "program " + program.mode().packageName() + " has no " + what));
    }

    /** An id the program must have (a recognised program has them all). */
    static int id(StareProgram program, Optional<Integer> id, String what) {
        return id.orElseThrow(() -> new IllegalStateException(
                "program " + program.mode().packageName() + " has no " + what));
    }
}
