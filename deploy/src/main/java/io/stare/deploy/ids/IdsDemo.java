package io.stare.deploy.ids;

import io.stare.fabric.LocalFabric;
import io.stare.state.global.GlobalSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * E-State's IDS experiment (its Fig. 4) on the embedded fabric: one IDS instance counts signature
 * matches per flow; a third of the way in a second instance starts and half the flows move to
 * it; two thirds in they move back and it leaves. At every sample the traffic pauses and each
 * flow's count, as the instance that processes it sees it, is summed: with E-State over STARE
 * (every instance's counts for the flow) it must equal the ground truth; the baseline (each
 * instance its own counts) loses the moved flows' past at scale-out and the leaver's at scale-in.
 */
public final class IdsDemo {

    /**
     * The demo's settings.
     *
     * @param samples how many samples (one a second)
     * @param packetsPerSample packets the driver sends between samples
     * @param flows how many flows
     * @param attackShare the share of packets that carry a signature
     * @param seed the traffic's seed
     */
    public record Settings(int samples, int packetsPerSample, int flows, double attackShare, long seed) {
        public Settings {
            if (samples < 3) {
                throw new IllegalArgumentException("the demo needs at least 3 samples (3 s): before, during and "
                        + "after the scale-out");
            }
        }
    }

    /** One sample: what the IDS sees, per phase. */
    public record Sample(double seconds, String phase, int instances, long truth, long shared, long baseline) {
    }

    private static final GlobalSettings GLOBAL = new GlobalSettings("estate", 2, Duration.ofMillis(200),
            Duration.ofSeconds(2), Duration.ofMillis(200), 100_000, Duration.ofSeconds(2));

    private IdsDemo() {
    }

    /** Runs the demo, printing a line per sample; returns the samples. */
    public static List<Sample> run(Settings settings, PrintWriter out) throws Exception {
        IdsTraffic traffic = new IdsTraffic(settings.seed(), settings.flows(), settings.attackShare());
        List<Sample> samples = new ArrayList<>();
        try (LocalFabric fabric = LocalFabric.builder().topology(LocalFabric.singleSwitch("h1", "h2"))
                .seed(settings.seed()).timeout(Duration.ofSeconds(30)).start()) {
            IdsInstance first = new IdsInstance(0, fabric.vnf("h1", "ids-0"), GLOBAL);
            IdsInstance second = null;
            Map<String, IdsInstance> route = new HashMap<>();
            for (int f = 0; f < traffic.flows(); f++) {
                route.put(IdsTraffic.flow(f), first);
            }
            long started = System.nanoTime();
            int scaleOut = settings.samples() / 3;
            int scaleIn = 2 * settings.samples() / 3;
            String phase = "one instance";
            try {
                for (int s = 1; s <= settings.samples(); s++) {
                    if (s == scaleOut + 1) {
                        second = new IdsInstance(1, fabric.vnf("h2", "ids-1"), GLOBAL);
                        awaitInstances(Set.of("0", "1"), first, second);
                        for (int f = 1; f < traffic.flows(); f += 2) {
                            route.put(IdsTraffic.flow(f), second);
                        }
                        phase = "scaled out: half the flows on instance 1";
                        out.println("-- scale-out: instance 1 started, " + (traffic.flows() / 2) + " flows moved to it");
                    } else if (s == scaleIn + 1 && second != null) {
                        for (int f = 1; f < traffic.flows(); f += 2) {
                            route.put(IdsTraffic.flow(f), first);
                        }
                        second.leave("0");
                        awaitInstances(Set.of("0"), first);
                        second.close();
                        second = null;
                        phase = "scaled in: instance 1 left, its flows back on instance 0";
                        out.println("-- scale-in: the flows moved back to instance 0; instance 1 left, handing its "
                                + "counts to instance 0");
                    }
                    for (int p = 0; p < settings.packetsPerSample(); p++) {
                        IdsTraffic.Packet packet = traffic.next();
                        route.get(packet.flow()).process(packet);
                    }
                    Sample sample = sample(traffic, route, phase, started, second == null ? 1 : 2);
                    samples.add(sample);
                    out.printf("%6.1f s  %d instance%s  truth %7d  E-State %7d  baseline %7d%s%n", sample.seconds(),
                            sample.instances(), sample.instances() == 1 ? " " : "s", sample.truth(), sample.shared(),
                            sample.baseline(), sample.baseline() == sample.truth() ? ""
                                    : "  (baseline lost " + (sample.truth() - sample.baseline()) + ")");
                    out.flush();
                    long next = started + s * 1_000_000_000L;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            } finally {
                if (second != null) {
                    second.close();
                }
                first.close();
            }
        }
        return samples;
    }

    /**
     * With the traffic paused: each flow's count as its instance sees it, summed, once E-State's
     * view has caught up with the truth (its peers' last changes in flight: a few flush periods),
     * or after 5 s.
     */
    private static Sample sample(IdsTraffic traffic, Map<String, IdsInstance> route, String phase, long started,
                                 int instances) throws Exception {
        long truth = traffic.signaturesSent();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long shared;
        do {
            shared = 0;
            for (Map.Entry<String, IdsInstance> flow : route.entrySet()) {
                shared += flow.getValue().sharedView(flow.getKey());
            }
            if (shared == truth) {
                break;
            }
            Thread.sleep(10);
        } while (System.nanoTime() < deadline);
        long baseline = 0;
        for (Map.Entry<String, IdsInstance> flow : route.entrySet()) {
            baseline += flow.getValue().baselineView(flow.getKey());
        }
        return new Sample((System.nanoTime() - started) / 1e9, phase, instances, truth, shared, baseline);
    }

    private static void awaitInstances(Set<String> expected, IdsInstance... instances) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        for (IdsInstance instance : instances) {
            while (!instance.instances().equals(expected)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("instance " + instance.name + " sees " + instance.instances()
                            + ", not " + expected + ", after 20 s");
                }
                Thread.sleep(20);
            }
        }
    }
}
