package io.stare.deploy.cluster;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;

/**
 * Prints a cluster node's life in the cluster: one line when this node is Up, then one short
 * line per membership or reachability change. Before this node is Up, the members it learns of
 * are the existing cluster, not changes, and are not printed.
 */
public final class MemberLog {

    private MemberLog() {
    }

    /**
     * @param out where the lines go
     * @param upLine the line saying this node is Up, given the number of members (null: the caller says it)
     * @param up completed when this node is Up
     */
    public static Behavior<Object> create(PrintWriter out, IntFunction<String> upLine, CompletableFuture<Void> up) {
        return Behaviors.setup(context -> {
            Cluster cluster = Cluster.get(Adapter.toClassic(context.getSystem()));
            Address self = cluster.selfAddress();
            cluster.subscribe(Adapter.toClassic(context.getSelf()), ClusterEvent.initialStateAsSnapshot(),
                    ClusterEvent.MemberEvent.class, ClusterEvent.ReachabilityEvent.class);
            Map<Address, Member> members = new HashMap<>();
            boolean[] announced = {false};
            // Once this node leaves, the others' removal is its own view shrinking, not news.
            boolean[] leaving = {false};
            Runnable announceIfUp = () -> {
                Member me = members.get(self);
                if (!announced[0] && me != null && me.status() == org.apache.pekko.cluster.MemberStatus.up()) {
                    announced[0] = true;
                    String line = upLine.apply(members.size());
                    if (line != null) {
                        print(out, line);
                    }
                    up.complete(null);
                }
            };
            return Behaviors.receive(Object.class)
                    .onMessage(ClusterEvent.CurrentClusterState.class, state -> {
                        state.getMembers().forEach(m -> members.put(m.address(), m));
                        announceIfUp.run();
                        return Behaviors.same();
                    })
                    .onMessage(ClusterEvent.MemberEvent.class, event -> {
                        Member m = event.member();
                        if (event instanceof ClusterEvent.MemberRemoved) {
                            members.remove(m.address());
                        } else {
                            members.put(m.address(), m);
                        }
                        boolean wasAnnounced = announced[0];
                        announceIfUp.run();
                        if (wasAnnounced && !leaving[0] && !m.address().equals(self)) {
                            String line = describe(event, members.size());
                            if (line != null) {
                                print(out, line);
                            }
                        } else if (wasAnnounced && !leaving[0] && m.address().equals(self)
                                && (event instanceof ClusterEvent.MemberLeft || event instanceof ClusterEvent.MemberExited)) {
                            leaving[0] = true;
                            print(out, "this node is leaving the cluster");
                        } else if (wasAnnounced && !leaving[0] && m.address().equals(self)
                                && event instanceof ClusterEvent.MemberDowned) {
                            leaving[0] = true;
                            print(out, "this node was downed (the others could not reach it long enough); stopping");
                        }
                        return Behaviors.same();
                    })
                    .onMessage(ClusterEvent.UnreachableMember.class, event -> {
                        if (announced[0] && !leaving[0]) {
                            print(out, "member unreachable: " + event.member().address() + roles(event.member()));
                        }
                        return Behaviors.same();
                    })
                    .onMessage(ClusterEvent.ReachableMember.class, event -> {
                        if (announced[0] && !leaving[0]) {
                            print(out, "member reachable again: " + event.member().address() + roles(event.member()));
                        }
                        return Behaviors.same();
                    })
                    .onAnyMessage(other -> Behaviors.same())
                    .onSignal(PostStop.class, stopped -> {
                        cluster.unsubscribe(Adapter.toClassic(context.getSelf()));
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** The line for another member's change, or null for changes not worth a line. */
    public static String describe(ClusterEvent.MemberEvent event, int count) {
        Member m = event.member();
        String who = m.address() + roles(m);
        if (event instanceof ClusterEvent.MemberUp || event instanceof ClusterEvent.MemberWeaklyUp) {
            return "member up: " + who + "; members: " + count;
        } else if (event instanceof ClusterEvent.MemberLeft) {
            return "member leaving: " + who;
        } else if (event instanceof ClusterEvent.MemberDowned) {
            return "member downed: " + who;
        } else if (event instanceof ClusterEvent.MemberRemoved removed) {
            return "member removed: " + who + " (was " + removed.previousStatus() + "); members: " + count;
        }
        return null;
    }

    private static String roles(Member m) {
        List<String> roles = new TreeSet<>(m.getRoles()).stream().filter(r -> !r.startsWith("dc-")).toList();
        return roles.isEmpty() ? "" : " (" + String.join(", ", roles) + ")";
    }

    /** One whole line to {@code out}, never interleaved with another actor's. */
    static void print(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
