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
 * @param jumpTables indirect jumps through a table of code addresses (decoded, {@link CodeDecoding}): a
 *     copy of the code needs its own table
 * @param textReferences addresses in the code that point into text but at no symbol's start (decoded):
 *     labels or data in code; a pointer into the old code that may outlive a replacement, so a removal
 *     check must know it
 * @param dataInCode bytes that do not decode as instructions, and references into its own code that
 *     land on no instruction (decoded)
 * @param entryBranches jumps from inside it into bytes 1 to 4 of its entry (decoded): where a jump written
 *     over the entry would cut an instruction a branch still targets
 */
public record FunctionProperties(int exceptionEntries, int alternatives, int indirectCalls, int indirectJumps,
        int staticCalls, int jumpLabels, int bugSites, int jumpTables, int textReferences, int dataInCode,
        int entryBranches) {
    public static final FunctionProperties NONE = new FunctionProperties(0, 0, 0, 0, 0, 0, 0);

    /** The properties from the kernel's tables alone (nothing decoded). */
    public FunctionProperties(int exceptionEntries, int alternatives, int indirectCalls, int indirectJumps,
            int staticCalls, int jumpLabels, int bugSites) {
        this(exceptionEntries, alternatives, indirectCalls, indirectJumps, staticCalls, jumpLabels, bugSites, 0, 0, 0,
                0);
    }

    /**
     * The table facts of {@code this} with the decoded facts of {@code decoded}; indirect calls and jumps are
     * the larger count of the two (the tables list retpoline sites only, decoding also sees the others).
     */
    public FunctionProperties withDecoded(FunctionProperties decoded) {
        return new FunctionProperties(exceptionEntries, alternatives, Math.max(indirectCalls, decoded.indirectCalls),
                Math.max(indirectJumps, decoded.indirectJumps), staticCalls, jumpLabels, bugSites, decoded.jumpTables,
                decoded.textReferences, decoded.dataInCode, decoded.entryBranches);
    }

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
        add(b, jumpTables, "jump table", "jump tables");
        add(b, textReferences, "reference into text off a symbol start", "references into text off a symbol start");
        add(b, dataInCode, "byte of data in code", "bytes of data in code");
        add(b, entryBranches, "jump back into its first 5 bytes", "jumps back into its first 5 bytes");
        return b.toString();
    }

    private static void add(StringBuilder b, int n, String one, String many) {
        if (n > 0) {
            b.append(b.isEmpty() ? "" : ", ").append(n).append(' ').append(n == 1 ? one : many);
        }
    }
}
