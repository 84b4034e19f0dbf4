package io.stare.p4.program;

import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.EmbeddedPipeline;
import io.stare.p4.pipeline.Pipeline;
import io.stare.p4.pipeline.RegisterPipeline;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import p4.config.v1.P4Info;

/**
 * A P4Info recognised as one of STARE's programs, with every id the software switch needs looked
 * up once: the one place where P4Info names become numbers (P4Info ids are assigned by p4c, so
 * they are never hard-coded).
 *
 * <p>A program is recognised by {@code pkg_info.name} ({@code stare_register} or
 * {@code stare_embedded}, set by {@code @pkginfo} in the sources) and must declare the tables,
 * actions, registers and controller headers the pipeline implements; anything else is refused
 * with a message saying what is missing.
 */
public final class StareProgram {

    /** Which of the two pipelines a program is. */
    public enum Mode {
        REGISTER("stare_register"),
        EMBEDDED("stare_embedded");

        private final String packageName;

        Mode(String packageName) {
            this.packageName = packageName;
        }

        /** The {@code pkg_info.name} the program declares. */
        public String packageName() {
            return packageName;
        }
    }

    /** A P4Info that is not a STARE program, and why. */
    public static final class UnsupportedProgramException extends Exception {
        UnsupportedProgramException(String message) {
            super(message);
        }
    }

    private final P4Info p4Info;
    private final Mode mode;
    private final Map<String, Integer> tables = new HashMap<>();
    private final Map<String, Integer> actions = new HashMap<>();
    private final Map<String, Integer> registers = new HashMap<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Map<Integer, Integer> registerSizes = new HashMap<>();
    private final Map<Integer, Integer> registerWidths = new HashMap<>();
    private final int statePortsWidth;
    private final int stateCapacity;
    private final int stateTableSize;

    private StareProgram(P4Info p4Info, Mode mode) throws UnsupportedProgramException {
        this.p4Info = p4Info;
        this.mode = mode;
        p4Info.getTablesList().forEach(t -> tables.put(t.getPreamble().getAlias(), t.getPreamble().getId()));
        p4Info.getActionsList().forEach(a -> actions.put(a.getPreamble().getAlias(), a.getPreamble().getId()));
        p4Info.getCountersList().forEach(c -> counters.put(c.getPreamble().getAlias(), c.getPreamble().getId()));
        p4Info.getRegistersList().forEach(r -> {
            registers.put(r.getPreamble().getAlias(), r.getPreamble().getId());
            registerSizes.put(r.getPreamble().getId(), (int) r.getSize());
            registerWidths.put(r.getPreamble().getId(), r.getTypeSpec().getBitstring().getBit().getBitwidth());
        });
        require(tables, "table", "ipv4_lpm");
        require(actions, "action", "forward");
        require(actions, "action", "drop_no_route");
        require(counters, "counter", "drops");
        requirePacketMetadata("packet_in");
        requirePacketMetadata("packet_out");
        // The software switch speaks the controller headers with CpuHeaders' field ids; a program
        // whose P4Info numbers them differently would be misread, so it is refused.
        for (CpuHeaders.PacketIn.Field field : CpuHeaders.PacketIn.Field.values()) {
            requireMetadataId("packet_in", field.name().toLowerCase(java.util.Locale.ROOT), field.id());
        }
        for (CpuHeaders.PacketOut.Field field : CpuHeaders.PacketOut.Field.values()) {
            String name = field == CpuHeaders.PacketOut.Field.PAD ? "_pad" : field.name().toLowerCase(java.util.Locale.ROOT);
            requireMetadataId("packet_out", name, field.id());
        }
        if (mode == Mode.REGISTER) {
            require(tables, "table", "tree_ports");
            require(actions, "action", "set_tree_ports");
            require(registers, "register", "state_ports");
            require(registers, "register", "clone_flag");
            int statePorts = registers.get("state_ports");
            statePortsWidth = registerWidths.get(statePorts);
            stateCapacity = registerSizes.get(statePorts);
            if (statePortsWidth < 1 || statePortsWidth > Pipeline.MAX_PORTS) {
                throw new UnsupportedProgramException("state_ports is " + statePortsWidth
                        + " bits wide; the software switch supports 1.." + Pipeline.MAX_PORTS + " ports");
            }
            stateTableSize = 0;
        } else {
            require(tables, "table", "state_forwarding");
            require(actions, "action", "set_group");
            require(actions, "action", "drop_no_subscriber");
            statePortsWidth = 0;
            stateCapacity = 0;
            stateTableSize = (int) p4Info.getTablesList().stream()
                    .filter(t -> t.getPreamble().getAlias().equals("state_forwarding"))
                    .findFirst().orElseThrow().getSize();
        }
    }

    /** Recognises a P4Info as a STARE program, or says why it is not one. */
    public static StareProgram recognise(P4Info p4Info) throws UnsupportedProgramException {
        String name = p4Info.getPkgInfo().getName();
        for (Mode mode : Mode.values()) {
            if (mode.packageName().equals(name)) {
                if (!p4Info.getPkgInfo().getArch().equals("v1model")) {
                    throw new UnsupportedProgramException("program " + name + " is for architecture '"
                            + p4Info.getPkgInfo().getArch() + "', the software switch runs v1model");
                }
                return new StareProgram(p4Info, mode);
            }
        }
        throw new UnsupportedProgramException("not a STARE program: pkg_info.name is '" + name
                + "', expected stare_register or stare_embedded");
    }

    /**
     * A fresh pipeline for this program, with empty tables, as a switch has right after the push.
     *
     * @param switchPorts front ports of the switch (the embedded pipeline is sized to them)
     */
    public Pipeline newPipeline(int switchPorts) {
        return switch (mode) {
            case REGISTER -> new RegisterPipeline(statePortsWidth, stateCapacity);
            case EMBEDDED -> new EmbeddedPipeline(switchPorts, stateTableSize);
        };
    }

    public P4Info p4Info() {
        return p4Info;
    }

    public Mode mode() {
        return mode;
    }

    /** The id of a table by its alias, if the program has it. */
    public Optional<Integer> tableId(String alias) {
        return Optional.ofNullable(tables.get(alias));
    }

    /** The id of an action by its alias, if the program has it. */
    public Optional<Integer> actionId(String alias) {
        return Optional.ofNullable(actions.get(alias));
    }

    /** The id of a register by its alias, if the program has it. */
    public Optional<Integer> registerId(String alias) {
        return Optional.ofNullable(registers.get(alias));
    }

    /** The id of a counter by its alias, if the program has it. */
    public Optional<Integer> counterId(String alias) {
        return Optional.ofNullable(counters.get(alias));
    }

    /** The width in bits of a register's cells. */
    public int registerWidth(int registerId) {
        return registerWidths.getOrDefault(registerId, 0);
    }

    /** The number of cells of a register. */
    public int registerSize(int registerId) {
        return registerSizes.getOrDefault(registerId, 0);
    }

    /** The {@code controller_packet_metadata} id of a named field of packet_in or packet_out. */
    public Optional<Integer> packetMetadataId(String header, String field) {
        return p4Info.getControllerPacketMetadataList().stream()
                .filter(m -> m.getPreamble().getName().equals(header))
                .flatMap(m -> m.getMetadataList().stream())
                .filter(f -> f.getName().equals(field))
                .map(f -> f.getId())
                .findFirst();
    }

    private static void require(Map<String, Integer> ids, String kind, String alias)
            throws UnsupportedProgramException {
        if (!ids.containsKey(alias)) {
            throw new UnsupportedProgramException("the P4Info lacks " + kind + " '" + alias + "'");
        }
    }

    private void requireMetadataId(String header, String field, int id) throws UnsupportedProgramException {
        Optional<Integer> actual = packetMetadataId(header, field);
        if (actual.isEmpty() || actual.get() != id) {
            throw new UnsupportedProgramException("controller header " + header + " must have field '" + field
                    + "' with id " + id + " (has " + actual.map(String::valueOf).orElse("none") + ")");
        }
    }

    private void requirePacketMetadata(String header) throws UnsupportedProgramException {
        boolean present = p4Info.getControllerPacketMetadataList().stream()
                .anyMatch(m -> m.getPreamble().getName().equals(header));
        if (!present) {
            throw new UnsupportedProgramException("the P4Info lacks controller header '" + header + "'");
        }
    }
}
