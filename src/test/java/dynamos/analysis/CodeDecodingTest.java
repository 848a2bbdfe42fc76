package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.elf.ElfObject;
import dynamos.x86.Decoder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decoded facts on real machine code: src/test/resources/analysis/decoding.S assembled and linked
 * during the test at the kernel's text address (a module's .ko would leave the jump table and absolute
 * addresses to relocations), its symbols listed as kallsyms would, and read through
 * {@link FactsCache#withCallGraph} as the kernel image is.
 */
class CodeDecodingTest {
    @TempDir
    static Path dir;

    static KernelFacts facts;

    @BeforeAll
    static void build() throws Exception {
        assumeTrue(Decoder.available(), "Zydis missing: apt-get install libzydis-dev");
        Path src = dir.resolve("decoding.S");
        try (InputStream in = CodeDecodingTest.class.getResourceAsStream("/analysis/decoding.S")) {
            Files.copy(in, src);
        }
        run("gcc", "-c", src.toString(), "-o", dir.resolve("decoding.o").toString());
        run("ld", "-o", dir.resolve("image").toString(), "-Ttext=0xffffffff81000000", "-e", "caller",
                dir.resolve("decoding.o").toString());
        List<String> kallsyms = new ArrayList<>();
        for (String line : run("nm", "-n", dir.resolve("image").toString()).split("\n")) {
            if (!line.isBlank()) {
                kallsyms.add(line);
            }
        }
        KernelFacts plain = KernelFacts.of("test", kallsyms, List.of("caller"), Set.of(), CallGraph.UNKNOWN);
        facts = FactsCache.withCallGraph(plain, ElfObject.read(dir.resolve("image")));
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }

    @Test
    void callsAndTailCalls() {
        assertThat(facts.callGraph().tailCallsOf("caller")).containsExactly("tailee"); // jmp __x86_return_thunk is a return
        assertThat(facts.callGraph().callersOf("callee")).contains("caller");
        assertThat(facts.callGraph().callersOf("tailee")).contains("caller");
        assertThat(facts.propertiesOf("caller").any()).isFalse();
    }

    @Test
    void aJumpTableIsAnIndirectJumpThroughATableIntoTheFunction() {
        FunctionProperties p = facts.propertiesOf("switcher");
        assertThat(p.jumpTables()).isEqualTo(1);
        assertThat(p.indirectJumps()).isEqualTo(1);
        assertThat(p.entryBranches()).isZero();
    }

    @Test
    void aTableOfFunctionsJumpedThroughARetpolineIsAnIndirectJumpOnly() {
        FunctionProperties p = facts.propertiesOf("dispatcher");
        assertThat(p.indirectJumps()).isEqualTo(1);
        assertThat(p.jumpTables()).isZero();
        assertThat(facts.callGraph().tailCallsOf("dispatcher")).isEmpty();
    }

    @Test
    void aLoopBackIntoTheFirstFiveBytesIsAnEntryBranch() {
        assertThat(facts.propertiesOf("looper").entryBranches()).isEqualTo(1);
        assertThat(facts.entryBranches()).containsExactly("looper");
    }

    @Test
    void dataInCode() {
        // four bytes that do not decode, and the lea that points at them (no instruction there)
        assertThat(facts.propertiesOf("withdata").dataInCode()).isEqualTo(5);
        assertThat(facts.propertiesOf("withdata").textReferences()).isZero();
    }

    @Test
    void referencesIntoTheMiddleOfOtherCode() {
        // lea switcher+3(%rip) and mov $switcher+5; lea withdata(%rip) is a function start, not counted
        assertThat(facts.propertiesOf("midref").textReferences()).isEqualTo(2);
        assertThat(facts.propertiesOf("switcher").textReferences()).isZero();
    }
}
