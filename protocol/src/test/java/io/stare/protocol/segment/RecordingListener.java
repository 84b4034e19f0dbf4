package io.stare.protocol.segment;

import java.util.ArrayList;
import java.util.List;

/** Collects everything a {@link Reassembler} reports, for assertions. */
final class RecordingListener implements Reassembler.Listener {

    record Update(int stateId, int vnfId, long update, byte[] value) {
    }

    final List<Update> updates = new ArrayList<>();
    final List<RecoveryRequest> requests = new ArrayList<>();
    /** Unrecoverable ranges as {first, last}. */
    final List<long[]> gaps = new ArrayList<>();
    final List<Integer> gapStates = new ArrayList<>();

    @Override
    public void onUpdate(int stateId, int vnfId, long update, byte[] value) {
        updates.add(new Update(stateId, vnfId, update, value));
    }

    @Override
    public void onRecoveryRequest(RecoveryRequest request) {
        requests.add(request);
    }

    @Override
    public void onUnrecoverable(int stateId, int vnfId, long first, long last) {
        gaps.add(new long[] {first, last});
        gapStates.add(stateId);
    }

    List<Long> updateNumbers() {
        return updates.stream().map(Update::update).toList();
    }
}
