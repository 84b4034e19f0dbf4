package io.stare.actors.middleware;

import com.typesafe.config.Config;
import io.stare.protocol.control.ControlChecks;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.segment.ReassemblyConfig;
import io.stare.protocol.segment.Segmenter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How one server's middleware runs. Read from {@code stare.middleware} ({@link #fromConfig}); every
 * key is documented in {@code reference.conf}.
 *
 * @param serverId the middleware's name towards the replica controller (RegisterVnf's middlewareId,
 *     the subscriberId of RECOVER and truncation), unique per server
 * @param senderId the VNF_ID field of this server's SUB-register / SUB-remove frames, 0..1023
 * @param switchPort the UDP address of the software-switch port this server is attached to
 * @param mtu the largest packet (IPv4 total length) a publish segment may take
 * @param arqTimeout wait for the first switch's SUB-ack before the first retransmission
 * @param arqMaxTimeout the longest wait (it doubles per retransmission)
 * @param arqLimit retransmissions of one SUB message before the subscription is reported failed
 * @param controlTimeout bound on every request to the replica controller
 * @param sendQueue frames MAIN SEND buffers before it drops (and counts)
 * @param controlQueue inputs the receive path buffers besides frames (recovered segments, timers)
 * @param inboundQueue per VNF: updates the INT module buffers towards a slow VNF before it drops
 *     them (and tells the VNF of the loss)
 * @param outboundQueue per VNF: publishes the INT module buffers towards the EXT module before
 *     refusing new ones as back-pressured
 * @param unconfirmedAppends updates the EXT module keeps while the backlog has not confirmed them;
 *     at the bound new publishes are refused as back-pressured
 * @param tick how often the receive path runs the reassembler's timers and the EXT module resends
 *     unconfirmed appends
 * @param latestPoll how often each subscribed state's newest update is asked of the controller, so
 *     that a lost last update is noticed (zero disables it)
 * @param reassembly the reassembler's limits and timers
 */
public record MiddlewareSettings(String serverId, int senderId, InetSocketAddress switchPort, int mtu,
                                 Duration arqTimeout, Duration arqMaxTimeout, int arqLimit,
                                 Duration controlTimeout, int sendQueue, int controlQueue,
                                 int inboundQueue, int outboundQueue, int unconfirmedAppends,
                                 Duration tick, Duration latestPoll, ReassemblyConfig reassembly) {

    public MiddlewareSettings {
        ControlChecks.name("serverId", serverId);
        ControlChecks.vnfId("senderId", senderId);
        Objects.requireNonNull(switchPort, "switchPort");
        if (mtu < Segmenter.MIN_MTU || mtu > Segmenter.MAX_MTU) {
            throw new IllegalArgumentException("mtu " + mtu + " is out of range " + Segmenter.MIN_MTU + ".."
                    + Segmenter.MAX_MTU);
        }
        if (arqTimeout.isZero() || arqTimeout.isNegative() || arqMaxTimeout.compareTo(arqTimeout) < 0 || arqLimit < 0) {
            throw new IllegalArgumentException("arq needs 0 < timeout <= max-timeout and limit >= 0");
        }
        positive("control-timeout", controlTimeout);
        positive("tick", tick);
        if (latestPoll.isNegative()) {
            throw new IllegalArgumentException("latest-poll must not be negative");
        }
        if (sendQueue < 1 || controlQueue < 1 || inboundQueue < 1 || outboundQueue < 1 || unconfirmedAppends < 1) {
            throw new IllegalArgumentException("queue sizes must be positive");
        }
        Objects.requireNonNull(reassembly, "reassembly").requireCapacityFor(
                StareHeader.MAX_SEGMENTS * (mtu - io.stare.protocol.packet.StarePacket.OVERHEAD));
    }

    /** Reads {@code stare.middleware} (give it the whole configuration, e.g. {@code system.settings().config()}). */
    public static MiddlewareSettings fromConfig(Config config) {
        Config c = config.getConfig("stare.middleware");
        Config r = c.getConfig("reassembly");
        ReassemblyConfig reassembly = new ReassemblyConfig(r.getBytes("max-bytes-per-stream").intValue(),
                r.getBytes("max-bytes-per-peer"), r.getInt("max-pending-updates"),
                r.getDuration("reorder-grace").toMillis(), r.getDuration("retry").toMillis(),
                r.getInt("max-attempts"), r.getInt("max-request-entries"));
        String switchPort = c.getString("switch-port");
        int colon = switchPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("stare.middleware.switch-port must be host:port, got '" + switchPort + "'");
        }
        return new MiddlewareSettings(c.getString("server-id"), c.getInt("sender-id"),
                new InetSocketAddress(switchPort.substring(0, colon), Integer.parseInt(switchPort.substring(colon + 1))),
                c.getInt("mtu"), c.getDuration("arq.timeout"), c.getDuration("arq.max-timeout"), c.getInt("arq.limit"),
                c.getDuration("control-timeout"), c.getInt("send-queue"), c.getInt("control-queue"),
                c.getInt("inbound-queue"), c.getInt("outbound-queue"), c.getInt("unconfirmed-appends"),
                c.getDuration("tick"), c.getDuration("latest-poll"), reassembly);
    }

    /** The same settings for another server on another switch port (tests start several). */
    public MiddlewareSettings forServer(String newServerId, int newSenderId, InetSocketAddress newSwitchPort) {
        return new MiddlewareSettings(newServerId, newSenderId, newSwitchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick,
                latestPoll, reassembly);
    }

    /** The same settings with another SUB-* ARQ. */
    public MiddlewareSettings withArq(Duration timeout, Duration maxTimeout, int limit) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, timeout, maxTimeout, limit, controlTimeout,
                sendQueue, controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick, latestPoll, reassembly);
    }

    /** The same settings with other INT queue sizes. */
    public MiddlewareSettings withIntQueues(int inbound, int outbound) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inbound, outbound, unconfirmedAppends, tick, latestPoll,
                reassembly);
    }

    /** The same settings with another period of latest-update queries (zero disables them). */
    public MiddlewareSettings withLatestPoll(Duration period) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick, period,
                reassembly);
    }

    private static void positive(String name, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }
}
