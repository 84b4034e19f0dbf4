package io.stare.actors.controller;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Events kept in the actor system's memory, unserialized: the journal of a replica controller that
 * runs inside one process and whose backlog need not outlive it (the test kit's fabric, the demo,
 * the latency benchmark), partner of {@link MemorySnapshotStore}.
 *
 * <p>Pekko's own in-memory journal is meant for tests: deleting events up to N filters the whole
 * event list once for every sequence number from 1 to N, so a backlog that snapshots (and deletes
 * the events before each snapshot) every thousand events spends more time deleting than storing
 * as it ages. Here each persistence ID keeps its events in order in a deque: appends go at the
 * end, deletes take from the front, both in time proportional to the events they touch.
 *
 * <p>Configured as {@code stare.persistence.in-process-journal}. Writes and deletes come from the
 * plugin's actor, replays from future callbacks on other threads, so each ID's events are guarded
 * by their own lock.
 */
public final class MemoryJournal extends AsyncWriteJournal {

    private static final class Events {
        final ArrayDeque<PersistentRepr> kept = new ArrayDeque<>();
        long highest;
    }

    private final ConcurrentHashMap<String, Events> byId = new ConcurrentHashMap<>();

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(Iterable<AtomicWrite> messages) {
        long now = System.currentTimeMillis();
        for (AtomicWrite write : messages) {
            Events events = byId.computeIfAbsent(write.persistenceId(), id -> new Events());
            synchronized (events) {
                for (PersistentRepr repr : CollectionConverters.asJava(write.payload())) {
                    PersistentRepr stored = repr.payload() instanceof Tagged tagged
                            ? repr.withPayload(tagged.payload()) : repr;
                    events.kept.addLast(stored.withTimestamp(now));
                    events.highest = Math.max(events.highest, repr.sequenceNr());
                }
            }
        }
        return Futures.successful(List.of()); // empty: every write succeeded
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(String persistenceId, long toSequenceNr) {
        Events events = byId.get(persistenceId);
        if (events != null) {
            synchronized (events) {
                while (!events.kept.isEmpty() && events.kept.peekFirst().sequenceNr() <= toSequenceNr) {
                    events.kept.pollFirst();
                }
            }
        }
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doAsyncReplayMessages(String persistenceId, long fromSequenceNr, long toSequenceNr, long max,
                                              Consumer<PersistentRepr> replayCallback) {
        Events events = byId.get(persistenceId);
        if (events == null || max <= 0) {
            return Futures.successful(null);
        }
        List<PersistentRepr> replay = new ArrayList<>();
        synchronized (events) {
            for (PersistentRepr repr : events.kept) {
                if (repr.sequenceNr() > toSequenceNr || replay.size() >= max) {
                    break;
                }
                if (repr.sequenceNr() >= fromSequenceNr) {
                    replay.add(repr);
                }
            }
        }
        replay.forEach(replayCallback); // outside the lock: the callback hands events to the entity
        return Futures.successful(null);
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(String persistenceId, long fromSequenceNr) {
        Events events = byId.get(persistenceId);
        if (events == null) {
            return Futures.successful(0L);
        }
        synchronized (events) {
            return Futures.successful(events.highest); // deletes never lower it
        }
    }
}
