package io.stare.p4.softswitch;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import p4.v1.FieldMatch;
import p4.v1.TableEntry;

/**
 * What a controller writes that the pipeline does not act on but a Read must give back (read-write
 * symmetry): a table entry's {@code metadata} and {@code controller_metadata}, a multicast group's
 * {@code metadata}, a clone session's class of service. One per pipeline, beside it; not
 * thread-safe, like the pipeline.
 */
final class OpaqueFields {

    /** A table entry's identity: its table and its canonical match key. */
    private record EntryKey(int tableId, List<FieldMatch> match) {
    }

    /** A table entry's opaque fields, as the controller wrote them. */
    private record EntryFields(long controllerMetadata, ByteString metadata) {
    }

    private final Map<EntryKey, EntryFields> entries = new HashMap<>();
    private final Map<Integer, ByteString> groups = new HashMap<>();
    private final Map<Integer, Integer> cloneClassOfService = new HashMap<>();

    /** After a successful INSERT or MODIFY of {@code entry} (key canonical): keeps its fields. */
    @SuppressWarnings("deprecation") // controller_metadata: older controllers still write it
    void entryWritten(TableEntry entry) {
        EntryKey key = new EntryKey(entry.getTableId(), entry.getMatchList());
        if (entry.getControllerMetadata() == 0 && entry.getMetadata().isEmpty()) {
            entries.remove(key);
        } else {
            entries.put(key, new EntryFields(entry.getControllerMetadata(), entry.getMetadata()));
        }
    }

    /** After a successful DELETE of the entry with this table and canonical key. */
    void entryDeleted(int tableId, List<FieldMatch> match) {
        entries.remove(new EntryKey(tableId, match));
    }

    /** Sets an entry's kept fields on a read result (its key canonical). */
    @SuppressWarnings("deprecation") // controller_metadata, as above
    TableEntry.Builder restore(TableEntry.Builder entry) {
        EntryFields fields = entries.get(new EntryKey(entry.getTableId(), entry.getMatchList()));
        return fields == null ? entry
                : entry.setControllerMetadata(fields.controllerMetadata()).setMetadata(fields.metadata());
    }

    void groupWritten(int groupId, ByteString metadata) {
        if (metadata.isEmpty()) {
            groups.remove(groupId);
        } else {
            groups.put(groupId, metadata);
        }
    }

    void groupDeleted(int groupId) {
        groups.remove(groupId);
    }

    ByteString groupMetadata(int groupId) {
        return groups.getOrDefault(groupId, ByteString.EMPTY);
    }

    void cloneSessionWritten(int sessionId, int classOfService) {
        cloneClassOfService.put(sessionId, classOfService);
    }

    void cloneSessionDeleted(int sessionId) {
        cloneClassOfService.remove(sessionId);
    }

    int classOfService(int sessionId) {
        return cloneClassOfService.getOrDefault(sessionId, 0);
    }
}
