package dynamos.objdiff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dynamos.elf.NativeTools;
import dynamos.x86.Decoder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles small C files before and after a change, with the kernel's code model and function/data sections, and
 * checks the comparison's verdict on each function and data object.
 */
class ObjectComparisonTest {
    static final String[] FLAGS = {"-O2", "-ffunction-sections", "-fdata-sections", "-fno-pic", "-mcmodel=kernel",
        "-fno-asynchronous-unwind-tables", "-mno-red-zone", "-fno-strict-aliasing"};

    static final String PRELUDE = """
            extern int printk(const char *fmt, ...);
            extern void __might_sleep(const char *file, int line);
            extern void my_logger(const char *file, int line);
            #define noinline __attribute__((noinline))
            """;

    @TempDir
    Path dir;

    @BeforeAll
    static void needsTools() {
        assumeTrue(NativeTools.available("gcc"), "gcc is needed");
        assumeTrue(Decoder.available(), "Zydis missing: apt-get install libzydis-dev");
    }

    ObjectDiff diff(String before, String after) throws Exception {
        Path a = Files.createDirectories(dir.resolve("before"));
        Path b = Files.createDirectories(dir.resolve("after"));
        return ObjectComparison.compare(compile(a, before), compile(b, after));
    }

    /** Compiles {@code unit.c} by its relative name, so that {@code __FILE__} is the same before and after. */
    static Path compile(Path in, String source) throws Exception {
        Files.writeString(in.resolve("unit.c"), PRELUDE + source);
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("gcc", "-c"));
        command.addAll(java.util.List.of(FLAGS));
        command.addAll(java.util.List.of("-o", "unit.o", "unit.c"));
        NativeTools.run(in, command.toArray(String[]::new));
        return in.resolve("unit.o");
    }

    @Test
    void aChangedStringChangesOnlyItsFunction() throws Exception {
        String source = """
                int first(int x) { return printk("first %d\\n", x); }
                int second(int x) { return printk("second %d\\n", x); }
                """;
        ObjectDiff d = diff(source, source.replace("first %d", "first: %d"));

        assertThat(d.function("first").orElseThrow().status()).isEqualTo(Status.CHANGED);
        assertThat(d.function("first").orElseThrow().differences()).anyMatch(s -> s.contains("first: %d"));
        assertThat(d.function("second").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(d.refusals()).isEmpty();
    }

    @Test
    void identicalSourcesCompareUnchanged() throws Exception {
        String source = """
                static int calls;
                int count(int x) { calls += x; return printk("count %d\\n", calls); }
                """;
        ObjectDiff d = diff(source, source);

        assertThat(d.functions()).allMatch(f -> f.status() == Status.UNCHANGED);
        assertThat(d.data()).allMatch(x -> x.status() == Status.UNCHANGED);
        assertThat(d.changesAnything()).isFalse();
    }

    @Test
    void aStringAddedElsewhereShiftsNothing() throws Exception {
        String after = """
                int early(int x) { return printk("a new string that comes first %d\\n", x); }
                int first(int x) { return printk("first %d\\n", x); }
                """;
        ObjectDiff d = diff("int first(int x) { return printk(\"first %d\\n\", x); }\n", after);

        assertThat(d.function("first").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(d.function("early").orElseThrow().status()).isEqualTo(Status.NEW);
    }

    @Test
    void aNewStaticFunctionAndNewStaticDataComeWithTheChangedCaller() throws Exception {
        String before = """
                int handler(int x) { return x + 1; }
                """;
        String after = """
                static int seen[4];
                static noinline int record(int x) { seen[x & 3]++; return seen[x & 3]; }
                int handler(int x) { return record(x) + 1; }
                """;
        ObjectDiff d = diff(before, after);

        FunctionDiff handler = d.function("handler").orElseThrow();
        assertThat(handler.status()).isEqualTo(Status.CHANGED);
        assertThat(d.function("record").orElseThrow().status()).isEqualTo(Status.NEW);
        assertThat(d.datum("seen").orElseThrow().status()).isEqualTo(Status.NEW);
        assertThat(handler.references()).contains(new Reference("record", Reference.Kind.CALL, true, true));
        assertThat(d.function("record").orElseThrow().references())
                .contains(new Reference("seen", Reference.Kind.ADDRESS, true, true));
        assertThat(d.refusals()).isEmpty();
    }

    @Test
    void aChangedStaticInlinedIntoTwoCallersChangesBothCallers() throws Exception {
        String before = """
                static inline int scale(int x) { return x * 3 + 7; }
                int left(int x) { return scale(x) + 1; }
                int right(int x) { return scale(x) ^ 5; }
                int other(int x) { return x - 9; }
                """;
        ObjectDiff d = diff(before, before.replace("x * 3 + 7", "x * 5 + 7"));

        assertThat(d.functions(Status.CHANGED)).containsExactlyInAnyOrder("left", "right");
        assertThat(d.function("other").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(d.function("scale")).isEmpty();
    }

    @Test
    void aStaticThatLosesItsOutOfLineCopyIsReportedAsSuch() throws Exception {
        String before = """
                static noinline int scale(int x) { return x * 3 + 7; }
                int left(int x) { return scale(x) + 1; }
                """;
        ObjectDiff d = diff(before, before.replace("static noinline int scale", "static inline int scale"));

        assertThat(d.function("scale").orElseThrow().status()).isEqualTo(Status.NO_OUT_OF_LINE_COPY);
        assertThat(d.function("left").orElseThrow().status()).isEqualTo(Status.CHANGED);
    }

    static final String WARNS = NativeTools.WARN_HERE + """
            #define MIGHT_SLEEP() __might_sleep(__FILE__, __LINE__)
            int sleeper(int x) { MIGHT_SLEEP(); return x * 2; }
            int warner(int x) { if (x > 5) WARN_HERE(); return x + 1; }
            int logger(int x) { my_logger(__FILE__, __LINE__); return x + 3; }
            """;

    @Test
    void aBugEntryWhoseFileStringGccNumbersDifferentlyAfterANewStringIsOnlyALineShift() throws Exception {
        // The new string before the WARN makes GCC's label of __FILE__ .LC1 instead of .LC0 (kernel/sys.c in 6.1).
        String added = "int chatty(int x) { return printk(\"chatty %d\\n\", x); }\n";
        ObjectDiff d = diff(WARNS, added + WARNS);

        assertThat(d.function("warner").orElseThrow().status()).as("%s", d.function("warner"))
                .isEqualTo(Status.LINE_NUMBERS_ONLY);
        assertThat(d.function("chatty").orElseThrow().status()).isEqualTo(Status.NEW);
    }

    @Test
    void aPointerJustPastAStaticArrayThatGccNumbersDifferentlyIsTheSameReference() throws Exception {
        // kernel/sys.c's validate_prctl_map_addr: a loop over a function-scope static array ends at offsets.67+11.
        String walker = NativeTools.LOOP_OVER_STATIC_ARRAY;
        String other = "int other(int x) { static const unsigned char offsets[] = { 7, 9, 11 };"
                + " return offsets[x & 1] + offsets[2]; }\n";
        ObjectDiff d = diff(walker, walker + other);

        assertThat(d.function("walk").orElseThrow().status()).as("%s", d.function("walk")).isEqualTo(Status.UNCHANGED);
    }

    @Test
    void lineNumbersPassedToDebugHelpersOrInTheBugTableChangeNothing() throws Exception {
        ObjectDiff d = diff(WARNS, "\n\n\n" + WARNS);

        assertThat(d.function("sleeper").orElseThrow().status()).as("%s", d.function("sleeper"))
                .isEqualTo(Status.LINE_NUMBERS_ONLY);
        assertThat(d.function("warner").orElseThrow().status()).as("%s", d.function("warner"))
                .isEqualTo(Status.LINE_NUMBERS_ONLY);
        assertThat(d.function("warner").orElseThrow().differences()).anyMatch(s -> s.contains("__bug_table"));
        // The same immediate passed to a function not known to take a line number is a change.
        assertThat(d.function("logger").orElseThrow().status()).isEqualTo(Status.CHANGED);
        assertThat(d.changesAnything()).isTrue();
    }

    @Test
    void anotherImmediateNextToALineNumberIsAChange() throws Exception {
        String before = WARNS + "int both(int x) { MIGHT_SLEEP(); return x * 7; }\n";
        ObjectDiff d = diff(before, "\n" + before.replace("x * 7", "x * 9"));

        assertThat(d.function("both").orElseThrow().status()).isEqualTo(Status.CHANGED);
        assertThat(d.function("sleeper").orElseThrow().status()).isEqualTo(Status.LINE_NUMBERS_ONLY);
    }

    @Test
    void aChangedWarnFlagIsAChange() throws Exception {
        ObjectDiff d = diff(WARNS, WARNS.replace("\"i\" (1 << 0))", "\"i\" (1 << 1))"));

        assertThat(d.function("warner").orElseThrow().status()).isEqualTo(Status.CHANGED);
        assertThat(d.function("sleeper").orElseThrow().status()).as("%s", d.function("sleeper"))
                .isEqualTo(Status.UNCHANGED);
    }

    @Test
    void aChangedInitialValueOfAGlobalIsRefused() throws Exception {
        String before = """
                int limit = 5;
                int check(int x) { return x < limit; }
                """;
        ObjectDiff d = diff(before, before.replace("limit = 5", "limit = 6"));

        assertThat(d.datum("limit").orElseThrow().status()).isEqualTo(Status.CHANGED);
        assertThat(d.function("check").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(d.refusals()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.DATA_CHANGED);
            assertThat(r.symbol()).isEqualTo("limit");
            assertThat(r.reason()).contains("initial value");
        });
    }

    @Test
    void aChangedSizeOfStaticDataIsRefused() throws Exception {
        String before = """
                static int table[4];
                int get(int x) { table[x & 3] += x; return table[(x + 1) & 3]; }
                """;
        ObjectDiff d = diff(before, before.replace("table[4]", "table[8]"));

        assertThat(d.refusals()).extracting(Refusal::kind, Refusal::symbol)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(Refusal.Kind.DATA_CHANGED, "table"));
    }

    @Test
    void aChangedInitFunctionIsRefused() throws Exception {
        String before = """
                __attribute__((section(".init.text"))) int setup(void) { return printk("setup\\n"); }
                int later(void) { return 1; }
                """;
        ObjectDiff d = diff(before, before.replace("setup\\n", "setup done\\n"));

        assertThat(d.function("setup").orElseThrow().init()).isTrue();
        assertThat(d.refusals()).extracting(Refusal::kind).containsExactly(Refusal.Kind.INIT_CHANGED);
    }

    @Test
    void aChangedExportIsRefused() throws Exception {
        String before = """
                int api(int x) { return x; }
                asm(".section \\"___ksymtab+api\\",\\"a\\"\\n.long 0\\n.previous");
                """;
        String after = before.replace("asm(", "int api2(int x) { return x; }\nasm(\".section \\\"___ksymtab_gpl+api2\\\""
                + ",\\\"a\\\"\\n.long 0\\n.previous\");\nasm(");
        ObjectDiff d = diff(before, after);

        assertThat(d.refusals()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.EXPORTS_CHANGED);
            assertThat(r.reason()).contains("api2 (GPL)");
        });
    }

    @Test
    void numberedFunctionStaticsMatchAcrossARenumbering() throws Exception {
        String before = """
                int one(int x) { static int calls; calls += x; return calls; }
                int two(int x) { static int calls; calls -= x; return calls; }
                """;
        String after = "int zero(int x) { static int calls; calls ^= x; return calls; }\n" + before;
        ObjectDiff d = diff(before, after);

        assertThat(d.function("one").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(d.function("two").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(d.function("zero").orElseThrow().status()).isEqualTo(Status.NEW);
        assertThat(d.datum("calls@zero#0").orElseThrow().status()).isEqualTo(Status.NEW);
        assertThat(d.datum("calls@one#0").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
        assertThat(d.refusals()).isEmpty();
    }

    @Test
    void aPartiallyInlinedStaticIsComparedUnderItsOwnName() throws Exception {
        String before = """
                extern int work(int);
                static int helper(int x)
                {
                	if (__builtin_expect(x == 0, 1))
                		return 0;
                	printk("helper %d\\n", x);
                	work(x); work(x + 1); work(x + 2); work(x + 3);
                	return work(x * 7) + work(x * 9);
                }
                int a(int x) { return helper(x) + 1; }
                int b(int x) { return helper(x + 5) + 2; }
                """;
        ObjectDiff d = diff(before, before.replace("helper %d", "helper: %d"));

        FunctionDiff helper = d.function("helper").orElseThrow();
        assertThat(helper.pieces()).containsExactly("helper.part.0");
        assertThat(helper.status()).isEqualTo(Status.CHANGED);
        assertThat(helper.local()).isTrue();
        assertThat(d.functions(Status.CHANGED)).containsExactly("helper");
        assertThat(d.function("a").orElseThrow().status()).isEqualTo(Status.UNCHANGED);
    }

    @Test
    void aChangedCrcIsRefused() throws Exception {
        String before = """
                int api(int x) { return x; }
                asm(".globl __crc_api\\n.set __crc_api, 0x1234abcd");
                """;
        ObjectDiff d = diff(before, before.replace("0x1234abcd", "0x1234abce"));

        assertThat(d.refusals()).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Refusal.Kind.CRC_CHANGED);
            assertThat(r.symbol()).isEqualTo("api");
            assertThat(r.reason()).contains("1234abcd -> 1234abce");
        });
    }

    @Test
    void withoutTheDecoderEveryCodeByteCountsButBugTableLinesStillDoNot() throws Exception {
        Path a = compile(Files.createDirectories(dir.resolve("before")), WARNS);
        Path b = compile(Files.createDirectories(dir.resolve("after")), "\n\n" + WARNS);
        ObjectDiff d = ObjectComparison.compare(dynamos.elf.ElfObject.read(a), dynamos.elf.ElfObject.read(b), null);

        assertThat(d.function("sleeper").orElseThrow().status()).isEqualTo(Status.CHANGED);
        assertThat(d.function("warner").orElseThrow().status()).isEqualTo(Status.LINE_NUMBERS_ONLY);
    }

    @Test
    void gccPiecesBelongToTheirFunction() {
        assertThat(PieceNames.parent("show.cold")).isEqualTo("show");
        assertThat(PieceNames.parent("show.part.0")).isEqualTo("show");
        assertThat(PieceNames.parent("f.constprop.0.isra.0.cold")).isEqualTo("f");
        assertThat(PieceNames.parent("show")).isEqualTo("show");
        assertThat(PieceNames.parent("__already_done.3")).isEqualTo("__already_done.3");
    }
}
