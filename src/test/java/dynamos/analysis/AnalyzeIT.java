package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dynamos.cli.CliRun;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.vm.VmResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: {@code dynamos analyze} over Debian's current kernel, by both of its routes - the
 * listings collected once in the VM ({@code --collect}, what a developer's machine does for the VM's
 * kernel) and the running kernel read live (in the guest, what a real machine does) - which must
 * agree exactly; the totals are consistent (every text symbol in one category), and known functions
 * get their known answers.
 */
class AnalyzeIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path share;

    @Test
    void theCollectedAndTheLiveAnalysisAgreeTheTotalsAddUpAndKnownFunctionsAreRight() throws IOException {
        String release = Guest.kernel().version();

        // 1. --collect boots the kernel once and caches its listings; the summary comes from them.
        Set<Path> before = ourRuns();
        Path csv = share.resolve("report.csv");
        CliRun collected = CliRun.of("analyze", "--collect", "--json", "--csv", csv.toString(), "--kernel-version", release);
        assertThat(collected.status()).as(collected.err()).isZero();
        Set<Path> collectRuns = new HashSet<>(ourRuns());
        collectRuns.removeAll(before);
        assertThat(collectRuns).as("the VM run of --collect").hasSize(1);
        Guest.assertCleanKernelLog(new VmResult(0, "", collectRuns.iterator().next()));
        JsonNode summary = JSON.readTree(collected.out());

        // 2. In the guest, on the running kernel: the same answer, to the symbol.
        VmResult r = FrameworkGuest.runScenario("analyze", Map.of("ANALYZE_SHARE", share.toString()),
                o -> o.share = share);
        assertThat(FrameworkGuest.values(r)).containsEntry("loaded", "0");
        JsonNode live = JSON.readTree(Files.readString(share.resolve("live.json")));
        assertThat(live).isEqualTo(summary);

        // 3. Every text symbol is in exactly one top-level category; the reasons add up.
        assertThat(summary.get("release").asText()).isEqualTo(release);
        JsonNode c = summary.get("categories");
        int symbols = summary.get("text_symbols").asInt();
        int sum = 0;
        for (JsonNode n : c) {
            sum += n.asInt();
        }
        assertThat(sum).isEqualTo(symbols);
        int reasons = 0;
        for (JsonNode n : summary.get("not_updatable_reasons")) {
            reasons += n.asInt();
        }
        assertThat(reasons).isEqualTo(c.get("not_updatable").asInt());
        assertThat(c.get("direct").asInt()).as("one ftrace site, one function").isEqualTo(summary.get("ftrace_sites").asInt());
        assertThat(summary.get("updatable").asInt()).isEqualTo(c.get("direct").asInt() + c.get("through_callers").asInt());
        assertThat(summary.get("live_functions").asInt()).isEqualTo(symbols - c.get("part_of_another").asInt()
                - c.get("freed_after_boot").asInt() - c.get("not_a_function").asInt());
        assertThat(summary.get("updatable").asInt() + c.get("not_updatable").asInt())
                .isEqualTo(summary.get("live_functions").asInt());
        assertThat(summary.get("call_graph").asBoolean()).isTrue();
        assertThat(c.get("through_callers").asInt()).isPositive();

        // 4. Known functions of this build: from the full report (name,position,...,category,reason,...), and the
        // inlined ones (no symbol of their own) explained.
        Map<String, String[]> rows = new HashMap<>();
        for (String line : Files.readAllLines(csv)) {
            String[] f = line.split(",", -1);
            rows.putIfAbsent(f[0], f);
        }
        assertThat(rows.get("name")[9]).isEqualTo("category");
        assertThat(rows.size()).isGreaterThan(summary.get("text_symbols").asInt() / 2);
        assertThat(rows.get("pipe_read")[9]).isEqualTo("direct");
        assertThat(rows.get("__schedule")[9] + " " + rows.get("__schedule")[10]).isEqualTo("not_updatable notrace");
        assertThat(rows.get("start_kernel")[9]).isEqualTo("freed_after_boot");
        assertThat(rows).as("inlined into their callers: no symbol of their own")
                .doesNotContainKeys("do_open", "may_create_in_sticky");
        JsonNode e = explain(release, "do_open");
        assertThat(e.get("symbols")).isEmpty();
        // Which callers hold the copies is known when the kernel's DWARF was derived (--debug-info).
        assertThat(e.get("verdict").asText()).containsAnyOf("inlined into all its callers",
                "it is inlined into 1 function(s) that run after boot (the kernel's DWARF): path_openat;");
    }

    /** The VM run directories of this JVM (named STAMP-PID). */
    private static Set<Path> ourRuns() throws IOException {
        Path runs = Guest.cache().root().resolve("runs");
        if (!Files.isDirectory(runs)) {
            return Set.of();
        }
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(p -> p.getFileName().toString().endsWith("-" + ProcessHandle.current().pid()))
                    .collect(Collectors.toSet());
        }
    }

    private static JsonNode explain(String release, String function) throws IOException {
        CliRun run = CliRun.of("analyze", function, "--json", "--kernel-version", release);
        assertThat(run.status()).as(run.err()).isZero();
        return JSON.readTree(run.out());
    }
}
