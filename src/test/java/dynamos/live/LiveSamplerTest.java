package dynamos.live;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.monitor.MonitorOptions;
import dynamos.testing.FakeFramework;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LiveSamplerTest {
    private final AtomicLong clock = new AtomicLong(10_000);

    @Test
    void ratesAreCallsSinceThePreviousPicturePerSecond() {
        FakeFramework fw = new FakeFramework();
        fw.register("get_pid", 1, "alloc_pid");
        fw.register("get_pid", 1, "mod:alloc_pid_v2");
        fw.activate("get_pid", 1, 2);
        LiveSampler sampler = new LiveSampler(fw, true, clock::get);

        fw.addCalls("get_pid", 1, 2, 100);
        LiveView first = sampler.sample();
        assertThat(first.intervalSeconds()).isZero();
        assertThat(first.updates().getFirst().versions().get(1).callsPerSecond()).isZero();

        clock.addAndGet(2_000);
        fw.addCalls("get_pid", 1, 2, 300);
        LiveView second = sampler.sample();
        LiveView.UpdateView u = second.updates().getFirst();
        assertThat(second.intervalSeconds()).isEqualTo(2.0);
        assertThat(u.active()).isEqualTo(2);
        assertThat(u.function()).isEqualTo("alloc_pid");
        assertThat(u.path()).isEqualTo("fast");
        assertThat(u.busyTasks()).isZero();
        assertThat(u.versions().get(1).calls()).isEqualTo(400);
        assertThat(u.versions().get(1).callsPerSecond()).isEqualTo(150.0);
        assertThat(u.callsPerSecond()).isEqualTo(150.0);
    }

    @Test
    void monitorRatesPerCpuAndTheRecentHistogram() {
        FakeFramework fw = new FakeFramework();
        int id = fw.monitorStart("vfs_read", MonitorOptions.DEFAULT);
        LiveSampler sampler = new LiveSampler(fw, false, clock::get);
        fw.monitorCalls(id, 0, 50, 10);
        sampler.sample();
        clock.addAndGet(500);
        fw.monitorCalls(id, 1, 20, 12);
        LiveView.MonitorView m = sampler.sample().monitors().getFirst();
        assertThat(m.calls()).isEqualTo(70);
        assertThat(m.callsPerSecond()).isEqualTo(40.0);
        assertThat(m.cpuCallsPerSecond()).containsExactly(0.0, 40.0);
        assertThat(m.recentLatency().get(12)).isEqualTo(20);
        assertThat(m.recentLatency().get(10)).isZero();
        assertThat(m.latency().get(10)).isEqualTo(50);
    }
}
