package dynamos.top;

import java.util.ArrayList;
import java.util.List;

/**
 * A text table that fits a width: columns take the width of their widest cell; when the line is too long,
 * the flexible columns (names) are cut to their minimum with an ellipsis, then the columns of lowest
 * priority are left out until it fits.
 */
final class Table {
    /** One column: its heading, whether it is right-aligned, how small it may be cut (0: never), what stays longest. */
    record Column(String heading, boolean right, int minWidth, int priority) {}

    private final List<Column> columns;
    private final List<List<String>> rows = new ArrayList<>();
    private final String ellipsis;

    Table(List<Column> columns, String ellipsis) {
        this.columns = List.copyOf(columns);
        this.ellipsis = ellipsis;
    }

    void add(List<String> cells) {
        if (cells.size() != columns.size()) {
            throw new IllegalArgumentException(cells.size() + " cells for " + columns.size() + " columns");
        }
        rows.add(List.copyOf(cells));
    }

    int size() {
        return rows.size();
    }

    /** The heading line, then the rows {@code from} to {@code to} (exclusive), at most {@code width} wide (0: any). */
    List<String> render(int width, int from, int to) {
        int n = columns.size();
        int[] w = new int[n];
        boolean[] shown = new boolean[n];
        for (int c = 0; c < n; c++) {
            shown[c] = true;
            w[c] = length(columns.get(c).heading());
            for (List<String> row : rows) {
                w[c] = Math.max(w[c], length(row.get(c)));
            }
        }
        if (width > 0) {
            fit(width, w, shown);
        }
        List<String> out = new ArrayList<>();
        out.add(line(columns.stream().map(Column::heading).toList(), w, shown));
        for (List<String> row : rows.subList(from, to)) {
            out.add(line(row, w, shown));
        }
        return out;
    }

    private void fit(int width, int[] w, boolean[] shown) {
        // Cut flexible columns a character at a time, the widest first, down to their minimum.
        while (total(w, shown) > width) {
            int widest = -1;
            for (int c = 0; c < w.length; c++) {
                int min = columns.get(c).minWidth();
                if (shown[c] && min > 0 && w[c] > min && (widest < 0 || w[c] > w[widest])) {
                    widest = c;
                }
            }
            if (widest < 0) {
                break;
            }
            w[widest]--;
        }
        // Then leave out the columns of lowest priority (the last of equals first).
        while (total(w, shown) > width) {
            int drop = -1;
            for (int c = 0; c < w.length; c++) {
                if (shown[c] && (drop < 0 || columns.get(c).priority() <= columns.get(drop).priority())) {
                    drop = c;
                }
            }
            if (drop < 0 || count(shown) == 1) {
                break;
            }
            shown[drop] = false;
        }
    }

    private static int count(boolean[] shown) {
        int k = 0;
        for (boolean s : shown) {
            k += s ? 1 : 0;
        }
        return k;
    }

    private static int total(int[] w, boolean[] shown) {
        int sum = 0;
        int k = 0;
        for (int c = 0; c < w.length; c++) {
            if (shown[c]) {
                sum += w[c];
                k++;
            }
        }
        return sum + Math.max(0, k - 1);
    }

    private String line(List<String> cells, int[] w, boolean[] shown) {
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            if (!shown[c]) {
                continue;
            }
            if (!b.isEmpty()) {
                b.append(' ');
            }
            String cell = cut(cells.get(c), w[c], ellipsis);
            String pad = " ".repeat(w[c] - length(cell));
            b.append(columns.get(c).right() ? pad + cell : cell + pad);
        }
        return strip(b.toString());
    }

    /** {@code s} cut to {@code width} characters, its end replaced by {@code ellipsis} when cut. */
    static String cut(String s, int width, String ellipsis) {
        if (length(s) <= width) {
            return s;
        }
        if (width <= length(ellipsis)) {
            return s.substring(0, s.offsetByCodePoints(0, width));
        }
        return s.substring(0, s.offsetByCodePoints(0, width - length(ellipsis))) + ellipsis;
    }

    static int length(String s) {
        return s.codePointCount(0, s.length());
    }

    private static String strip(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == ' ') {
            end--;
        }
        return s.substring(0, end);
    }
}
