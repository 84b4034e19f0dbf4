package io.stare.deploy.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.deploy.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stare demo ids}: E-State's count equals the ground truth at every sample through a
 * scale-out and a scale-in, where the baseline without sharing loses counts (the paper's Fig. 4).
 */
class IdsCommandTest {

    @Test
    @Timeout(120)
    void eStateKeepsTheTruthThroughScaleOutAndInWhereTheBaselineLoses(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("ids.csv");
        Path plot = dir.resolve("ids.svg");
        Cli run = Cli.run("demo", "ids", "--duration", "6s", "--rate", "1000", "--csv", csv.toString(),
                "--plot", plot.toString());
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("the match count equals the ground truth at all 6 samples"), run.out());
        assertTrue(run.out().contains("-- scale-out") && run.out().contains("-- scale-in"), run.out());
        Matcher lost = Pattern.compile("baseline without state sharing: (\\d+) of (\\d+) matches lost").matcher(run.out());
        assertTrue(lost.find(), run.out());
        assertTrue(Long.parseLong(lost.group(1)) > 0, "the baseline loses the leaver's counts: " + run.out());

        List<String> rows = Files.readAllLines(csv);
        assertEquals("seconds,instances,truth,estate,baseline,phase", rows.get(0));
        assertEquals(7, rows.size());
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",");
            assertEquals(cells[2], cells[3], "E-State equals the truth: " + row);
        }
        assertTrue(rows.stream().anyMatch(r -> r.split(",")[1].equals("2")), "two instances at some sample");
        assertTrue(Files.readString(plot).startsWith("<svg"), "an SVG plot");
    }

    @Test
    @Timeout(30)
    void badFlagsAreOneLineErrors() {
        Cli shortRun = Cli.run("demo", "ids", "--duration", "2s");
        assertEquals(1, shortRun.exitCode(), shortRun.out() + shortRun.err());
        assertTrue(shortRun.err().contains("--duration must be at least 3s"), shortRun.err());
        Cli noFlows = Cli.run("demo", "ids", "--flows", "1");
        assertEquals(1, noFlows.exitCode());
        assertTrue(noFlows.err().contains("--flows at least 2"), noFlows.err());
    }
}
