package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dynamos analyze --facts DIR} over listings of a tiny made-up kernel. */
class AnalyzeCommandTest {
    @TempDir
    Path dir;

    private Path facts() throws IOException {
        Files.write(dir.resolve("kallsyms"), List.of(
                "ffffffff81000000 T _stext",
                "ffffffff81001000 T direct_fn",
                "ffffffff81001100 t foo",
                "ffffffff81001200 t quiet_fn",
                "ffffffff81001300 t foo",
                "ffffffff81001400 t foo.cold",
                "ffffffff81001500 T _etext",
                "ffffffffc0000000 t modfn\t[mod]"));
        Files.write(dir.resolve("available_filter_functions"), List.of("direct_fn", "foo", "foo", "modfn [mod]"));
        Files.writeString(dir.resolve("release"), "6.1.0-test-amd64\n");
        return dir;
    }

    @Test
    void printsTheSummaryTable() throws IOException {
        CliRun r = CliRun.of("analyze", "--facts", facts().toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("Kernel 6.1.0-test-amd64: 7 text symbols, 3 ftrace sites")
                .containsPattern("updatable directly \\(ftrace site\\)\\s+3\\s+42\\.86\\s+83\\.01\\s+82\\.35\\s+79\\.19")
                .containsPattern("not updatable\\s+1\\s+14\\.29")
                .contains("Updatable: 3 of 4 functions of the running kernel (75.00%); goal 95%: not met");
    }

    @Test
    void explainsOneFunction() throws IOException {
        CliRun r = CliRun.of("analyze", "--facts", facts().toString(), "foo");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("foo (2 functions of this name): updatable directly")
                .contains("foo#1  _text+0x1100  256 bytes  local  text  updatable directly  parts: foo.cold")
                .contains("foo#2  _text+0x1300")
                .contains("Note: foo#2 lies after direct_fn and before the end of the text");
        CliRun absent = CliRun.of("analyze", "--facts", dir.toString(), "may_create_in_sticky");
        assertThat(absent.out()).contains("inlined into all its callers");
    }

    @Test
    void jsonAndCsvForScripts() throws IOException {
        Path csv = dir.resolve("out/report.csv");
        CliRun r = CliRun.of("analyze", "--facts", facts().toString(), "--json", "--csv", csv.toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("{\"release\": \"6.1.0-test-amd64\", \"text_symbols\": 7, \"ftrace_sites\": 3,")
                .contains("\"categories\": {\"direct\": 3, \"through_callers\": 0, \"not_updatable\": 1, "
                        + "\"part_of_another\": 1, \"freed_after_boot\": 0, \"not_a_function\": 2}")
                .contains("\"updatable_percent\": 75.0");
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines).hasSize(8);
        assertThat(lines.getFirst()).startsWith("name,position,namesakes,offset,size");
        assertThat(lines).contains("foo.cold,1,1,0x1400,256,t,text,cold,foo,part_of_another,,foo#1,,,,false,,0,0,0,0,0,0,0,0,0,0,0");
        CliRun one = CliRun.of("analyze", "--facts", dir.toString(), "quiet_fn", "--json");
        assertThat(one.out()).contains("\"updatable\": false").contains("\"reason\": \"no_c_record\"")
                .contains("\"inside\": {\"exception_entries\": 0, ");
    }

    @Test
    void missingListingsAreAnErrorThatSaysWhatToCopy() {
        CliRun r = CliRun.of("analyze", "--facts", dir.toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).startsWith("dynamos: " + dir + " has no file kallsyms: copy /proc/kallsyms (as root)");
        CliRun both = CliRun.of("analyze", "--facts", dir.toString(), "--collect");
        assertThat(both.status()).isEqualTo(1);
        assertThat(both.err()).contains("leave out --collect");
    }

    @Test
    void modulesNeedACachedKernel() throws IOException {
        CliRun r = CliRun.of("analyze", "--facts", facts().toString(), "--modules");
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("dynamos: --modules reads the modules of a cached kernel: leave out --facts"
                + System.lineSeparator());
        CliRun one = CliRun.of("analyze", "--facts", dir.toString(), "fat:fat_fill_super");
        assertThat(one.status()).isEqualTo(1);
        assertThat(one.err()).contains("MODULE:FUNCTION reads the module of a cached kernel: leave out --facts");
    }

    @Test
    void withTheInliningFactsInTheDirectory() throws IOException {
        facts();
        CliRun without = CliRun.of("analyze", "--facts", dir.toString());
        assertThat(without.out()).contains("not known; dynamos analyze --debug-info derives it once")
                .doesNotContain("Also inlined into callers");
        new dynamos.analysis.InlineFacts("6.1.0-test-amd64", List.of(
                new dynamos.dwarf.DebugInfo.Function("direct_fn", "k/a.c", "k/a.c", 0x1000, 1),
                new dynamos.dwarf.DebugInfo.Function("foo", "fs/one.c", "fs/one.c", 0x1100, 1),
                new dynamos.dwarf.DebugInfo.Function("foo", "fs/two.c", "fs/two.c", 0x1300, 1)), List.of(
                new dynamos.dwarf.DebugInfo.InlinedCopy("inl", "include/i.h", 0, 1),
                new dynamos.dwarf.DebugInfo.InlinedCopy("inl", "include/i.h", 2, 3),
                new dynamos.dwarf.DebugInfo.InlinedCopy("direct_fn", "k/a.c", 1, 1)))
                .write(dir.resolve(dynamos.analysis.InlineFacts.FILE));
        CliRun summary = CliRun.of("analyze", "--facts", dir.toString());
        assertThat(summary.status()).isZero();
        assertThat(summary.out()).containsPattern("Also inlined into callers \\(DWARF\\)\\s+1\\s+14\\.29")
                .containsPattern("functions with inlined copies in running code\\s+2")
                .containsPattern("of them with no text symbol \\(inlined everywhere\\)\\s+1");
        CliRun inl = CliRun.of("analyze", "--facts", dir.toString(), "inl");
        assertThat(inl.out()).startsWith("inl has no symbol of its own: it is inlined into 2 function(s)")
                .contains("  foo#2  3 copies of inl (include/i.h)")
                .contains("  DYNAMOS_REPLACE(1, direct_fn, direct_fn_v2);\n  DYNAMOS_REPLACE(2, foo, foo_v2);");
        assertThat(CliRun.of("analyze", "--facts", dir.toString(), "foo").out())
                .contains("Note: DYNAMOS_SYMBOL(foo, 1) is the foo of fs/one.c")
                .contains("Note: DYNAMOS_SYMBOL(foo, 2) is the foo of fs/two.c");
        assertThat(CliRun.of("analyze", "--facts", dir.toString(), "inl", "--json").out())
                .contains("\"updatable\": true")
                .contains("\"inlined_into\": [{\"holder\": \"direct_fn\", \"function\": \"inl\", \"file\": \"include/i.h\",");
        assertThat(CliRun.of("analyze", "--facts", dir.toString(), "--json").out())
                .contains("\"inlining\": {\"inlined_functions\": 2, \"without_symbol\": 1,");
        CliRun refused = CliRun.of("analyze", "--facts", dir.toString(), "--debug-info");
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("leave out --facts");
    }
}
