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
}
