package io.stare.p4.softswitch;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * P4Runtime client arbitration for one device: which controller stream is primary for each role.
 *
 * <p>Every StreamChannel announces itself with a (role, election ID); per role, the stream whose
 * election ID is at least the highest the server has ever seen for the role is the primary and the
 * only one allowed to write (P4Runtime 1.1 onwards). When the primary leaves, or lowers its own ID,
 * the role has no primary until a stream claims an ID at least that high: a backup with a lower ID
 * is never promoted behind the controllers' backs. Streams without an election ID are observers and
 * never primary. When a role's primary changes, every stream of that role hears about it. This class
 * decides; the gRPC service turns its decisions into messages.
 *
 * <p>A role is known once a stream has arbitrated for it (the role scheme is agreed out of band, so
 * any name is accepted); the default role {@code ""} is always known.
 *
 * <p>Not thread-safe: the server calls it from one place.
 *
 * @param <S> the server's handle for a stream
 */
public final class Arbitration<S> {

    /** Where a stream stands in its role. */
    public enum Standing {
        /** It is the primary (status OK). */
        PRIMARY,
        /** Another stream is the primary (status ALREADY_EXISTS). */
        BACKUP,
        /** The role has no primary now (status NOT_FOUND): a stream must claim the highest ID seen. */
        NO_PRIMARY
    }

    /**
     * How one stream stands after a change: to be sent to it as a MasterArbitrationUpdate.
     *
     * @param electionId the highest election ID seen for the role (the primary's, when there is
     *     one); empty if the role never had a primary
     */
    public record Notice<S>(S stream, String role, Standing standing, Optional<BigInteger> electionId) {
    }

    /** The answer to an arbitration request: accepted with notices to send, or refused. */
    public sealed interface Outcome<S> permits Accepted, Refused {
    }

    /** The request was applied; send each notice to its stream. */
    public record Accepted<S>(List<Notice<S>> notices) implements Outcome<S> {
    }

    /** The request was refused with a gRPC status code name and a message; the stream should close. */
    public record Refused<S>(String code, String message) implements Outcome<S> {
    }

    private record Claim(String role, Optional<BigInteger> electionId) {
    }

    private final long deviceId;
    private final Map<S, Claim> claims = new LinkedHashMap<>();
    /** Highest election ID ever seen per role: only a stream holding it is primary. */
    private final Map<String, BigInteger> highestSeen = new HashMap<>();

    public Arbitration(long deviceId) {
        this.deviceId = deviceId;
    }

    public long deviceId() {
        return deviceId;
    }

    /** A stream (new or known) asks to be counted with this election ID (empty: observer). */
    public Outcome<S> arbitrate(S stream, long requestedDeviceId, String role, Optional<BigInteger> electionId) {
        Objects.requireNonNull(stream, "stream");
        if (requestedDeviceId != deviceId) {
            // On a live stream the device was already agreed: changing it is a precondition failure.
            return new Refused<>(claims.containsKey(stream) ? "FAILED_PRECONDITION" : "NOT_FOUND",
                    "device ID " + requestedDeviceId + " is not this device (" + deviceId + ")");
        }
        Claim previous = claims.get(stream);
        if (previous != null && !previous.role().equals(role)) {
            return new Refused<>("FAILED_PRECONDITION",
                    "a stream cannot change its role (from '" + previous.role() + "' to '" + role
                            + "'): open a new stream for the other role");
        }
        if (electionId.isPresent()) {
            for (Map.Entry<S, Claim> other : claims.entrySet()) {
                if (!other.getKey().equals(stream) && other.getValue().role().equals(role)
                        && other.getValue().electionId().equals(electionId)) {
                    return new Refused<>("INVALID_ARGUMENT",
                            "election ID " + electionId.get() + " is already used by another controller of role '"
                                    + role + "'");
                }
            }
            highestSeen.merge(role, electionId.get(), BigInteger::max);
        }
        Optional<S> primaryBefore = primaryOf(role);
        claims.put(stream, new Claim(role, electionId));
        Optional<S> primaryAfter = primaryOf(role);
        List<Notice<S>> notices = primaryBefore.equals(primaryAfter)
                ? List.of(noticeFor(stream, role))
                : noticesForRole(role);
        return new Accepted<>(notices);
    }

    /** A stream went away; returns what the remaining streams of its role must be told. */
    public List<Notice<S>> close(S stream) {
        Claim claim = claims.get(stream);
        if (claim == null) {
            return List.of();
        }
        Optional<S> primaryBefore = primaryOf(claim.role());
        claims.remove(stream);
        return primaryBefore.equals(Optional.of(stream)) ? noticesForRole(claim.role()) : List.of();
    }

    /** Whether a Write or pipeline push may name this role: the default one, or one a stream arbitrated for. */
    public boolean knowsRole(String role) {
        return role.isEmpty() || highestSeen.containsKey(role)
                || claims.values().stream().anyMatch(c -> c.role().equals(role));
    }

    /** Whether a request with this role and election ID comes from the role's primary. */
    public boolean isPrimary(String role, Optional<BigInteger> electionId) {
        if (electionId.isEmpty()) {
            return false;
        }
        return primaryOf(role).map(s -> claims.get(s).electionId().equals(electionId)).orElse(false);
    }

    /** The highest election ID ever seen for a role, if any. */
    public Optional<BigInteger> highestElectionId(String role) {
        return Optional.ofNullable(highestSeen.get(role));
    }

    /** Whether this stream has arbitrated. */
    public boolean knows(S stream) {
        return claims.containsKey(stream);
    }

    /** The role a stream arbitrated for, if it has. */
    public Optional<String> roleOf(S stream) {
        return Optional.ofNullable(claims.get(stream)).map(Claim::role);
    }

    /**
     * The current primary stream of a role: the one holding the highest election ID ever seen for
     * it, if that stream is still here (election IDs are unique among a role's live streams).
     */
    public Optional<S> primaryOf(String role) {
        BigInteger highest = highestSeen.get(role);
        if (highest == null) {
            return Optional.empty();
        }
        for (Map.Entry<S, Claim> entry : claims.entrySet()) {
            Claim claim = entry.getValue();
            if (claim.role().equals(role) && claim.electionId().isPresent()
                    && claim.electionId().get().compareTo(highest) >= 0) {
                return Optional.of(entry.getKey());
            }
        }
        return Optional.empty();
    }

    private List<Notice<S>> noticesForRole(String role) {
        List<Notice<S>> notices = new ArrayList<>();
        for (Map.Entry<S, Claim> entry : claims.entrySet()) {
            if (entry.getValue().role().equals(role)) {
                notices.add(noticeFor(entry.getKey(), role));
            }
        }
        return notices;
    }

    private Notice<S> noticeFor(S stream, String role) {
        Optional<S> primary = primaryOf(role);
        Standing standing = primary.isEmpty() ? Standing.NO_PRIMARY
                : primary.get().equals(stream) ? Standing.PRIMARY : Standing.BACKUP;
        return new Notice<>(stream, role, standing, Optional.ofNullable(highestSeen.get(role)));
    }
}
