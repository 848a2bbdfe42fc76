package dynamos.analysis;

import java.util.List;

/**
 * The figures of Table 2 of the DynAMOS paper (EuroSys 2007): how many text symbols of three kernels its
 * registration checks let through, and which obstacle stopped the others. Kept as data to print beside
 * ours; the categories differ (the paper relocated code with a trampoline, we redirect through ftrace),
 * so only rows that mean about the same are put side by side.
 */
public final class PaperTable2 {
    /** The three kernels, in the paper's column order. */
    public static final List<String> KERNELS = List.of("2.4.27 gcc 2.95", "2.6.6 gcc 2.95", "2.6.6 icc 8.0");

    /** One row: the paper's label and its counts per kernel. */
    public record Row(String label, int[] counts) {
        public double percent(int kernel) {
            return 100.0 * counts[kernel] / TOTAL.counts[kernel];
        }
    }

    public static final Row TOTAL = new Row("Total symbols", new int[] {5921, 6900, 6982});
    public static final Row WITHOUT_ISSUES = new Row("Updated without issues", new int[] {4915, 5682, 5529});
    public static final Row NON_FUNCTIONS = new Row("Non-functions", new int[] {196, 427, 406});
    public static final Row BACKWARD_BRANCHES = new Row("Backward branches", new int[] {14, 18, 21});
    public static final Row SMALL_FUNCTIONS = new Row("Small functions", new int[] {68, 77, 160});
    public static final Row MULTIPLE_ENTRYPOINTS = new Row("Multiple entrypoints", new int[] {0, 0, 618});
    public static final Row DATA_ABSOLUTE = new Row("Data-in-code: absolute address", new int[] {121, 117, 7});
    public static final Row DATA_EXCEPTION = new Row("Data-in-code: raised exception", new int[] {121, 192, 230});
    public static final Row OUTBOUND = new Row("Outbound branches", new int[] {486, 387, 11});
    public static final Row WRAPPER = new Row("Wrapper code", new int[] {357, 309, 7});
    public static final Row TABLES = new Row("Indirection tables", new int[] {115, 64, 0});
    public static final Row OTHER = new Row("Other", new int[] {14, 14, 4});

    /** Every row in the paper's order. */
    public static final List<Row> ROWS = List.of(TOTAL, WITHOUT_ISSUES, NON_FUNCTIONS, BACKWARD_BRANCHES,
            SMALL_FUNCTIONS, MULTIPLE_ENTRYPOINTS, DATA_ABSOLUTE, DATA_EXCEPTION, OUTBOUND, WRAPPER, TABLES, OTHER);

    private PaperTable2() {}

    /** Backward branches and small functions: what the paper would update through the callers. */
    public static int throughCallers(int kernel) {
        return BACKWARD_BRANCHES.counts[kernel] + SMALL_FUNCTIONS.counts[kernel];
    }
}
