package io.stare.bench.rules;

import java.io.PrintWriter;

/** Prints a {@link Bmv2RuleMemory.Result} beside the paper's Table III. */
public final class Bmv2RuleMemoryReport {

    private Bmv2RuleMemoryReport() {
    }

    public static void print(Bmv2RuleMemory.Result r, PrintWriter out) {
        Bmv2RuleMemory.Settings s = r.settings();
        out.printf("BMv2 resident memory (VmRSS) per installed rule: %s, %,d rules in steps of %,d, %d run(s) per mode%n",
                r.bmv2(), s.rules(), s.step(), s.repetitions());
        out.println();
        out.println("| mode | BMv2 RSS per rule (slope) | r² | runs' slopes | RSS before -> after | paper: BMv2 RSS per rule |");
        out.println("|---|---|---|---|---|---|");
        for (Bmv2RuleMemory.Curve c : r.curves()) {
            double min = c.runSlopes().stream().mapToDouble(Double::doubleValue).min().orElseThrow();
            double max = c.runSlopes().stream().mapToDouble(Double::doubleValue).max().orElseThrow();
            out.printf("| %s | %.1f B | %.3f | %.1f .. %.1f B | %.1f -> %.1f MiB | %s |%n",
                    c.mode().label(), c.fit().slope(), c.fit().rSquared(), min, max,
                    c.baselineBytes() / (1 << 20), (c.baselineBytes() + c.growthBytes()) / (1 << 20),
                    paper(c.mode()));
        }
        out.println();
        out.println("Slope: least squares over the RSS after each step, averaged over the runs (the paper's method).");
        out.println("Register-based rules are set in-band by SUB-register frames (BMv2's P4Runtime has no register");
        out.println("writes); embedded rules are a state_forwarding entry plus a multicast group per state over P4Runtime.");
        out.println("The control sends as many frames as register-based, SUB-removes of states never subscribed:");
        out.println("its slope is BMv2's growth from processing frames, not from rules. Shared groups: STARE's own");
        out.println("embedded controller, every state's entry naming one port-mask group installed beforehand.");
        out.println("RSS moves in whole pages (4 KiB), so small runs give coarse slopes; r² says how linear the growth was.");
        out.flush();
    }

    private static String paper(Bmv2RuleMemory.Mode mode) {
        return switch (mode) {
            case REGISTER -> RuleMemoryReport.PAPER_REGISTER_BYTES + " B";
            case REGISTER_CONTROL, EMBEDDED_SHARED_GROUP -> "-";
            case EMBEDDED -> RuleMemoryReport.PAPER_EMBEDDED_BYTES + " B";
        };
    }
}
