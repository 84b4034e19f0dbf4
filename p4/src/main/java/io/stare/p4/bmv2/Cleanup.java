package io.stare.p4.bmv2;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Last-resort cleanup: actions registered here run in a JVM shutdown hook if their owner did not
 * run them itself (a test killed by its timeout, an aborted build, Ctrl-C during a benchmark).
 * Every resource of this package (processes, the network namespace, temporary files) registers its
 * release here when it is created and unregisters it when it is released normally.
 */
final class Cleanup {

    private static final Map<Long, Runnable> PENDING = new LinkedHashMap<>();
    private static final AtomicLong IDS = new AtomicLong();
    private static boolean hookInstalled;
    /** Set when the hook starts: tests may still be running then, and must not start anything new. */
    private static boolean shuttingDown;

    private Cleanup() {
    }

    /** A registered action; {@link #run()} runs it once and unregisters it. */
    static final class Handle {
        private final long id;

        private Handle(long id) {
            this.id = id;
        }

        /** Runs the action now (at most once) and forgets it. */
        void run() {
            Runnable action;
            synchronized (PENDING) {
                action = PENDING.remove(id);
            }
            if (action != null) {
                action.run();
            }
        }
    }

    /**
     * Registers an action to run at JVM exit unless {@link Handle#run()} ran it before. During JVM
     * shutdown (a test thread still running while the hook runs) the action runs at once and the
     * caller is stopped with an exception.
     */
    static Handle register(Runnable action) {
        synchronized (PENDING) {
            if (shuttingDown) {
                action.run();
                throw new IllegalStateException("the JVM is shutting down: released what was just created");
            }
            if (!hookInstalled) {
                Runtime.getRuntime().addShutdownHook(new Thread(Cleanup::runAll, "stare-bmv2-cleanup"));
                hookInstalled = true;
            }
            long id = IDS.incrementAndGet();
            PENDING.put(id, action);
            return new Handle(id);
        }
    }

    /** Runs every pending action, newest first (processes before the namespace they live in). */
    private static void runAll() {
        List<Runnable> actions;
        synchronized (PENDING) {
            shuttingDown = true;
            actions = new ArrayList<>(PENDING.values());
            PENDING.clear();
        }
        for (int i = actions.size() - 1; i >= 0; i--) {
            try {
                actions.get(i).run();
            } catch (RuntimeException e) {
                System.err.println("stare-bmv2 cleanup: " + e);
            }
        }
    }
}
