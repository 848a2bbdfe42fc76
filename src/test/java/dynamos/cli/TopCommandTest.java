package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dynamos.framework.Framework;
import dynamos.live.LiveSampler;
import dynamos.testing.FakeFramework;
import dynamos.top.TopReport;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TopCommandTest {
    @Test
    void notInATerminalWithTheFrameworkStoppedItSaysHowToStartItAndFails() {
        assumeFalse(Framework.started(), "dynamos.ko is loaded on this machine");
        CliRun r = CliRun.of("top", "--interval", "0.1");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("dynamos: the framework is not started; start it with: dynamos start\n");
        assertThat(r.out()).isEmpty();
        assertThat(CliRun.of("top", "--json", "--interval", "0.1").status()).isEqualTo(1);
    }

    @Test
    void badIntervalsAndIterationsAreUsageErrors() {
        CliRun r = CliRun.of("top", "--interval", "0");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--interval takes 0.1 to 3600 seconds, not '0'");
        assertThat(CliRun.of("top", "--iterations", "0").err()).contains("--iterations takes a number of pictures, 1 or more");
        assertThat(CliRun.of("top", "--help").out()).contains("--once", "--json", "--interval=S", "--iterations=N",
                "q quit, s sort");
    }

    @Test
    void jsonNamesFieldsAsTheOtherCommandsDo() {
        FakeFramework fw = new FakeFramework();
        fw.register("get_pid", 1, "alloc_pid");
        fw.register("get_pid", 1, "mod:alloc_pid_v2");
        fw.activate("get_pid", 1, 2);
        AtomicLong clock = new AtomicLong(1000);
        LiveSampler sampler = new LiveSampler(true, clock::get);
        sampler.sample(fw);
        fw.addCalls("get_pid", 1, 2, 250);
        clock.addAndGet(500);
        String json = JsonOutput.write(TopReport.of(sampler.sample(fw), "6.1.0-test"));
        assertThat(json).startsWith("{\"kernel\": \"6.1.0-test\", \"framework\": \"0.1.0\", \"at\": 1500, \"interval\": 0.5, ")
                .contains("\"update\": \"get_pid\", \"id\": 1, \"function\": \"alloc_pid\", \"active\": 2, \"handler\": null, "
                        + "\"path\": \"fast\", \"calls_per_second\": 500.0, \"busy_tasks\": 0, \"phase\": 0, \"must_update\": false")
                .contains("{\"version\": 2, \"function\": \"mod:alloc_pid_v2\", \"module\": \"mod\", \"active\": true, "
                        + "\"state\": \"live\", \"calls\": 250, \"calls_per_second\": 500.0}")
                .contains("\"monitors\": []");
    }
}
