package io.stare.actors.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import scala.concurrent.Future;

/**
 * Snapshots kept in the actor system's memory, unserialized: the partner of Pekko's in-memory
 * journal for a replica controller that runs inside one process and whose backlog need not outlive
 * it (the test kit's fabric, the demo, the latency benchmark). Pekko Persistence ships an in-memory
 * journal but no in-memory snapshot store, and the backlog needs one: it snapshots and deletes the
 * events before each snapshot, so a restarted entity reads its state back from here.
 *
 * <p>Configured as {@code stare.persistence.in-process-snapshot-store}. Everything happens in the
 * plugin's own actor, one request at a time, so the map needs no lock.
 */
public final class MemorySnapshotStore extends SnapshotStore {

    private final Map<String, List<SelectedSnapshot>> byId = new HashMap<>();

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        SelectedSnapshot newest = null;
        for (SelectedSnapshot snapshot : byId.getOrDefault(persistenceId, List.of())) {
            if (matches(snapshot.metadata(), criteria)
                    && (newest == null || snapshot.metadata().sequenceNr() > newest.metadata().sequenceNr())) {
                newest = snapshot;
            }
        }
        return Futures.successful(Optional.ofNullable(newest));
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        List<SelectedSnapshot> kept = byId.computeIfAbsent(metadata.persistenceId(), id -> new ArrayList<>());
        kept.removeIf(s -> s.metadata().sequenceNr() == metadata.sequenceNr());
        kept.add(SelectedSnapshot.create(metadata, snapshot));
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        List<SelectedSnapshot> kept = byId.get(metadata.persistenceId());
        if (kept != null) {
            kept.removeIf(s -> s.metadata().sequenceNr() == metadata.sequenceNr());
        }
        return Futures.successful(null);
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        List<SelectedSnapshot> kept = byId.get(persistenceId);
        if (kept != null) {
            kept.removeIf(s -> matches(s.metadata(), criteria));
        }
        return Futures.successful(null);
    }

    private static boolean matches(SnapshotMetadata metadata, SnapshotSelectionCriteria criteria) {
        return metadata.sequenceNr() <= criteria.maxSequenceNr() && metadata.timestamp() <= criteria.maxTimestamp()
                && metadata.sequenceNr() >= criteria.minSequenceNr() && metadata.timestamp() >= criteria.minTimestamp();
    }
}
