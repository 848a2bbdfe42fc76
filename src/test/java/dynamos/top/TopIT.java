package dynamos.top;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.vm.VmResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code dynamos top} on the real kernel (guest scenario {@code top.sh}): a workload calls an updated
 * function all the time; the one-shot text and {@code --json} show its calls per second on the active
 * version, and on the other after a switch; the full screen in a tmux pane shows the update, sorts on
 * {@code s}, does not keep the framework from stopping and then says it is stopped, quits on {@code q} with status 0 and leaves the terminal's settings and screen as they were.
 * The captured pane is saved as {@code target/failsafe-reports/top-pane.txt} (the README's screenshot,
 * docs/top.txt).
 */
class TopIT {
    @Test
    void showsCallRatesPerVersionInTextJsonAndAFullScreenTerminal() throws IOException {
        VmResult r = FrameworkGuest.runScenario("top", Map.of());
        Map<String, String> v = FrameworkGuest.values(r);

        assertThat(v.get("stopped")).contains("the framework is not started; start it with: dynamos start");

        // One-shot text: the active version 2 gets the calls, the original none.
        assertThat(v.get("once_header")).startsWith("dynamos top - kernel ").contains("1 update, 0 monitors");
        String[] v2 = v.get("once_v2").split(" ");
        assertThat(v2[0]).isEqualTo("*");
        assertThat(Double.parseDouble(v2[1])).as("calls/s of the active version").isPositive();
        assertThat(v.get("once_v1")).isEqualTo("- 0");

        // --json: the same picture for scripts.
        JsonNode json = new ObjectMapper().readTree(v.get("json"));
        JsonNode update = json.get("updates").get(0);
        assertThat(update.get("update").asText()).isEqualTo("t");
        assertThat(update.get("active").asInt()).isEqualTo(2);
        assertThat(update.get("path").asText()).isEqualTo("fast");
        JsonNode versions = update.get("versions");
        assertThat(versions.get(1).get("active").asBoolean()).isTrue();
        assertThat(versions.get(1).get("calls_per_second").asDouble()).isPositive();
        assertThat(versions.get(0).get("calls_per_second").asDouble()).isZero();
        assertThat(json.get("interval").asDouble()).isGreaterThan(0.5);

        // After activating version 3 the next picture has the calls there, none on version 2.
        assertThat(v.get("switched_v2")).isEqualTo("- 0");
        String[] v3 = v.get("switched_v3").split(" ");
        assertThat(v3[0]).isEqualTo("*");
        assertThat(Double.parseDouble(v3[1])).isPositive();
        assertThat(v).containsEntry("iterations_headers", "2");
        assertThat(v.get("monitor_header")).contains("1 update, 1 monitor");
        assertThat(Double.parseDouble(v.get("monitor_row"))).as("calls/s of the monitored function").isPositive();

        // Full screen: alternate screen, cursor hidden, sorted on s, quit on q, the terminal restored.
        assertThat(v).containsEntry("pane_alternate", "1").containsEntry("pane_cursor", "0")
                .containsEntry("pane_sorted", "1").containsEntry("pane_stopped", "1").containsEntry("top_status", "0").containsEntry("top_err", "")
                .containsEntry("stty_restored", "yes").containsEntry("pane_alternate_after", "0")
                .containsEntry("pane_cursor_after", "1").containsEntry("pane_after", "0");
        String out = r.output();
        int begin = out.indexOf("=== pane begin\n");
        int end = out.indexOf("=== pane end");
        assertThat(begin).isNotNegative();
        String pane = out.substring(begin + "=== pane begin\n".length(), end).replace("\r", "");
        assertThat(pane).contains("dynamos top - kernel ").contains("UPDATE").contains("q quit  s sort");
        Path saved = Guest.REPO.resolve("target/failsafe-reports/top-pane.txt");
        Files.createDirectories(saved.getParent());
        Files.writeString(saved, pane);
    }
}
