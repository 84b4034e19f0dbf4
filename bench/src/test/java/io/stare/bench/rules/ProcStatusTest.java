package io.stare.bench.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ProcStatusTest {

    /** The top of a real status file of simple_switch_grpc (Linux 6.x), tabs as the kernel writes them. */
    private static final String BMV2_STATUS = """
            Name:\tsimple_switch_g
            Umask:\t0022
            State:\tS (sleeping)
            Tgid:\t4242
            Pid:\t4242
            VmPeak:\t 1253468 kB
            VmSize:\t 1187932 kB
            VmLck:\t       0 kB
            VmHWM:\t   48212 kB
            VmRSS:\t   47104 kB
            RssAnon:\t   20480 kB
            RssFile:\t   26624 kB
            Threads:\t27
            """;

    @Test
    void readsTheNameAndVmRssInBytes() {
        ProcStatus status = ProcStatus.parse(BMV2_STATUS);
        assertEquals("simple_switch_g", status.name());
        assertEquals(47_104L * 1024, status.residentBytes());
    }

    @Test
    void vmHwmAndRssAnonAreNotMistakenForVmRss() {
        // Only the exact "VmRSS:" field counts, wherever it is.
        ProcStatus status = ProcStatus.parse("RssAnon:\t 1 kB\nVmHWM:\t 2 kB\nName:\tx\nVmRSS:\t 3 kB\n");
        assertEquals(3 * 1024, status.residentBytes());
    }

    @Test
    void aKernelThreadHasNoVmRss() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcStatus.parse("Name:\tkthreadd\nState:\tS (sleeping)\n"));
        assertTrue(e.getMessage().contains("kthreadd"), e.getMessage());
    }

    @Test
    void refusesMalformedVmRssLines() {
        assertThrows(IllegalArgumentException.class, () -> ProcStatus.parse("VmRSS:\t 12 MB\n"));
        assertThrows(IllegalArgumentException.class, () -> ProcStatus.parse("VmRSS:\t twelve kB\n"));
        assertThrows(IllegalArgumentException.class, () -> ProcStatus.parse("VmRSS:\n"));
        assertThrows(IllegalArgumentException.class, () -> ProcStatus.parse("VmRSS:\t -4 kB\n"));
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void readsThisJvmsOwnStatus() throws IOException {
        ProcStatus status = ProcStatus.read(ProcessHandle.current().pid());
        assertTrue(status.residentBytes() > 1024 * 1024, "a JVM has more than 1 MiB resident: " + status);
    }
}
