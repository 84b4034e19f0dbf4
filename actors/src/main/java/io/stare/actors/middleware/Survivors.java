package io.stare.actors.middleware;

import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.segment.Segmenter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * What outlives a restart of the EXT module ({@link Middleware}): who is attached (so that they can
 * be asked to attach again), each state published here with its next update number (so that no
 * number is used twice), the publish log with what the backlog has not confirmed (so that none
 * goes missing from it), the states whose trees were joined, and the main path (the next one starts
 * once it has stopped). Everything else is rebuilt when the VNFs attach again. Made once per
 * middleware, outside its supervised behaviour; used by one EXT module at a time.
 */
final class Survivors {

    /** How long a restarted EXT module waits for its predecessor's main path to release the sockets. */
    private static final Duration MAIN_PATH_STOP = Duration.ofSeconds(10);

    final Map<String, ActorRef<Vnf.Command>> vnfs = new LinkedHashMap<>();
    final Map<Integer, Publication> publications = new HashMap<>();
    /** The Publish keys of the states published here: records the log still holds leave tagged after a restart. */
    final Map<Integer, PublishKey> publishKeys = new HashMap<>();
    /** States whose tree this server joined (SUB-register sent, SUB-remove not yet acknowledged). */
    final Set<Integer> joined = new HashSet<>();
    final LongAdder published = new LongAdder();
    final LongAdder refused = new LongAdder();
    final LongAdder handlerErrors = new LongAdder();
    private PublishLog log;
    private MainPath mainPath;

    /**
     * The publish log, made the first time: room for what may wait unconfirmed, and at least four of
     * the largest updates (its memory is taken in chunks as publishes need it); a quarter of the
     * heap at most, so a stalled backlog refuses publishes instead of running the JVM out of memory.
     * With a {@code directory}, in a memory-mapped file there that outlives the process
     * (stare.middleware.publish-log-dir); null keeps it on the heap.
     */
    PublishLog log(MiddlewareSettings settings, Segmenter segmenter, Path directory) {
        if (log == null) {
            int largest = StareHeader.MAX_SEGMENTS * PublishLog.recordLength(segmenter.segmentPayload());
            long bound = Math.min(settings.publishLog(), Runtime.getRuntime().maxMemory() / 4);
            int capacity = (int) Math.min(MiddlewareSettings.MAX_PUBLISH_LOG, Math.max(bound, 4L * largest));
            log = directory == null ? new PublishLog(capacity, settings.unconfirmedAppends())
                    : new PublishLog(PublishLogFile.open(directory, settings.serverId(), capacity,
                            PublishLog.DEFAULT_CHUNK), settings.unconfirmedAppends());
        }
        return log;
    }

    /**
     * Where a state's numbering goes on at least: one past the highest update an earlier process of
     * this server left in the publish log's file, or -1.
     */
    long numberFloor(int stateId) {
        return log == null ? -1 : log.recoveredNext().getOrDefault(stateId, -1L);
    }

    /** Lets go of the publish log's file (the middleware stopped for good). */
    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    /** The publish log; null before the first EXT module made it. */
    PublishLog log() {
        return log;
    }

    /**
     * A restart: the previous main path must have let go of the sockets and the log before the next
     * one opens them. Waits for it, {@link #MAIN_PATH_STOP} at most.
     */
    void stopPreviousMainPath(Logger logger, String serverId) {
        if (mainPath == null) {
            return;
        }
        try {
            mainPath.close().toCompletableFuture().get(MAIN_PATH_STOP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            logger.warn("{}: the previous main path did not stop within {}", serverId, MAIN_PATH_STOP, e);
        }
    }

    /** The main path the current EXT module runs. */
    void mainPath(MainPath current) {
        this.mainPath = current;
    }
}
