package io.stare.bench.rules;

import java.io.PrintWriter;

/** Prints a {@link RuleMemory.Result} beside the paper's Table III. */
public final class RuleMemoryReport {

    /** The paper's BMv2 figures (resident memory growth per installed rule). */
    public static final int PAPER_REGISTER_BYTES = 119;
    public static final int PAPER_EMBEDDED_BYTES = 184;
    public static final int PAPER_OPENFLOW_BYTES = 586;

    private RuleMemoryReport() {
    }

    public static void print(RuleMemory.Result r, PrintWriter out) {
        out.printf("Memory per installed subscription, software switch, %,d states (JVM heap, %s %s)%n",
                r.states(), System.getProperty("java.vm.name"), System.getProperty("java.version"));
        out.println();
        out.println("| mode | STARE software switch | paper: BMv2 RSS per rule |");
        out.println("|---|---|---|");
        out.printf("| register-based | %.1f B per state slot, allocated with the pipeline; %.1f B more per subscription | %d B |%n",
                r.registerBytesPerSlot(), r.registerBytesPerSubscription(), PAPER_REGISTER_BYTES);
        out.printf("| embedded controller | %.1f B per rule in the switch (table entry; %d shared groups) + %.1f B in the local controller | %d B |%n",
                r.embeddedSwitchBytesPerRule(), r.embeddedGroups(), r.embeddedControllerBytesPerRule(),
                PAPER_EMBEDDED_BYTES);
        out.printf("| OpenFlow (OVS), paper only | - | %d B |%n", PAPER_OPENFLOW_BYTES);
        out.println();
        out.println("Register mode pays for its capacity up front (a register cell per state, used or not), so a");
        out.println("subscription costs nothing more; embedded mode pays per installed rule. The paper measured");
        out.println("BMv2's process growth, which includes its table and register implementation overheads.");
        out.flush();
    }
}
