package dynamos.analysis;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The counts of a classification in the form of the paper's Table 2: one row per category (the
 * not-updatable ones split by reason), with the paper's figures beside the rows that compare.
 *
 * @param release the kernel
 * @param total text symbols classified
 * @param rows the rows, in print order
 * @param categories symbols per top-level category (they add up to {@code total})
 * @param liveFunctions functions of the running kernel (direct, through callers, not updatable)
 * @param updatable of them, updatable directly or through callers
 * @param callGraphKnown whether "through callers" was decided (else those functions count as not updatable)
 */
public record Summary(String release, int total, List<Row> rows, Map<Category, Integer> categories,
        int liveFunctions, int updatable, boolean callGraphKnown) {
    /** The goal of issue 16: this share of the live functions updatable. */
    public static final double GOAL_PERCENT = 95.0;

    /**
     * One row.
     *
     * @param label what it counts
     * @param indent 0 for a category, 1 for a part of the one above
     * @param count symbols
     * @param percent of {@code total}
     * @param paper the paper's percentages for its three kernels, or null where no row compares
     */
    public record Row(String label, int indent, int count, double percent, double[] paper) {}

    public static Summary of(String release, List<Classification> all, boolean callGraphKnown) {
        int total = all.size();
        Map<Category, Integer> byCategory = new EnumMap<>(Category.class);
        Map<Reason, Integer> byReason = new EnumMap<>(Reason.class);
        int copies = 0;
        int ambiguous = 0;
        int cold = 0;
        for (Classification c : all) {
            byCategory.merge(c.category(), 1, Integer::sum);
            if (c.category() == Category.NOT_UPDATABLE) {
                byReason.merge(c.reason(), 1, Integer::sum);
            }
            if (c.category() == Category.DIRECT && c.compilerCopy()) {
                copies++;
            }
            if (c.category() == Category.DIRECT && c.symbol().ambiguous()) {
                ambiguous++;
            }
            if (c.category() == Category.PART_OF_ANOTHER && c.symbol().name().kind() == PartKind.COLD) {
                cold++;
            }
        }
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("Text symbols", 0, total, 100.0, paper(PaperTable2.TOTAL.counts())));
        rows.add(row(Category.DIRECT.label + " (ftrace site)", 0, byCategory, Category.DIRECT, total,
                paper(PaperTable2.WITHOUT_ISSUES.counts())));
        rows.add(new Row("of which compiler copies (.part/.isra/.constprop)", 1, copies, pct(copies, total), null));
        rows.add(new Row("of which namesakes (named with DYNAMOS_SYMBOL)", 1, ambiguous,
                pct(ambiguous, total), null));
        int[] paperCallers = new int[3];
        for (int k = 0; k < 3; k++) {
            paperCallers[k] = PaperTable2.throughCallers(k);
        }
        rows.add(row(Category.THROUGH_CALLERS.label + (callGraphKnown ? "" : " (callers not analysed)"), 0,
                byCategory, Category.THROUGH_CALLERS, total, paper(paperCallers)));
        rows.add(row(Category.NOT_UPDATABLE.label, 0, byCategory, Category.NOT_UPDATABLE, total, null));
        for (Reason r : Reason.values()) {
            int n = byReason.getOrDefault(r, 0);
            rows.add(new Row(shortLabel(r), 1, n, pct(n, total), null));
        }
        rows.add(row(Category.PART_OF_ANOTHER.label, 0, byCategory, Category.PART_OF_ANOTHER, total, null));
        rows.add(new Row("of which .cold parts", 1, cold, pct(cold, total), null));
        int gone = byCategory.getOrDefault(Category.FREED_AFTER_BOOT, 0);
        int markers = byCategory.getOrDefault(Category.NOT_A_FUNCTION, 0);
        rows.add(new Row("Non-functions (freed init text, markers)", 0, gone + markers, pct(gone + markers, total),
                paper(PaperTable2.NON_FUNCTIONS.counts())));
        rows.add(new Row(Category.FREED_AFTER_BOOT.label, 1, gone, pct(gone, total), null));
        rows.add(new Row(Category.NOT_A_FUNCTION.label + " (linker-script markers)", 1, markers, pct(markers, total),
                null));
        int live = 0;
        int updatable = 0;
        for (Category c : Category.values()) {
            int n = byCategory.getOrDefault(c, 0);
            live += c.liveFunction() ? n : 0;
            updatable += c.updatable() ? n : 0;
        }
        return new Summary(release, total, rows, Map.copyOf(byCategory), live, updatable, callGraphKnown);
    }

    /**
     * The summary with, when the kernel's DWARF was read ({@code inlined} not null), a last row: the functions
     * of the running kernel that are also inlined into callers (an update of them misses those copies).
     */
    public static Summary of(String release, List<Classification> all, boolean callGraphKnown, Inlining.Counts inlined) {
        Summary s = of(release, all, callGraphKnown);
        if (inlined == null) {
            return s;
        }
        List<Row> rows = new ArrayList<>(s.rows());
        rows.add(new Row(ALSO_INLINED, 0, inlined.alsoInlined(), pct(inlined.alsoInlined(), s.total()), null));
        return new Summary(s.release(), s.total(), rows, s.categories(), s.liveFunctions(), s.updatable(),
                s.callGraphKnown());
    }

    /** The label of the row {@link #of(String, List, boolean, Inlining.Counts)} adds. */
    public static final String ALSO_INLINED = "Also inlined into callers (DWARF)";

    /** The count of {@code c}. */
    public int count(Category c) {
        return categories.getOrDefault(c, 0);
    }

    public double updatablePercent() {
        return pct(updatable, liveFunctions);
    }

    public boolean goalMet() {
        return updatablePercent() >= GOAL_PERCENT;
    }

    private static String shortLabel(Reason r) {
        return switch (r) {
            case NOINSTR -> "noinstr / cpuidle text";
            case NAMESAKE_IN_MODULE -> "namesakes within a module (modules only)";
            case ENTRY_CODE -> "entry code (assembly)";
            case THUNK -> "thunks and trampolines";
            case NOTRACE -> "notrace C functions";
            case NO_C_RECORD -> "no ftrace site, no BTF record (assembly)";
        };
    }

    private static Row row(String label, int indent, Map<Category, Integer> counts, Category c, int total,
            double[] paper) {
        int n = counts.getOrDefault(c, 0);
        return new Row(label, indent, n, pct(n, total), paper);
    }

    private static double[] paper(int[] counts) {
        double[] out = new double[3];
        for (int k = 0; k < 3; k++) {
            out[k] = 100.0 * counts[k] / PaperTable2.TOTAL.counts()[k];
        }
        return out;
    }

    static double pct(int n, int of) {
        return of == 0 ? 0 : 100.0 * n / of;
    }
}
