package dynamos.top;

import dynamos.live.Histograms;
import dynamos.live.LiveView;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders one picture of {@code dynamos top}: a header line, the applied updates (a row per version), the
 * monitored functions, and in the terminal the keys on the bottom line. Pure: the same picture, state and
 * size give the same lines, so the screen is tested without a terminal.
 */
public final class TopScreen {
    private TopScreen() {}

    /**
     * What the header says besides the picture, and how to draw.
     *
     * @param kernel   the running kernel's release
     * @param interval seconds between pictures
     * @param zone     the time zone of the clock in the header
     * @param unicode  whether the output can show "…" (else "...")
     * @param keys     whether to show the keys on the bottom line and fill the height (the terminal)
     * @param problem  why there is no picture or it is old (the framework is stopped, the device failed), or null
     */
    public record Header(String kernel, double interval, ZoneId zone, boolean unicode, boolean keys, String problem) {
        public Header withProblem(String why) {
            return new Header(kernel, interval, zone, unicode, keys, why);
        }
    }

    /** The lines to show, and which of them are headings (the terminal shows them in reverse video). */
    public record Frame(List<String> lines, List<Integer> headings) {
        public Frame {
            lines = List.copyOf(lines);
            headings = List.copyOf(headings);
        }

        /** The lines, one per line of text. */
        public String text() {
            return lines.stream().map(l -> l + "\n").collect(Collectors.joining());
        }
    }

    /** What the screen says when the framework is not started: the fact and how to start it. */
    public static final String NOT_STARTED =
            "the framework is not started; start it with: dynamos start";

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private static final List<Table.Column> UPDATE_COLUMNS = List.of(
            new Table.Column("UPDATE", false, 6, 9),
            new Table.Column("ID", true, 0, 8),
            new Table.Column("FUNCTION", false, 8, 7),
            new Table.Column("VER", true, 0, 10),
            new Table.Column("ACT", false, 0, 10),
            new Table.Column("CODE", false, 10, 5),
            new Table.Column("HANDLER", false, 6, 3),
            new Table.Column("PATH", false, 0, 4),
            new Table.Column("CALLS/S", true, 0, 10),
            new Table.Column("CALLS", true, 0, 6),
            new Table.Column("BUSY", true, 0, 6),
            new Table.Column("PHASE", true, 0, 2),
            new Table.Column("MUST", false, 0, 1));

    private static final List<Table.Column> MONITOR_COLUMNS = List.of(
            new Table.Column("MONITORED", false, 8, 9),
            new Table.Column("CALLS/S", true, 0, 10),
            new Table.Column("PER-CPU CALLS/S", false, 8, 3),
            new Table.Column("MEDIAN", true, 0, 7),
            new Table.Column("P99", true, 0, 6),
            new Table.Column("CALLS", true, 0, 5),
            new Table.Column("MISSED", true, 0, 4),
            new Table.Column("VERSIONS (CALLS)", false, 8, 2));

    private static final List<String> HELP = List.of(
            "ACT * the version new calls run   CODE its function   CALLS/S per second",
            "PATH fast (no handler), handler, or waiting (its module is not loaded)",
            "BUSY tasks still in an inactive version   PHASE, MUST the update name's state",
            "MEDIAN, P99 duration of the monitored calls that returned in the interval");

    /**
     * The lines for {@code view} (null: no picture, see {@code header.problem()}), sorted as {@code state} says,
     * at most {@code width} columns (0: any) and {@code height} lines (0: any; with keys the frame fills it).
     */
    public static Frame render(LiveView view, Header header, TopState state, int width, int height) {
        List<String> top = new ArrayList<>();
        top.add(headerLine(view, header, state));
        if (header.problem() != null) {
            top.add(header.problem());
        }
        List<String> bottom = new ArrayList<>();
        if (header.keys()) {
            if (state.help()) {
                bottom.addAll(HELP);
            }
            bottom.add(keyLine(state));
        }

        List<Section> sections = new ArrayList<>();
        if (view != null) {
            sections.add(updates(view, state, header));
            if (view.framework() != null) {
                sections.add(monitors(view, state, header));
            }
        }

        // Lines for the tables (with their headings), a blank line before each.
        int budget = height <= 0 ? Integer.MAX_VALUE : Math.max(0, height - top.size() - bottom.size());
        int[] share = share(budget, sections.stream().mapToInt(Section::lines).toArray());

        List<String> lines = new ArrayList<>(top);
        List<Integer> headings = new ArrayList<>();
        for (int s = 0; s < sections.size(); s++) {
            Section section = sections.get(s);
            if (share[s] < 2) {
                continue;
            }
            lines.add("");
            if (section.table() != null) {
                headings.add(lines.size());
            }
            lines.addAll(section.render(width, share[s] - 1, header.unicode() ? "…" : "..."));
        }
        if (height > 0) {
            while (lines.size() < height - bottom.size()) {
                lines.add("");
            }
            while (lines.size() > height - bottom.size() && lines.size() > 1) {
                lines.removeLast();
            }
        }
        if (header.keys()) {
            headings.add(lines.size() + bottom.size() - 1);
        }
        lines.addAll(bottom);
        int w = width;
        List<String> fitted = lines.stream().map(l -> w > 0 ? Table.cut(l, w, header.unicode() ? "…" : "...") : l).toList();
        if (height > 0 && fitted.size() > height) {
            fitted = fitted.subList(fitted.size() - height, fitted.size());
        }
        return new Frame(fitted, headings);
    }

    /**
     * Lines for one or two sections (each: a blank line, then its lines) in {@code budget} lines: what each
     * gets. When they do not all fit, the second gets a third of the room (at least its heading and one row),
     * the first the rest, and what either does not need goes to the other.
     */
    static int[] share(int budget, int... lines) {
        if (lines.length == 0) {
            return lines;
        }
        int needFirst = lines[0] + 1;
        if (lines.length == 1) {
            return new int[] {Math.min(needFirst, budget)};
        }
        int needSecond = lines[1] + 1;
        if (needFirst + needSecond <= budget) {
            return new int[] {needFirst, needSecond};
        }
        int b = Math.max(budget, 0);
        int s = Math.min(needSecond, Math.max(Math.min(3, b / 2), b / 3));
        int f = Math.min(needFirst, b - s);
        s = Math.min(needSecond, b - f);
        return new int[] {f, s};
    }

    private static String headerLine(LiveView view, Header header, TopState state) {
        // Paused first: a narrow terminal cuts the end of the line.
        StringBuilder b = new StringBuilder(state.paused() ? "dynamos top [paused]" : "dynamos top")
                .append(" - kernel ").append(header.kernel());
        if (view == null || view.framework() == null) {
            b.append(", framework stopped");
        } else {
            b.append(", dynamos ").append(view.framework());
        }
        long at = view == null ? System.currentTimeMillis() : view.atMillis();
        b.append(", ").append(CLOCK.format(Instant.ofEpochMilli(at).atZone(header.zone())));
        b.append(", every ").append(seconds(header.interval()));
        if (view != null && view.framework() != null) {
            b.append(", ").append(plural(view.updates().size(), "update"))
                    .append(", ").append(plural(view.monitors().size(), "monitor"));
        }
        return b.toString();
    }

    private static String keyLine(TopState state) {
        return "q quit  s sort: " + state.sort().label() + (state.largestFirst() ? " (largest first)" : " (smallest first)")
                + "  r reverse  p " + (state.paused() ? "resume" : "pause") + "  h help";
    }

    /** A table with its rows, or a line that says there is none. */
    private record Section(Table table, String none) {
        int lines() {
            return table == null ? 1 : 1 + table.size();
        }

        /** The heading and as many rows as fit in {@code room} lines, the last saying how many more there are. */
        List<String> render(int width, int room, String ellipsis) {
            if (table == null) {
                return List.of(none);
            }
            int rows = table.size();
            if (1 + rows <= room) {
                return table.render(width, 0, rows);
            }
            int shown = Math.max(0, room - 2);
            List<String> out = new ArrayList<>(table.render(width, 0, shown));
            out.add(ellipsis + " " + (rows - shown) + " more");
            return out;
        }
    }

    private static Section updates(LiveView view, TopState state, Header header) {
        if (view.framework() == null) {
            return new Section(null, NOT_STARTED);
        }
        if (view.updates().isEmpty()) {
            return new Section(null, "no updates applied (apply one with: dynamos apply DIR)");
        }
        Comparator<LiveView.UpdateView> byName = Comparator.comparing(LiveView.UpdateView::name)
                .thenComparingLong(LiveView.UpdateView::id);
        Comparator<LiveView.UpdateView> primary = switch (state.sort()) {
            case CALLS -> Comparator.comparingDouble(LiveView.UpdateView::callsPerSecond);
            case NAME -> byName;
            case BUSY -> Comparator.comparingInt(LiveView.UpdateView::busyTasks);
        };
        Comparator<LiveView.UpdateView> order = (state.largestFirst() ? primary.reversed() : primary).thenComparing(byName);
        Table t = new Table(UPDATE_COLUMNS, header.unicode() ? "…" : "...");
        for (LiveView.UpdateView u : view.updates().stream().sorted(order).toList()) {
            for (LiveView.VersionView v : u.versions()) {
                t.add(List.of(u.name(), Long.toString(u.id()), u.function(), Integer.toString(v.version()),
                        v.active() ? "*" : (v.state().equals("live") ? "-" : v.state()), v.function(),
                        u.handler() == null ? "-" : u.handler(), u.path(), rate(v.callsPerSecond()),
                        Long.toString(v.calls()), u.busyTasks() < 0 ? "-" : Integer.toString(u.busyTasks()),
                        Integer.toString(u.phase()), u.mustUpdate() ? "yes" : "no"));
            }
        }
        return new Section(t, null);
    }

    private static Section monitors(LiveView view, TopState state, Header header) {
        if (view.monitors().isEmpty()) {
            return new Section(null, "no monitored functions (monitor one with: dynamos monitor FUNCTION)");
        }
        Comparator<LiveView.MonitorView> byName = Comparator.comparing(LiveView.MonitorView::function)
                .thenComparingInt(LiveView.MonitorView::id);
        Comparator<LiveView.MonitorView> primary = switch (state.sort()) {
            case CALLS -> Comparator.comparingDouble(LiveView.MonitorView::callsPerSecond);
            case NAME -> byName;
            case BUSY -> Comparator.comparingLong(LiveView.MonitorView::missed);
        };
        Comparator<LiveView.MonitorView> order = (state.largestFirst() ? primary.reversed() : primary).thenComparing(byName);
        Table t = new Table(MONITOR_COLUMNS, header.unicode() ? "…" : "...");
        for (LiveView.MonitorView m : view.monitors().stream().sorted(order).toList()) {
            t.add(List.of(m.function(), rate(m.callsPerSecond()),
                    m.cpuCallsPerSecond().stream().map(TopScreen::rate).collect(Collectors.joining(" ")),
                    Histograms.duration(Histograms.quantileNs(m.recentLatency(), 0.5)),
                    Histograms.duration(Histograms.quantileNs(m.recentLatency(), 0.99)),
                    Long.toString(m.calls()), Long.toString(m.missed()), versions(m)));
        }
        return new Section(t, null);
    }

    /** Which versions of updates the monitored calls ran: {@code t/2 v1:0 v3:1234}, or - when no update replaces it. */
    private static String versions(LiveView.MonitorView m) {
        if (m.versions().isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder();
        String last = null;
        for (var v : m.versions()) {
            String update = v.update() + "/" + v.id();
            if (!update.equals(last)) {
                b.append(b.isEmpty() ? "" : " ").append(update);
                last = update;
            }
            b.append(" v").append(v.version()).append(':').append(v.calls());
        }
        return b.toString();
    }

    /** Calls per second, short: {@code 0}, {@code 2.5}, {@code 1234}, {@code 123.4k}, {@code 5.6M}. */
    static String rate(double r) {
        if (r == 0) {
            return "0";
        }
        if (r < 10) {
            return String.format(Locale.ROOT, "%.1f", r);
        }
        if (r < 100_000) {
            return String.format(Locale.ROOT, "%.0f", r);
        }
        if (r < 100_000_000) {
            return String.format(Locale.ROOT, "%.1fk", r / 1000);
        }
        return String.format(Locale.ROOT, "%.1fM", r / 1_000_000);
    }

    private static String seconds(double s) {
        return s == Math.rint(s) ? String.format(Locale.ROOT, "%.0fs", s) : String.format(Locale.ROOT, "%.1fs", s);
    }

    private static String plural(int n, String word) {
        return n + " " + word + (n == 1 ? "" : "s");
    }
}
