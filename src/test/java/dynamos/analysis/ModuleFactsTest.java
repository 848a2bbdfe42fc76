package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.btf.Btf;
import dynamos.btf.KernelBtf;
import dynamos.btf.ModuleBtf;
import dynamos.elf.ElfObject;
import dynamos.kbuild.ModuleBuild;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classification on real compiler output: a small module built during the test against the cached
 * target kernel's headers, with a function of each kind and a known answer for each.
 */
class ModuleFactsTest {
    @TempDir
    static Path dir;

    static KernelFacts facts;
    static Map<String, Classification> got;

    @BeforeAll
    static void buildModule() throws Exception {
        KernelRelease kernel = KernelCache.atDefault().list().stream()
                .filter(k -> Files.isRegularFile(k.image()) && k.headersInstalled())
                .max(Comparator.comparing(KernelRelease::version)).orElse(null);
        assumeTrue(kernel != null, "no cached target kernel with headers (run: dynamos setup)");
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("Kbuild"), "obj-m := dynamos_analyze_test.o\n");
        Files.writeString(src.resolve("dynamos_analyze_test.c"), """
                #include <linux/module.h>
                #include <linux/init.h>

                static int counter;

                /* notrace, called from one traced function only: updatable through it */
                static noinline notrace int quiet_helper(int x)
                {
                	return x * 3 + counter;
                }

                /* notrace, reached through a pointer: not updatable */
                static noinline notrace int pointer_target(int x)
                {
                	return x + counter;
                }
                static int (*volatile hook)(int) = pointer_target;

                /* notrace, reached by a tail call only */
                static noinline notrace int quiet_tail(int x)
                {
                	return x ^ counter;
                }

                noinline int traced_caller(int x)
                {
                	return quiet_helper(x) + hook(x);
                }
                EXPORT_SYMBOL_GPL(traced_caller);

                noinline int tail_caller(int x)
                {
                	counter++;
                	return quiet_tail(x);
                }
                EXPORT_SYMBOL_GPL(tail_caller);

                /* assembly: a loop whose head is its second instruction, a jump back into its first 5 bytes */
                asm(".pushsection .text\\n"
                    ".type asm_entry_loop, @function\\n"
                    "asm_entry_loop:\\n"
                    "	push %rbx\\n"
                    "1:	sub $1, %rdi\\n"
                    "	test %rdi, %rdi\\n"
                    "	jnz 1b\\n"
                    "	pop %rbx\\n"
                    "	jmp __x86_return_thunk\\n"
                    ".size asm_entry_loop, .-asm_entry_loop\\n"
                    ".popsection\\n");

                static int __init analyze_test_init(void)
                {
                	return traced_caller(1) + tail_caller(2) == -1;
                }

                static void __exit analyze_test_exit(void)
                {
                	counter = 0;
                }
                module_init(analyze_test_init);
                module_exit(analyze_test_exit);
                MODULE_LICENSE("GPL");
                """);
        Path ko = ModuleBuild.build(src, dir.resolve("build"), kernel).getFirst();
        Path baseFile = KernelBtf.file(kernel);
        Btf module = ModuleBtf.generate(ko, Btf.read(baseFile), baseFile);
        facts = ModuleFacts.of("dynamos_analyze_test", ElfObject.read(ko), FactsCache.btfFunctions(module));
        got = Classifier.classify(facts).stream().filter(c -> !TextLayout.isMarker(c.symbol().fullName()))
                .collect(Collectors.toMap(Classification::key, Function.identity()));
    }

    @Test
    void dynamosBuildNamesWhereAVersionsCodeRunsOutsideItsSymbol() {
        assertThat(VersionAdvice.notes(facts, List.of("tail_caller", "traced_caller")))
                .singleElement().asString()
                .startsWith("version tail_caller tail-calls quiet_tail: its code runs there")
                .contains("removal waits for tasks there too");
    }

    @Test
    void tracedFunctionsAreUpdatableDirectly() {
        assertThat(got.get("traced_caller").category()).isEqualTo(Category.DIRECT);
        assertThat(got.get("tail_caller").category()).isEqualTo(Category.DIRECT);
        assertThat(facts.ftraceUnmatched()).isZero();
    }

    @Test
    void aNotraceFunctionCalledOnlyByUpdatableOnesIsUpdatableThroughThem() {
        Classification helper = got.get("quiet_helper");
        assertThat(helper.category()).isEqualTo(Category.THROUGH_CALLERS);
        assertThat(helper.reason()).isEqualTo(Reason.NOTRACE);
        assertThat(helper.callers()).containsExactly("traced_caller");
        Classification tail = got.get("quiet_tail");
        assertThat(tail.category()).isEqualTo(Category.THROUGH_CALLERS);
        assertThat(facts.callGraph().tailCallsOf("tail_caller")).as("return quiet_tail(x): a sibling call")
                .containsExactly("quiet_tail");
    }

    @Test
    void aFunctionReachedThroughAPointerIsNotUpdatable() {
        Classification target = got.get("pointer_target");
        assertThat(target.category()).isEqualTo(Category.NOT_UPDATABLE);
        assertThat(target.reason()).isEqualTo(Reason.NOTRACE);
        assertThat(facts.callGraph().addressTaken()).contains("pointer_target", "traced_caller", "tail_caller");
    }

    @Test
    void initTextIsFreedAndExitTextIsNotrace() {
        assertThat(got.get("analyze_test_init").category()).isEqualTo(Category.FREED_AFTER_BOOT);
        Classification exit = got.get("analyze_test_exit");
        assertThat(exit.category()).as("__exit is notrace and the module structure points to it")
                .isEqualTo(Category.NOT_UPDATABLE);
        assertThat(exit.reason()).isEqualTo(Reason.NOTRACE);
    }

    @Test
    void decodedEntryJumpsOfModuleFunctions() {
        assumeTrue(dynamos.x86.Decoder.available(), "Zydis missing: apt-get install libzydis-dev");
        assertThat(facts.entryBranches()).containsExactly("asm_entry_loop");
        assertThat(facts.propertiesOf("asm_entry_loop").entryBranches()).isEqualTo(1);
        assertThat(facts.propertiesOf("asm_entry_loop").dataInCode()).isZero();
        assertThat(got.get("asm_entry_loop").category()).isEqualTo(Category.NOT_UPDATABLE);
    }

    @Test
    void everyFunctionSymbolIsInExactlyOneCategory() {
        Set<String> functions = new HashSet<>();
        for (TextSymbol s : facts.symbols()) {
            if (!TextLayout.isMarker(s.fullName())) {
                functions.add(s.key());
            }
        }
        assertThat(got.keySet()).isEqualTo(functions);
        List<String> expected = List.of("quiet_helper", "pointer_target", "quiet_tail", "traced_caller", "tail_caller",
                "analyze_test_init", "analyze_test_exit");
        assertThat(got.keySet()).containsAll(expected);
    }
}
