package dynamos.analysis;

/**
 * Where in the kernel's text a symbol lies, as the linker script groups it; the bounds are the kernel's
 * own marker symbols ({@code __noinstr_text_start}, {@code _sinittext}, ...), which kallsyms lists.
 */
public enum TextRegion {
    TEXT("text", null),
    NOINSTR("noinstr text: must not be instrumented (entry and exit of the kernel, idle)", "__noinstr_text"),
    SCHED("scheduler text", "__sched_text"),
    CPUIDLE("cpuidle text", "__cpuidle_text"),
    LOCK("lock text", "__lock_text"),
    KPROBES("kprobes text: must not be probed", "__kprobes_text"),
    ENTRY("entry text: the kernel's assembly entry points", "__entry_text"),
    IRQENTRY("interrupt entry text", "__irqentry_text"),
    SOFTIRQENTRY("softirq entry text", "__softirqentry_text"),
    STATIC_CALL("static-call trampolines", "__static_call_text"),
    INDIRECT_THUNK("retpoline thunks", "__indirect_thunk"),
    INIT("init text: freed after boot", null),
    OTHER("outside the kernel's text sections", null);

    public final String description;
    /** The markers {@code PREFIX_start} and {@code PREFIX_end} that bound it; null when not a marked sub-range. */
    final String markerPrefix;

    TextRegion(String description, String markerPrefix) {
        this.description = description;
        this.markerPrefix = markerPrefix;
    }

    /** Whether ftrace never patches functions here by the kernel's design (not just by an attribute). */
    public boolean neverTraced() {
        return this == NOINSTR || this == ENTRY || this == IRQENTRY || this == SOFTIRQENTRY
                || this == STATIC_CALL || this == INDIRECT_THUNK || this == CPUIDLE;
    }
}
