package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dynamos.testing.FakeFramework;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** status and list show each function's stack of updates, what calls run and functions waiting for their module. */
class FunctionStacksTest {
    /** may_open: fix (v2 active) under cumulative (v1, passes down); target:fn waits for its module. */
    private static FakeFramework stacked() {
        FakeFramework fw = new FakeFramework().moduleAbsent("target");
        fw.register("fix", 1, "may_open");
        fw.register("fix", 1, "fix_mod:may_open_v2");
        fw.activate("fix", 1, 2);
        fw.register("cumulative", 1, "may_open");
        fw.register("cumulative", 1, "cum_mod:may_open_v3");
        fw.register("waiter", 4, "target:fn");
        fw.register("waiter", 4, "waiter_mod:fn_v2");
        fw.activate("waiter", 4, 2);
        return fw;
    }

    private static String text(BiConsumer<PrintWriter, dynamos.framework.VersionTable> printer, FakeFramework fw) {
        StringWriter s = new StringWriter();
        printer.accept(new PrintWriter(s, true), fw.table());
        return s.toString();
    }

    @Test
    void listShowsEachStackBottomToTopAndWhichUpdateDecides() {
        FakeFramework fw = stacked();
        String list = text(UpdateCommands.ListUpdates::print, fw);
        assertThat(list).contains("  id 1: may_open  (stacked 1/2, under cumulative 1)\n")
                .contains("  id 1: may_open  (stacked 2/2, on top)\n")
                .contains("  id 4: target:fn  (waiting for module target)\n")
                .contains("functions (updates bottom to top; calls run the top one's choice, and version 1 without a "
                        + "handler passes them down):\n")
                .contains("  may_open: calls run fix 1 version 2 (fix_mod:may_open_v2) [fast path]\n")
                .containsPattern("    1\\. fix 1 +v2 +decides\n")
                .containsPattern("    2\\. cumulative 1 +v1 +passes down\n")
                .contains("  target:fn: waiting for module target (not loaded); when it loads, calls will run "
                        + "waiter 4 version 2 (waiter_mod:fn_v2)\n");
        // An absent function has no path yet.
        assertThat(list).doesNotContain("(waiter_mod:fn_v2) [");
        // The top update activates its version: it decides, the one below is not used.
        fw.activate("cumulative", 1, 2);
        assertThat(text(UpdateCommands.ListUpdates::print, fw))
                .contains("  may_open: calls run cumulative 1 version 2 (cum_mod:may_open_v3) [fast path]\n")
                .containsPattern("    1\\. fix 1 +v2 +below\n").containsPattern("    2\\. cumulative 1 +v2 +decides\n");
    }

    @Test
    void aHandlerOnTopChoosesPerCall() {
        FakeFramework fw = stacked();
        fw.setHandler("cumulative", 1, "cum_mod:pick");
        assertThat(text(UpdateCommands.ListUpdates::print, fw))
                .contains("  may_open: calls run the choice of cumulative 1's handler cum_mod:pick per call "
                        + "(else cumulative 1 version 1 (may_open)) [handler path]\n")
                .containsPattern("    2\\. cumulative 1 +v1 +handler cum_mod:pick +decides\n");
    }

    @Test
    void longUpdateAndHandlerNamesStaySeparatedFromTheNextColumn() {
        FakeFramework fw = stacked();
        fw.register("a_rather_long_update_name_here", 7, "may_open");
        fw.setHandler("a_rather_long_update_name_here", 7, "dynamos_example_linger_longer:choose_version");
        assertThat(text(UpdateCommands.ListUpdates::print, fw))
                .contains("    3. a_rather_long_update_name_here 7 v1  "
                        + "handler dynamos_example_linger_longer:choose_version decides\n");
    }

    @Test
    void statusHasStackAndTargetColumnsAndTheFunctions() {
        String status = text(StatusCommand::print, stacked());
        assertThat(status.lines().findFirst().orElseThrow()).contains(" STACK TARGET PATH    HOOKS");
        assertThat(status).containsPattern("cumulative +1 +2 no .* 2/2 +loaded +fast +-\n")
                .containsPattern("waiter +4 +2 yes .* 1/1 +absent +- +-\n")
                .contains("  may_open: calls run fix 1 version 2 (fix_mod:may_open_v2) [fast path]\n");
    }

    @Test
    void jsonOfListAndStatusHasTheFunctionsWithTheirStacks() throws Exception {
        FakeFramework fw = stacked();
        JsonNode list = new ObjectMapper().readTree(JsonOutput.write(UpdateCommands.ListUpdates.shown(fw.table())));
        assertThat(list.at("/functions/0/function").asText()).isEqualTo("may_open");
        assertThat(list.at("/functions/0/target").asText()).isEqualTo("loaded");
        assertThat(list.at("/functions/0/path").asText()).isEqualTo("fast");
        assertThat(list.at("/functions/1/path").asText()).isEqualTo("-");
        assertThat(list.at("/functions/0/runs/update").asText()).isEqualTo("fix");
        assertThat(list.at("/functions/0/runs/version").asInt()).isEqualTo(2);
        assertThat(list.at("/functions/0/runs/code").asText()).isEqualTo("fix_mod:may_open_v2");
        assertThat(list.at("/functions/0/stack/1/update").asText()).isEqualTo("cumulative");
        assertThat(list.at("/functions/0/stack/1/level").asInt()).isEqualTo(1);
        assertThat(list.at("/functions/0/stack/1/role").asText()).isEqualTo("passes down");
        assertThat(list.at("/functions/0/stack/0/active_code").asText()).isEqualTo("fix_mod:may_open_v2");
        assertThat(list.at("/functions/1/target").asText()).isEqualTo("absent");
        assertThat(list.at("/functions/1/module").asText()).isEqualTo("target");
        assertThat(list.at("/updates/1/functions/0/level").asInt()).isEqualTo(1);
        assertThat(list.at("/updates/1/functions/0/depth").asInt()).isEqualTo(2);
        assertThat(list.at("/updates/2/functions/0/target").asText()).isEqualTo("absent");

        FakeFramework plain = new FakeFramework();
        plain.register("only", 1, "f");
        JsonNode nothingDecides = new ObjectMapper().readTree(JsonOutput.write(FunctionStacks.shown(plain.table())));
        assertThat(nothingDecides.at("/0/runs/update").isNull()).isTrue();
        assertThat(nothingDecides.at("/0/runs/text").asText()).isEqualTo("the original");
        assertThat(nothingDecides.at("/0/stack/0/role").asText()).isEqualTo("passes down");
    }
}
