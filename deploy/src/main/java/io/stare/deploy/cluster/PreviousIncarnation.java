package io.stare.deploy.cluster;

import java.io.PrintWriter;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * Downs a restarted node's dead incarnation at once. A node killed and started again (on another
 * port, or before the cluster noticed the death) cannot become Up while its previous incarnation
 * is still a member: the cluster does not converge until the split-brain resolver downs the
 * unreachable one (failure detection plus {@code stable-after}, 20 s and more). Every node of one
 * identity (a server's middleware) carries that identity as a role; once this node is at least
 * WeaklyUp (Pekko lets a joining node in without convergence after
 * {@code allow-weakly-up-members}), it downs every other member with the same role, which lets the
 * cluster converge and this node become Up within seconds.
 *
 * <p>The newest incarnation wins: a node started twice with one identity downs the older one.
 */
public final class PreviousIncarnation {

    private PreviousIncarnation() {
    }

    /** The role that names a node's identity, e.g. {@code server-h1}. */
    public static String role(String kind, String identity) {
        return kind + "-" + identity;
    }

    /**
     * @param identityRole the role only this node's incarnations carry
     * @param out where a line says which incarnation was downed
     */
    public static Behavior<Object> downer(String identityRole, PrintWriter out) {
        return Behaviors.setup(context -> {
            Cluster cluster = Cluster.get(Adapter.toClassic(context.getSystem()));
            Address self = cluster.selfAddress();
            cluster.subscribe(Adapter.toClassic(context.getSelf()), ClusterEvent.initialStateAsSnapshot(),
                    ClusterEvent.MemberEvent.class);
            return Behaviors.receive(Object.class)
                    .onMessage(ClusterEvent.CurrentClusterState.class, state -> {
                        downOthers(cluster, self, identityRole, state.getMembers(), out);
                        return Behaviors.same();
                    })
                    .onMessage(ClusterEvent.MemberEvent.class, event -> {
                        downOthers(cluster, self, identityRole, cluster.state().getMembers(), out);
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

    private static void downOthers(Cluster cluster, Address self, String identityRole, Iterable<Member> members,
                                   PrintWriter out) {
        MemberStatus mine = cluster.selfMember().status();
        if (mine != MemberStatus.weaklyUp() && mine != MemberStatus.up()) {
            return; // a joining node's Down would not be heard; WeaklyUp comes without convergence
        }
        for (Member member : members) {
            if (!member.address().equals(self) && member.hasRole(identityRole)
                    && member.status() != MemberStatus.down() && member.status() != MemberStatus.removed()) {
                cluster.down(member.address());
                MemberLog.print(out, "downed the previous incarnation of this node: " + member.address());
            }
        }
    }
}
