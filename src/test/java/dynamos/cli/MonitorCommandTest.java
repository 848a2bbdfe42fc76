package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.monitor.MonitorOptions;
import dynamos.monitor.MonitorReport;
import dynamos.monitor.MonitorStats;
import dynamos.testing.FakeFramework;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class MonitorCommandTest {
    private final FakeFramework fw = new FakeFramework();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CountDownLatch stop = new CountDownLatch(1);

    /** A clock whose sleeps last exactly what was asked, and let the fake count calls meanwhile. */
    private final class FakeClock implements MonitorCommand.Clock {
        long now;
        int sleeps;
        Runnable eachSleep = () -> { };

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleep(long ns, CountDownLatch s) {
            now += ns;
            sleeps++;
            eachSleep.run();
        }
    }

    private int run(List<String> functions, Double duration, boolean json, MonitorCommand.Clock clock) {
        return MonitorCommand.run(fw, new MonitorCommand.Settings(functions, duration, 1.0,
                new MonitorOptions(false, 0), json), new PrintWriter(out, true), new PrintWriter(err, true), stop, clock);
    }

    @Test
    void runsForItsDurationPrintsProgressAndTheReportAndStopsItsMonitors() {
        FakeClock clock = new FakeClock();
        clock.eachSleep = () -> fw.monitorCalls(1, 0, 300, 10).monitorCalls(1, 1, 100, 11);
        int status = run(List.of("vfs_read"), 3.0, false, clock);

        assertThat(status).isEqualTo(ExitStatus.SUCCESS.code);
        assertThat(clock.sleeps).isEqualTo(3);
        assertThat(fw.calls()).containsExactly("monitor vfs_read", "monitor-stop 1");
        assertThat(fw.monitors()).isEmpty();
        assertThat(err.toString()).contains("dynamos: monitoring vfs_read (monitor 1)");
        String text = out.toString();
        // Progress by the kernel's clock (the fake's runs 2 s per interval): 200 calls/s, 150 on cpu0, 50 on cpu1.
        assertThat(text.lines().filter(l -> l.startsWith(" ") && l.contains("calls/s"))).hasSize(3)
                .allMatch(l -> l.contains("200.0 calls/s") && l.contains("(cpu0 150.0, cpu1 50.0)"));
        assertThat(text).contains("vfs_read: 1200 calls in 6.0 s (200.0 calls/s), 0 missed")
                .contains("per CPU: cpu0 900, cpu1 300")
                .contains("[1.02us, 2.05us)   " + "#".repeat(40) + " 900")
                .contains("[2.05us, 4.10us)   " + "#".repeat(14) + " ");
    }

    @Test
    void aStopRequestEndsTheRunAtOnceWithTheReport() {
        FakeClock clock = new FakeClock();
        clock.eachSleep = () -> {
            fw.monitorCalls(1, 0, 5, 3);
            if (clock.sleeps == 2) {
                stop.countDown(); // what the SIGINT shutdown hook does
            }
        };
        assertThat(run(List.of("f"), null, false, clock)).isZero();
        assertThat(clock.sleeps).isEqualTo(2);
        assertThat(out.toString()).contains("f: 10 calls in 2.0 s");
        assertThat(fw.monitors()).isEmpty();
    }

    @Test
    void allOrNoneTheFirstMonitorIsStoppedWhenTheSecondFunctionIsRefused() {
        fw.failOn("monitor bad_fn", "bad_fn has no ftrace site (notrace or inlined): it cannot be monitored");
        int status = run(List.of("good_fn", "bad_fn"), 1.0, false, new FakeClock());
        assertThat(status).isEqualTo(ExitStatus.FAILURE.code);
        assertThat(fw.calls()).containsExactly("monitor good_fn", "monitor-stop 1");
        assertThat(fw.monitors()).isEmpty();
        assertThat(err.toString()).contains("dynamos: cannot monitor bad_fn: bad_fn has no ftrace site");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void jsonPrintsOneDocumentAtTheEndAndNoProgress() {
        FakeClock clock = new FakeClock();
        clock.eachSleep = () -> fw.monitorCalls(1, 1, 7, 0);
        assertThat(run(List.of("a"), 2.0, true, clock)).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.getFirst()).startsWith("{\"seconds\": 2.0, \"monitors\": [{\"id\": 1, \"function\": \"a\"")
                .contains("\"calls\": 14").contains("\"calls_per_cpu\": [0, 14]")
                .contains("\"latency_buckets\": [{\"from_ns\": 0, \"to_ns\": 2, \"calls\": 14}]")
                .contains("\"missed\": 0").contains("\"versions\": []");
    }

    @Test
    void tooManyFunctionsAreRefusedBeforeAnyMonitorStarts() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            many.add("f" + i);
        }
        assertThat(run(many, 1.0, false, new FakeClock())).isEqualTo(ExitStatus.USAGE.code);
        assertThat(fw.calls()).isEmpty();
        assertThat(err.toString()).contains("at most 32 monitors");
    }

    @Test
    void theReportShowsCallersAndVersions() {
        List<Long> h = new ArrayList<>(Collections.nCopies(MonitorStats.BUCKETS, 0L));
        h.set(39, 2L);
        MonitorStats m = new MonitorStats(5, "dynamos_target_fn", true, 9, 4_000_000_000L, List.of(6L, 2L), h, 1,
                List.of(new MonitorStats.CallerStats("target_write+0x9c/0x1b0 [dynamos_target]", 8, h)),
                List.of(new MonitorStats.VersionStats("t", 1, 1, "dynamos_target_fn", 3, List.of()),
                        new MonitorStats.VersionStats("t", 1, 2, "dynamos_target_fn_v2", 5, List.of())));
        StringWriter s = new StringWriter();
        MonitorReport.print(new PrintWriter(s, true), m);
        assertThat(s.toString()).contains("dynamos_target_fn: 8 calls in 4.0 s (2.0 calls/s), 1 missed")
                .contains("[550s, ...)").contains("callers:")
                .contains("target_write+0x9c/0x1b0 [dynamos_target]")
                .contains("versions (calls since the monitor started):")
                .containsPattern("t\\s+1\\s+v2\\s+dynamos_target_fn_v2\\s+5");
    }

    @Test
    void badArgumentsAreUsageErrorsAndHelpHasExamples() {
        assertThat(CliRun.of("monitor").status()).isEqualTo(ExitStatus.USAGE.code);
        assertThat(CliRun.of("monitor").err()).contains("name at least one FUNCTION");
        CliRun active = CliRun.of("monitor", "f", "--max-active", "5000");
        assertThat(active.status()).isEqualTo(ExitStatus.USAGE.code);
        assertThat(active.err()).contains("--max-active must be 1..4096");
        CliRun negative = CliRun.of("monitor", "f", "--duration", "-1");
        assertThat(negative.status()).isEqualTo(ExitStatus.USAGE.code);
        assertThat(negative.err()).contains("seconds must be more than 0");
        assertThat(CliRun.of("monitor", "--list", "f").status()).isEqualTo(ExitStatus.USAGE.code);
        CliRun help = CliRun.of("monitor", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("dynamos monitor vfs_read --duration 10").contains("--by-caller")
                .contains("--max-active").contains("--interval");
    }
}
