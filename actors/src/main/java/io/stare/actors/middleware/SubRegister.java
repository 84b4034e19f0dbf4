package io.stare.actors.middleware;

import io.stare.actors.arq.ArqCounters;
import io.stare.actors.arq.SubRetransmissions;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.frame.ServerFrames;
import io.stare.protocol.header.StareHeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Where one server stands with the network for each state it receives from elsewhere, as pure
 * logic: the SUB-register and SUB-remove it sent towards its first switch (one per server per
 * state), the local subscribers waiting for the SUB-ack, and the SUB-* RESEND that repeats a SUB
 * message with exponential backoff until the ack comes or the limit is reached.
 *
 * <p>Each method returns what the EXT module must do (frames to send, subscribers to answer); it
 * sends nothing itself. Time is the injected nanosecond clock, so tests drive it by hand.
 * Not thread-safe: the EXT module drives it.
 */
final class SubRegister {

    /** The phases of one state's registration. */
    enum Phase {
        /** SUB-register sent, no SUB-ack yet (or the ack came and the backlog's newest update is being asked). */
        REGISTERING,
        /** Acknowledged: the state's updates are routed to its local subscribers. */
        ACTIVE,
        /** SUB-remove sent, no SUB-ack yet. */
        REMOVING
    }

    /** One state's registration; the EXT module holds it only to hand it back ({@link #activate}). */
    static final class Registration {
        final int stateId;
        final int publisherVnfId;
        private Phase phase = Phase.REGISTERING;
        private final List<Middleware.Subscribe> waiting = new ArrayList<>();

        private Registration(int stateId, int publisherVnfId) {
            this.stateId = stateId;
            this.publisherVnfId = publisherVnfId;
        }

        Phase phase() {
            return phase;
        }
    }

    /** What {@link #subscribe} decided. */
    sealed interface Join {
    }

    /** The first local subscriber: join the state's tree, then send this SUB-register. */
    record Register(byte[] frame) implements Join {
    }

    /** A SUB-register is under way: the subscriber is answered with the others once it is acknowledged. */
    record Waiting() implements Join {
    }

    /** The server already receives the state: the subscriber is answered now. */
    record AlreadyActive() implements Join {
    }

    /** What {@link #leave} decided: answer {@code waiting} as failed, send the SUB-remove {@code frame}. */
    record Leave(List<Middleware.Subscribe> waiting, byte[] frame) {
        Leave {
            waiting = List.copyOf(waiting);
        }
    }

    /** What a SUB-ack completed. */
    enum Acked {
        /** A duplicate or stale ack, or for no state this server registers. */
        NOTHING,
        /** The SUB-register: ask the backlog's newest update, then {@link #activate}. */
        REGISTERED,
        /** The SUB-remove: the registration is gone; the server leaves the state's groups. */
        REMOVED
    }

    /**
     * A registration became active: the main path streams the state from {@code resumeFrom}, and
     * the {@code subscribed} waiting subscribers are answered.
     */
    record Activated(int stateId, int publisherVnfId, long resumeFrom, List<Middleware.Subscribe> subscribed) {
        Activated {
            subscribed = List.copyOf(subscribed);
        }
    }

    /** A registration given up after every retransmission; {@code waiting} were never answered. */
    record Abandoned(int stateId, boolean registering, List<Middleware.Subscribe> waiting) {
        Abandoned {
            waiting = List.copyOf(waiting);
        }
    }

    /** What is due now: frames to send again, and registrations given up. */
    record Due(List<byte[]> resend, List<Abandoned> abandoned) {
        Due {
            resend = List.copyOf(resend);
            abandoned = List.copyOf(abandoned);
        }
    }

    /** An active registration, for the periodic latest-update poll. */
    record Active(int stateId, int publisherVnfId) {
    }

    /** The uplink is one port as far as the ARQ is concerned. */
    private static final int UPLINK = 0;

    private final ServerFrames frames;
    private final int senderId;
    private final SubRetransmissions arq;
    private final LongSupplier clock;
    private final Map<Integer, Registration> registrations = new HashMap<>();
    private int sequence;

    /**
     * @param settings the server's sender ID and ARQ timeouts
     * @param clock nanoseconds, as {@link System#nanoTime()}
     */
    SubRegister(MiddlewareSettings settings, LongSupplier clock) {
        this.frames = new ServerFrames(settings.senderId());
        this.senderId = settings.senderId();
        this.arq = new SubRetransmissions(settings.arqTimeout(), settings.arqMaxTimeout(), settings.arqLimit());
        this.clock = clock;
    }

    /**
     * A local VNF subscribes to {@code stateId}, published on another server by
     * {@code publisherVnfId}. {@code firstLocal}: no other local VNF subscribed to it (the
     * directory's SUB_REGISTER), so a registration must be made even if one is being removed.
     */
    Join subscribe(int stateId, int publisherVnfId, Middleware.Subscribe subscribe, boolean firstLocal) {
        Registration registration = registrations.get(stateId);
        if (firstLocal || registration == null || registration.phase == Phase.REMOVING) {
            registration = new Registration(stateId, publisherVnfId);
            registrations.put(stateId, registration);
            registration.waiting.add(subscribe);
            return new Register(send(MessageKind.SUB_REGISTER, stateId));
        }
        if (registration.phase == Phase.REGISTERING) {
            registration.waiting.add(subscribe);
            return new Waiting();
        }
        return new AlreadyActive();
    }

    /** A VNF unsubscribed, or failed: its subscribes waiting for {@code stateId}'s ack, taken out. */
    List<Middleware.Subscribe> withdraw(int stateId, int vnfId) {
        Registration registration = registrations.get(stateId);
        if (registration == null) {
            return List.of();
        }
        List<Middleware.Subscribe> mine = new ArrayList<>();
        registration.waiting.removeIf(waiting -> waiting.vnfId() == vnfId && mine.add(waiting));
        return mine;
    }

    /** The last local subscriber left: null if the server never registered, else a SUB-remove to send. */
    Leave leave(int stateId) {
        Registration registration = registrations.get(stateId);
        if (registration == null) {
            return null;
        }
        List<Middleware.Subscribe> waiting = List.copyOf(registration.waiting);
        registration.waiting.clear();
        registration.phase = Phase.REMOVING;
        return new Leave(waiting, send(MessageKind.SUB_REMOVE, stateId));
    }

    /**
     * After a restart: a tree the server joined before and that no VNF subscribed to again is left.
     * Null if a VNF subscribed meanwhile, else the SUB-remove to send.
     */
    byte[] leaveOrphan(int stateId) {
        if (registrations.containsKey(stateId)) {
            return null;
        }
        Registration orphan = new Registration(stateId, -1);
        orphan.phase = Phase.REMOVING;
        registrations.put(stateId, orphan);
        return send(MessageKind.SUB_REMOVE, stateId);
    }

    /** A SUB-ack came from the first switch. */
    Acked acked(StareHeader header) {
        if (!arq.acknowledged(UPLINK, header.stateId(), header.updateNo(), header.vnfId())) {
            return Acked.NOTHING;
        }
        Registration registration = registrations.get(header.stateId());
        if (registration == null) {
            return Acked.NOTHING;
        }
        return switch (registration.phase) {
            case REMOVING -> {
                registrations.remove(header.stateId());
                yield Acked.REMOVED;
            }
            case REGISTERING -> Acked.REGISTERED;
            case ACTIVE -> Acked.NOTHING;
        };
    }

    /** The registration of {@code stateId} as it is now, or null: kept to hand back to {@link #activate}. */
    Registration registration(int stateId) {
        return registrations.get(stateId);
    }

    /**
     * The backlog's newest update is known after the SUB-ack: the registration becomes active, its
     * stream starting at {@code next} or, for VNFs that subscribe again, at the earliest point one
     * resumes from (a VNF drops what it already has). Null if it was left meanwhile.
     */
    Activated activate(Registration registration, long next) {
        if (registrations.get(registration.stateId) != registration || registration.phase != Phase.REGISTERING) {
            return null;
        }
        registration.phase = Phase.ACTIVE;
        long resume = registration.waiting.stream().mapToLong(Middleware.Subscribe::resumeFrom).filter(r -> r >= 0)
                .min().orElse(next);
        List<Middleware.Subscribe> subscribed = List.copyOf(registration.waiting);
        registration.waiting.clear();
        return new Activated(registration.stateId, registration.publisherVnfId, resume, subscribed);
    }

    /** Retransmissions due by the clock, and registrations given up past the limit (forgotten here). */
    Due poll() {
        SubRetransmissions.Due due = arq.poll(clock.getAsLong());
        List<byte[]> resend = due.resend().stream().map(SubRetransmissions.Resend::frame).toList();
        List<Abandoned> abandoned = new ArrayList<>();
        for (SubRetransmissions.Key key : due.abandoned()) {
            Registration registration = registrations.remove(key.stateId());
            if (registration != null) {
                abandoned.add(new Abandoned(key.stateId(), registration.phase == Phase.REGISTERING,
                        registration.waiting));
            }
        }
        return new Due(resend, abandoned);
    }

    /** Nanoseconds until the next retransmission is due (0 if overdue), empty when nothing waits for an ack. */
    OptionalLong nextDelay() {
        OptionalLong deadline = arq.nextDeadline();
        return deadline.isPresent() ? OptionalLong.of(Math.max(0, deadline.getAsLong() - clock.getAsLong()))
                : OptionalLong.empty();
    }

    /** Whether the server receives {@code stateId} from the network now. */
    boolean active(int stateId) {
        Registration registration = registrations.get(stateId);
        return registration != null && registration.phase == Phase.ACTIVE;
    }

    /** Whether {@code vnfId} still waits for {@code stateId}'s SUB-ack (it gets nothing of the state until then). */
    boolean waiting(int stateId, int vnfId) {
        Registration registration = registrations.get(stateId);
        return registration != null && registration.waiting.stream().anyMatch(s -> s.vnfId() == vnfId);
    }

    /** Whether the server registers (or is removing) {@code stateId}. */
    boolean registers(int stateId) {
        return registrations.containsKey(stateId);
    }

    /** The active registrations. */
    List<Active> actives() {
        List<Active> actives = new ArrayList<>();
        registrations.forEach((state, registration) -> {
            if (registration.phase == Phase.ACTIVE) {
                actives.add(new Active(state, registration.publisherVnfId));
            }
        });
        return actives;
    }

    /**
     * A SUB-register for every active registration, to send again without the ARQ: a switch that
     * restarted empty learns this server's subscriptions again. Setting a port's bit that is set
     * already changes nothing at the switch; it acks as usual, and the ack is ignored here.
     */
    List<byte[]> refresh() {
        List<byte[]> refreshed = new ArrayList<>();
        registrations.forEach((state, registration) -> {
            if (registration.phase == Phase.ACTIVE) {
                refreshed.add(frames.subscription(MessageKind.SUB_REGISTER, state, nextNumber(), senderId));
            }
        });
        return refreshed;
    }

    /** The SUB-* RESEND counters. */
    ArqCounters counters() {
        return arq.counters();
    }

    private int nextNumber() {
        int number = sequence;
        sequence = (sequence + 1) & StareHeader.MAX_UPDATE_NO;
        return number;
    }

    private byte[] send(MessageKind kind, int stateId) {
        int number = nextNumber();
        byte[] frame = frames.subscription(kind, stateId, number, senderId);
        arq.sent(UPLINK, stateId, number, senderId, frame, clock.getAsLong());
        return frame;
    }
}
