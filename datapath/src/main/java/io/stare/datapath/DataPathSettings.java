package io.stare.datapath;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code stare.datapath} settings (documented in this module's {@code reference.conf}).
 *
 * @param dispatcher the dispatcher id a data path's stream runs on (one thread per data path)
 * @param receiveBuffer bytes of the buffer one duty cycle receives into
 * @param maxDatagramsPerCycle datagrams one cycle reads from one port at most
 * @param egressBuffer bytes each port buffers for sending
 * @param socketReceiveBuffer SO_RCVBUF of every socket
 * @param socketSendBuffer SO_SNDBUF of every socket
 * @param controlQueue control messages waiting for the data path's thread at most
 * @param idleYield how often an idle stage gives its thread back to Pekko
 * @param runIdleWork whether a thread that hands work to an idle data path may run it itself
 *     ({@link DataPath#runIfIdle}): a publish from a VNF's thread then leaves without waking the
 *     data path's thread
 */
public record DataPathSettings(String dispatcher, int receiveBuffer, int maxDatagramsPerCycle, int egressBuffer,
                               int socketReceiveBuffer, int socketSendBuffer, int controlQueue, Duration idleYield,
                               boolean runIdleWork) {

    /** The smallest receive buffer: two of the largest datagrams. */
    public static final int MIN_RECEIVE_BUFFER = 2 * 65_536;

    public DataPathSettings {
        if (receiveBuffer < MIN_RECEIVE_BUFFER) {
            throw new IllegalArgumentException("receive-buffer " + receiveBuffer + " is below " + MIN_RECEIVE_BUFFER);
        }
        if (maxDatagramsPerCycle < 1) {
            throw new IllegalArgumentException("max-datagrams-per-cycle " + maxDatagramsPerCycle + " must be positive");
        }
        if (egressBuffer < 65_536) {
            throw new IllegalArgumentException("egress-buffer " + egressBuffer + " must hold the largest datagram (64 KiB)");
        }
        if (socketReceiveBuffer < 1 || socketSendBuffer < 1 || controlQueue < 1) {
            throw new IllegalArgumentException("socket buffers and the control queue must be positive");
        }
        if (idleYield.isNegative() || idleYield.isZero()) {
            throw new IllegalArgumentException("idle-yield " + idleYield + " must be positive");
        }
    }

    /** The same settings with another control queue (a middleware sizes it from its own settings). */
    public DataPathSettings withControlQueue(int newControlQueue) {
        return new DataPathSettings(dispatcher, receiveBuffer, maxDatagramsPerCycle, egressBuffer, socketReceiveBuffer,
                socketSendBuffer, newControlQueue, idleYield, runIdleWork);
    }

    /** The same settings with callers running work on an idle data path ({@code true}) or never. */
    public DataPathSettings withRunIdleWork(boolean run) {
        return new DataPathSettings(dispatcher, receiveBuffer, maxDatagramsPerCycle, egressBuffer, socketReceiveBuffer,
                socketSendBuffer, controlQueue, idleYield, run);
    }

    /** Reads {@code stare.datapath} from {@code config}. */
    public static DataPathSettings fromConfig(Config config) {
        Config c = config.getConfig("stare.datapath");
        return new DataPathSettings(c.getString("dispatcher"), bytes(c, "receive-buffer"),
                c.getInt("max-datagrams-per-cycle"), bytes(c, "egress-buffer"), bytes(c, "socket-receive-buffer"),
                bytes(c, "socket-send-buffer"), c.getInt("control-queue"), c.getDuration("idle-yield"),
                c.getBoolean("run-idle-work"));
    }

    private static int bytes(Config c, String key) {
        long value = c.getBytes(key);
        if (value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("stare.datapath." + key + " = " + value + " is too large");
        }
        return (int) value;
    }
}
