package io.stare.actors.agent;

import com.typesafe.config.Config;
import io.stare.actors.arq.Backoff;
import io.stare.p4.program.StareProgram;
import io.stare.p4.runtime.Uint128s;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Objects;

/**
 * How one switch agent runs: which switch it controls, as whom, in which mode, and its timeouts.
 * The tunables have defaults in {@code reference.conf} under {@code stare.agent}
 * ({@link #fromConfig}).
 *
 * @param host the switch's P4Runtime address
 * @param port the switch's P4Runtime port
 * @param deviceId the P4Runtime device ID of the switch
 * @param electionId this agent's election ID (the highest connected one is primary), 0..2^128-1
 * @param role the P4Runtime role; empty is the default role, the only one that gets packet-ins
 * @param mode which STARE program the agent pushes and runs
 * @param treePorts the switch's tree-port mask (from the spanning tree)
 * @param embeddedPorts embedded mode: P, the switch's front ports (register mode reads P from the
 *     program's {@code state_ports} width)
 * @param reconnectMin first delay before reconnecting after the stream ends
 * @param reconnectMax the longest delay between reconnection attempts
 * @param rpcTimeout bound on every unary RPC (Write, pipeline push) and on every Read
 * @param arqTimeout first wait for a neighbour's SUB-ack before repeating a propagated SUB message
 * @param arqMaxTimeout the longest such wait (the wait doubles per retransmission up to it)
 * @param arqLimit retransmissions of one propagated SUB message before giving up
 * @param state4 register mode: State4 reconfiguration (register access, automatic growth)
 * @param tlsDirectory P4Runtime over TLS 1.3 with this agent's certificate, from a directory of
 *     {@code tls.key}, {@code tls.crt} and {@code ca.crt} (read again at every connection, so a
 *     rotated certificate is used without a restart); empty: plain text
 */
public record AgentSettings(String host, int port, long deviceId, BigInteger electionId, String role,
                            StareProgram.Mode mode, long treePorts, int embeddedPorts,
                            Duration reconnectMin, Duration reconnectMax, Duration rpcTimeout,
                            Duration arqTimeout, Duration arqMaxTimeout, int arqLimit, State4 state4,
                            String tlsDirectory) {

    /**
     * Register mode's State4 reconfiguration, under {@code stare.agent.state4} (defaults apply
     * when the section is absent).
     *
     * @param registerAccess how {@code state_ports} and {@code clone_flag} are read and written:
     *     {@code auto} tries P4Runtime and falls back to in-band on UNIMPLEMENTED (BMv2)
     * @param growAt automatic growth: when the agent sees a state change at an index at or above
     *     this fraction of the capacity, it reconfigures to the next larger shipped capacity
     *     (0 disables it). The agent sees changes that propagate (and, while cloning, all changes)
     * @param inBandWindow in-band packet-outs awaiting their answer at most
     * @param keepCloneFlag keep {@code clone_flag} set while serving, not only during a
     *     reconfiguration: the agent then hears of every state change (not only those that
     *     propagate), so what it restores after a switch restart is exact, and automatic growth sees
     *     every new state; the price is one packet-in per state change
     */
    public record State4(RegisterAccess.Choice registerAccess, double growAt, int inBandWindow,
                         boolean keepCloneFlag) {
        /** auto access, growth at 90 % of the capacity, 64 packet-outs in flight, flag only while reconfiguring. */
        public static final State4 DEFAULTS = new State4(RegisterAccess.Choice.AUTO, 0.9, 64, false);

        public State4 {
            Objects.requireNonNull(registerAccess, "registerAccess");
            if (growAt < 0 || growAt > 1 || inBandWindow < 1 || inBandWindow > 512) {
                throw new IllegalArgumentException("state4 needs 0 <= grow-at <= 1 and 1 <= in-band-window <= 512");
            }
        }

        static State4 fromConfig(Config agent) {
            if (!agent.hasPath("state4")) {
                return DEFAULTS;
            }
            Config c = agent.getConfig("state4").withFallback(com.typesafe.config.ConfigFactory.parseMap(java.util.Map.of(
                    "register-access", "auto", "grow-at", DEFAULTS.growAt(), "in-band-window", DEFAULTS.inBandWindow(),
                    "keep-clone-flag", DEFAULTS.keepCloneFlag())));
            return new State4(RegisterAccess.Choice.valueOf(c.getString("register-access").toUpperCase(java.util.Locale.ROOT)
                    .replace('-', '_')), c.getDouble("grow-at"), c.getInt("in-band-window"), c.getBoolean("keep-clone-flag"));
        }
    }

    /** Settings with the default {@link State4} parameters, P4Runtime in plain text. */
    public AgentSettings(String host, int port, long deviceId, BigInteger electionId, String role,
                         StareProgram.Mode mode, long treePorts, int embeddedPorts,
                         Duration reconnectMin, Duration reconnectMax, Duration rpcTimeout,
                         Duration arqTimeout, Duration arqMaxTimeout, int arqLimit) {
        this(host, port, deviceId, electionId, role, mode, treePorts, embeddedPorts, reconnectMin, reconnectMax,
                rpcTimeout, arqTimeout, arqMaxTimeout, arqLimit, State4.DEFAULTS, "");
    }

    public AgentSettings {
        Objects.requireNonNull(state4, "state4");
        tlsDirectory = Objects.requireNonNull(tlsDirectory, "tlsDirectory").trim();
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(mode, "mode");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("P4Runtime port " + port + " is out of range 1..65535");
        }
        Uint128s.toProto(electionId); // refuses negative and over-wide election IDs
        if (reconnectMin.isNegative() || reconnectMin.isZero() || reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("reconnect backoff needs 0 < min <= max, got " + reconnectMin
                    + " and " + reconnectMax);
        }
        if (arqTimeout.isNegative() || arqTimeout.isZero() || arqMaxTimeout.compareTo(arqTimeout) < 0 || arqLimit < 0) {
            throw new IllegalArgumentException("ARQ needs 0 < timeout <= max timeout and a limit >= 0");
        }
        if (embeddedPorts < 1 || embeddedPorts > 16) {
            throw new IllegalArgumentException("embedded ports " + embeddedPorts + " is out of range 1..16");
        }
    }

    /**
     * Settings for one switch with the tunables of {@code config}'s {@code stare.agent} section.
     */
    public static AgentSettings fromConfig(Config config, String host, int port, long deviceId, BigInteger electionId,
                                           StareProgram.Mode mode, long treePorts) {
        Config agent = config.getConfig("stare.agent");
        return new AgentSettings(host, port, deviceId, electionId, agent.getString("role"), mode, treePorts,
                agent.getInt("embedded-ports"),
                agent.getDuration("reconnect.min-backoff"), agent.getDuration("reconnect.max-backoff"),
                agent.getDuration("rpc-timeout"),
                agent.getDuration("arq.timeout"), agent.getDuration("arq.max-timeout"), agent.getInt("arq.limit"),
                State4.fromConfig(agent), agent.getString("tls-directory"));
    }

    /** {@code host:port}, for messages. */
    public String target() {
        return host + ":" + port;
    }

    /** The same settings with another election ID. */
    public AgentSettings withElectionId(BigInteger id) {
        return new AgentSettings(host, port, deviceId, id, role, mode, treePorts, embeddedPorts, reconnectMin,
                reconnectMax, rpcTimeout, arqTimeout, arqMaxTimeout, arqLimit, state4, tlsDirectory);
    }

    /** The same settings with other State4 parameters. */
    public AgentSettings withState4(State4 other) {
        return new AgentSettings(host, port, deviceId, electionId, role, mode, treePorts, embeddedPorts, reconnectMin,
                reconnectMax, rpcTimeout, arqTimeout, arqMaxTimeout, arqLimit, other, tlsDirectory);
    }

    /** The same settings with other ARQ parameters. */
    public AgentSettings withArq(Duration timeout, Duration maxTimeout, int limit) {
        return new AgentSettings(host, port, deviceId, electionId, role, mode, treePorts, embeddedPorts, reconnectMin,
                reconnectMax, rpcTimeout, timeout, maxTimeout, limit, state4, tlsDirectory);
    }

    /** The same settings with P4Runtime over TLS from {@code directory} (empty: plain text). */
    public AgentSettings withTlsDirectory(String directory) {
        return new AgentSettings(host, port, deviceId, electionId, role, mode, treePorts, embeddedPorts, reconnectMin,
                reconnectMax, rpcTimeout, arqTimeout, arqMaxTimeout, arqLimit, state4, directory);
    }

    /**
     * The wait before reconnection attempt {@code attempt} (0 for the first after a failure):
     * {@code reconnectMin * 2^attempt}, at most {@code reconnectMax}.
     */
    public Duration reconnectDelay(int attempt) {
        return Backoff.exponential(reconnectMin, reconnectMax, attempt);
    }

}
