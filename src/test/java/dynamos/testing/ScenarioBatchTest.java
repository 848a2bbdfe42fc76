package dynamos.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScenarioBatchTest {
    private static final Path RUN = Path.of("/runs/1");

    @Test
    void eachScenarioGetsItsOwnOutputAndExitStatus() {
        String out = "@@@ scenario a\n@@ x=1\nline\n\n@@@ exit a 0\n"
                + "@@@ scenario b\n@@ x=2\n\n@@@ exit b 1\n"
                + "@@@ scenario c\nno newline at the end\n@@@ exit c 0\n"
                + "@@@ scenario d\n\n@@@ exit d 0\n";
        Map<String, VmResult> r = ScenarioBatch.split(new VmResult(0, out, RUN), List.of("a", "b", "c", "d"));
        assertThat(r.get("a")).isEqualTo(new VmResult(0, "@@ x=1\nline\n", RUN));
        assertThat(r.get("b")).isEqualTo(new VmResult(1, "@@ x=2\n", RUN));
        assertThat(r.get("c")).isEqualTo(new VmResult(0, "no newline at the end", RUN));
        assertThat(r.get("d")).isEqualTo(new VmResult(0, "", RUN));
    }

    @Test
    void scenariosThatDidNotFinishOrRunFail() {
        String out = "@@@ scenario a\ndone\n\n@@@ exit a 0\nscenarios.sh: still loaded after a: m\n"
                + "@@@ scenario b\nhalf";
        Map<String, VmResult> ended = ScenarioBatch.split(new VmResult(0, "@@@ scenario a\n@@ x=1\n", RUN), List.of("a"));
        assertThat(ended.get("a").exitCode()).isEqualTo(125);
        assertThat(ended.get("a").output()).contains("@@ x=1").contains("did not finish");
        Map<String, VmResult> r = ScenarioBatch.split(new VmResult(1, out, RUN), List.of("a", "b", "c"));
        assertThat(r.get("a").exitCode()).isZero();
        assertThat(r.get("b").exitCode()).isEqualTo(1);
        assertThat(r.get("b").output()).startsWith("half");
        assertThat(r.get("c").exitCode()).isEqualTo(1);
        assertThat(r.get("c").output()).contains("did not run").contains("still loaded after a");
    }
}
