package io.stare.actors.middleware.gateway;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per source address, how many of its connections ended before a handshake (junk, silence, a
 * refused TLS handshake), and whether the gateway refuses it for a while: after {@code strikes}
 * such connections within {@code window}, new connections from the address are closed at once,
 * before a session, a decoder or a TLS engine is made for them, for {@code ban}; each ban after
 * another doubles, up to {@code longestBan}. A handshake from the address forgets its record. So a
 * stranger's junk costs an accept, not a session, and the cost of a flood is bounded by the first
 * strikes of each ban.
 *
 * <p>On loopback every local process shares 127.0.0.1: a banned address includes the VNFs of the
 * server, whose new connections are refused until the ban ends (connected ones are untouched; the
 * clients reconnect with backoff). At most {@value #TRACKED} addresses are remembered, the least
 * recently seen forgotten first. Thread-safe.
 */
public final class SourceLimits {

    /** The most addresses remembered at once. */
    static final int TRACKED = 4096;

    /**
     * @param strikes connections without a handshake that start a ban; 0 disables the limits
     * @param window how long a strike counts
     * @param ban the first ban's length
     * @param longestBan the longest ban (each following ban doubles up to it)
     * @param acceptsWhileBanned connections the gateway accepts per second, from anyone, while some
     *     address is banned: the others wait in the kernel's backlog (or are dropped there), so a
     *     flood of connections costs the gateway no more than this many accepts a second
     */
    public record Settings(int strikes, Duration window, Duration ban, Duration longestBan, int acceptsWhileBanned) {
        /** No limit: every connection is served. */
        public static final Settings OFF = new Settings(0, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1);

        public Settings {
            if (strikes < 0 || window.isNegative() || window.isZero() || ban.isNegative() || ban.isZero()
                    || longestBan.compareTo(ban) < 0 || acceptsWhileBanned < 1) {
                throw new IllegalArgumentException("source-limit needs strikes >= 0, window > 0, 0 < ban <= max-ban "
                        + "and accepts-while-banned >= 1");
            }
        }
    }

    private static final class Record {
        int strikes;
        long firstStrikeAt;
        long bannedUntil;
        long nextBanNanos;
    }

    private final Settings settings;
    private final LongSupplier nanos;
    /** When the latest ban ends. */
    private long bansEnd;
    private final Map<InetAddress, Record> records = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Record> eldest) {
            return size() > TRACKED;
        }
    };

    /** @param nanos the clock, as {@link System#nanoTime()} */
    SourceLimits(Settings settings, LongSupplier nanos) {
        this.settings = settings;
        this.nanos = nanos;
    }

    /** Whether a new connection from {@code source} is served (false while it is banned). */
    synchronized boolean admits(InetAddress source) {
        if (settings.strikes() == 0) {
            return true;
        }
        Record record = records.get(source);
        return record == null || nanos.getAsLong() - record.bannedUntil >= 0;
    }

    /** A connection from {@code source} completed its handshake: the address is in good standing. */
    synchronized void handshook(InetAddress source) {
        records.remove(source);
    }

    /**
     * A connection from {@code source} ended before its handshake.
     *
     * @return whether this strike started a ban
     */
    synchronized boolean failed(InetAddress source) {
        if (settings.strikes() == 0) {
            return false;
        }
        long now = nanos.getAsLong();
        Record record = records.computeIfAbsent(source, s -> new Record());
        if (record.strikes == 0 || now - record.firstStrikeAt > settings.window().toNanos()) {
            record.strikes = 0;
            record.firstStrikeAt = now;
        }
        if (++record.strikes < settings.strikes()) {
            return false;
        }
        long ban = record.nextBanNanos == 0 ? settings.ban().toNanos() : record.nextBanNanos;
        record.bannedUntil = now + ban;
        bansEnd = bansEnd - record.bannedUntil < 0 ? record.bannedUntil : bansEnd;
        record.nextBanNanos = Math.min(2 * ban, settings.longestBan().toNanos());
        record.strikes = 0;
        return true;
    }

    /** Whether some address is banned now: then accepting slows to {@code acceptsWhileBanned} a second. */
    synchronized boolean anyBanned() {
        return settings.strikes() > 0 && nanos.getAsLong() - bansEnd < 0;
    }

    /** How long {@code source} stays banned from now (zero if it is not). */
    synchronized Duration banLeft(InetAddress source) {
        Record record = records.get(source);
        long left = record == null ? 0 : record.bannedUntil - nanos.getAsLong();
        return Duration.ofNanos(Math.max(0, left));
    }
}
