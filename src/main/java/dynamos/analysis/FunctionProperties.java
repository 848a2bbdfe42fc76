package dynamos.analysis;

/**
 * What the kernel's own tables say is inside one function's code: facts that matter when a version
 * replaces it or when a removal check walks its range.
 *
 * @param exceptionEntries instructions that may fault on purpose, with a fixup ({@code __ex_table}): a
 *     copy of the code needs entries of its own
 * @param alternatives places the kernel rewrites at boot for the CPU ({@code .altinstructions})
 * @param indirectCalls indirect calls (retpoline sites with a call)
 * @param indirectJumps indirect jumps (retpoline sites with a jump: switch tables are off with retpolines,
 *     so these are computed tail calls)
 * @param staticCalls static-call sites, rewritten when the call's target changes
 * @param jumpLabels static-key branches, rewritten when the key flips
 * @param bugSites {@code BUG()}/{@code WARN()} sites ({@code __bug_table})
 */
public record FunctionProperties(int exceptionEntries, int alternatives, int indirectCalls, int indirectJumps,
        int staticCalls, int jumpLabels, int bugSites) {
    public static final FunctionProperties NONE = new FunctionProperties(0, 0, 0, 0, 0, 0, 0);

    public boolean any() {
        return !equals(NONE);
    }

    /** A short text, e.g. {@code 2 exception entries, 1 alternative}; empty when there is nothing. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        add(b, exceptionEntries, "exception entry", "exception entries");
        add(b, alternatives, "alternative", "alternatives");
        add(b, indirectCalls, "indirect call", "indirect calls");
        add(b, indirectJumps, "indirect jump", "indirect jumps");
        add(b, staticCalls, "static call", "static calls");
        add(b, jumpLabels, "jump label", "jump labels");
        add(b, bugSites, "BUG/WARN site", "BUG/WARN sites");
        return b.toString();
    }

    private static void add(StringBuilder b, int n, String one, String many) {
        if (n > 0) {
            b.append(b.isEmpty() ? "" : ", ").append(n).append(' ').append(n == 1 ? one : many);
        }
    }
}
