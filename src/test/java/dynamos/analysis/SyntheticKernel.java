package dynamos.analysis;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A small made-up kernel with one or more symbols of every category and reason, and the answers the
 * classification must give for it.
 */
final class SyntheticKernel {
    private SyntheticKernel() {}

    static final List<String> KALLSYMS = List.of(
            "0000000000000000 A fixed_percpu_data",
            "ffffffff81000000 T _stext",
            "ffffffff81000000 T _text",
            "ffffffff81000100 t foo.cold",
            "ffffffff81000140 t bar.isra.0.cold",
            "ffffffff81001000 T direct_fn",
            "ffffffff81001100 t foo",
            "ffffffff81001200 t helper",
            "ffffffff81001300 t foo",
            "ffffffff81001400 t deep",
            "ffffffff81001500 t taken",
            "ffffffff81001600 t cyc_a",
            "ffffffff81001700 t cyc_b",
            "ffffffff81001800 t bootonly",
            "ffffffff81001900 t asm_thing",
            "ffffffff81001a00 t bar.isra.0",
            "ffffffff81001b00 t baz.part.0",
            "ffffffff81001c00 T memcpy",
            "ffffffff81001c00 T __memcpy",
            "ffffffff81001d00 d some_data",
            "ffffffff81002000 T __noinstr_text_start",
            "ffffffff81002000 T noinstr_fn",
            "ffffffff81002100 T __noinstr_text_end",
            "ffffffff81003000 T __entry_text_start",
            "ffffffff81003000 T entry_SYSCALL_64",
            "ffffffff81003100 T __entry_text_end",
            "ffffffff81004000 T __static_call_text_start",
            "ffffffff81004000 T __SCT__foo",
            "ffffffff81004010 T __static_call_text_end",
            "ffffffff81004020 T _etext",
            "ffffffff82000000 D __init_begin",
            "ffffffff82001000 T _sinittext",
            "ffffffff82001000 T start_kernel_like",
            "ffffffff82001100 T _einittext",
            "ffffffff82002000 t exit_fn",
            "ffffffff82003000 R __init_end",
            "ffffffffc0000000 t modfn\t[mod]",
            "ffffffffc0000100 t foo\t[mod]");

    /** In address order, as the kernel lists them; one site of a dropped weak function; module lines last. */
    static final List<String> FTRACE = List.of("direct_fn", "foo", "foo", "__ftrace_invalid_address___64",
            "bar.isra.0", "__memcpy", "modfn [mod]", "foo [mod]");

    static final Set<String> BTF = Set.of("direct_fn", "foo", "helper", "deep", "taken", "cyc_a", "cyc_b", "bootonly",
            "noinstr_fn", "start_kernel_like", "exit_fn");

    static final CallGraph CALLS = new CallGraph(true, Map.of(
            "helper", Set.of("direct_fn", "foo#2"),
            "deep", Set.of("helper", "foo.cold"),
            "taken", Set.of("direct_fn"),
            "cyc_a", Set.of("cyc_b"),
            "cyc_b", Set.of("cyc_a"),
            "bootonly", Set.of("start_kernel_like")), Set.of("taken"));

    /** The text symbols of the core kernel: the kallsyms lines of types t, T, w, W without [module]. */
    static final int TEXT_SYMBOLS = 32;

    /** Each symbol's key, category and reason (null: none). */
    static final Map<String, Object[]> EXPECTED = Map.ofEntries(
            Map.entry("_stext", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("_text", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("foo.cold", new Object[] {Category.PART_OF_ANOTHER, null}),
            Map.entry("bar.isra.0.cold", new Object[] {Category.PART_OF_ANOTHER, null}),
            Map.entry("direct_fn", new Object[] {Category.DIRECT, null}),
            Map.entry("foo#1", new Object[] {Category.DIRECT, null}),
            Map.entry("helper", new Object[] {Category.THROUGH_CALLERS, Reason.NOTRACE}),
            Map.entry("foo#2", new Object[] {Category.DIRECT, null}),
            Map.entry("deep", new Object[] {Category.THROUGH_CALLERS, Reason.NOTRACE}),
            Map.entry("taken", new Object[] {Category.NOT_UPDATABLE, Reason.NOTRACE}),
            Map.entry("cyc_a", new Object[] {Category.NOT_UPDATABLE, Reason.NOTRACE}),
            Map.entry("cyc_b", new Object[] {Category.NOT_UPDATABLE, Reason.NOTRACE}),
            Map.entry("bootonly", new Object[] {Category.NOT_UPDATABLE, Reason.NOTRACE}),
            Map.entry("asm_thing", new Object[] {Category.NOT_UPDATABLE, Reason.NO_C_RECORD}),
            Map.entry("bar.isra.0", new Object[] {Category.DIRECT, null}),
            Map.entry("baz.part.0", new Object[] {Category.NOT_UPDATABLE, Reason.NOTRACE}),
            Map.entry("memcpy", new Object[] {Category.PART_OF_ANOTHER, null}),
            Map.entry("__memcpy", new Object[] {Category.DIRECT, null}),
            Map.entry("__noinstr_text_start", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("noinstr_fn", new Object[] {Category.NOT_UPDATABLE, Reason.NOINSTR}),
            Map.entry("__noinstr_text_end", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("__entry_text_start", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("entry_SYSCALL_64", new Object[] {Category.NOT_UPDATABLE, Reason.ENTRY_CODE}),
            Map.entry("__entry_text_end", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("__static_call_text_start", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("__SCT__foo", new Object[] {Category.NOT_UPDATABLE, Reason.THUNK}),
            Map.entry("__static_call_text_end", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("_etext", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("_sinittext", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("start_kernel_like", new Object[] {Category.FREED_AFTER_BOOT, null}),
            Map.entry("_einittext", new Object[] {Category.NOT_A_FUNCTION, null}),
            Map.entry("exit_fn", new Object[] {Category.FREED_AFTER_BOOT, null}));

    static KernelFacts facts(CallGraph calls) {
        return KernelFacts.of("6.1.0-test-amd64", KALLSYMS, FTRACE, BTF, calls);
    }
}
