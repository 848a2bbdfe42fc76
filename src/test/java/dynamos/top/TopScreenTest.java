package dynamos.top;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.live.LiveView;
import dynamos.monitor.MonitorOptions;
import dynamos.testing.FakeFramework;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TopScreenTest {
    private static final long NOON = 1_796_126_400_000L; // 2026-12-03T12:00:00Z
    private static final TopScreen.Header TEXT = new TopScreen.Header("6.1.0-test", 1, ZoneOffset.UTC, true, false, null);
    private static final TopScreen.Header SCREEN = new TopScreen.Header("6.1.0-test", 1, ZoneOffset.UTC, true, true, null);

    private final AtomicLong clock = new AtomicLong(NOON);

    /** Two pictures of {@code fw} one second apart, calls added by {@code between} in between: the second. */
    private LiveView picture(FakeFramework fw, Runnable between) {
        LiveSource source = new LiveSource(() -> true, () -> fw, clock::get);
        source.next();
        between.run();
        clock.addAndGet(1000);
        LiveSource.Picture p = source.next();
        assertThat(p.problem()).isNull();
        return p.view();
    }

    private static FakeFramework getPid() {
        FakeFramework fw = new FakeFramework();
        fw.register("get_pid", 1, "alloc_pid");
        fw.register("get_pid", 1, "mod:alloc_pid_v2");
        fw.activate("get_pid", 1, 2);
        return fw;
    }

    private static String row(List<String> lines, String... words) {
        return lines.stream().filter(l -> List.of(l.trim().split("\\s+")).containsAll(List.of(words))).findFirst()
                .orElseThrow(() -> new AssertionError("no row with " + List.of(words) + " in\n" + String.join("\n", lines)));
    }

    @Test
    void aRowPerVersionWithTheUpdatesColumnsAndAHeader() {
        FakeFramework fw = getPid();
        fw.setHandler("get_pid", 1, "mod:pick");
        fw.state("get_pid", 2, true);
        List<String> lines = TopScreen.render(picture(fw, () -> fw.addCalls("get_pid", 1, 2, 1500)), TEXT,
                TopState.INITIAL, 0, 0).lines();
        assertThat(lines.getFirst()).isEqualTo(
                "dynamos top - kernel 6.1.0-test, dynamos 0.1.0, 12:00:01, every 1s, 1 update, 0 monitors");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("UPDATE").contains("ID", "FUNCTION", "VER", "ACT",
                "CODE", "HANDLER", "PATH", "CALLS/S", "CALLS", "BUSY", "PHASE", "MUST"));
        assertThat(row(lines, "mod:alloc_pid_v2")).matches(
                "get_pid +1 alloc_pid +2 \\* +mod:alloc_pid_v2 +mod:pick +handler +1500 +1500 +0 +2 yes");
        assertThat(row(lines, "get_pid", "1", "alloc_pid")).matches("get_pid +1 alloc_pid +1 - +alloc_pid +mod:pick +handler +0 +0 +0 +2 yes");
        assertThat(lines).contains("no monitored functions (monitor one with: dynamos monitor FUNCTION)");
        assertThat(lines).as("one-shot text has no key line").noneMatch(l -> l.contains("q quit"));
    }

    @Test
    void sortsByCallsNameOrBusyAndReverses() {
        FakeFramework fw = new FakeFramework();
        for (String name : List.of("alpha", "bravo", "charlie")) {
            fw.register(name, 1, name + "_fn");
        }
        LiveView view = picture(fw, () -> {
            fw.addCalls("alpha", 1, 1, 10);
            fw.addCalls("bravo", 1, 1, 3000);
            fw.addCalls("charlie", 1, 1, 200);
        });
        TopState calls = TopState.INITIAL;
        assertThat(order(view, calls)).containsExactly("bravo", "charlie", "alpha");
        assertThat(order(view, calls.onKey('r'))).containsExactly("alpha", "charlie", "bravo");
        TopState name = calls.onKey('s');
        assertThat(name.sort()).isEqualTo(SortOrder.NAME);
        assertThat(order(view, name)).containsExactly("alpha", "bravo", "charlie");
        assertThat(order(view, name.onKey('r'))).containsExactly("charlie", "bravo", "alpha");
        TopState busy = name.onKey('s');
        assertThat(busy.sort()).isEqualTo(SortOrder.BUSY);
        assertThat(busy.onKey('s').sort()).as("s cycles back").isEqualTo(SortOrder.CALLS);
        // No busy tasks anywhere: ties go by name.
        assertThat(order(view, busy)).containsExactly("alpha", "bravo", "charlie");
    }

    private static List<String> order(LiveView view, TopState state) {
        List<String> names = new ArrayList<>();
        for (String l : TopScreen.render(view, TEXT, state, 0, 0).lines()) {
            String first = l.split(" ")[0];
            if (List.of("alpha", "bravo", "charlie").contains(first)) {
                names.add(first);
            }
        }
        return names;
    }

    @Test
    void theScreenFillsTheHeightWithKeysAtTheBottomAndSaysHowManyRowsDoNotFit() {
        FakeFramework fw = new FakeFramework();
        for (int i = 0; i < 30; i++) {
            fw.register(String.format("u%02d", i), 1, "fn" + i);
        }
        int id = fw.monitorStart("vfs_read", MonitorOptions.DEFAULT);
        LiveView view = picture(fw, () -> fw.monitorCalls(id, 0, 10, 10));
        TopScreen.Frame frame = TopScreen.render(view, SCREEN, TopState.INITIAL.onKey('s'), 100, 20);
        List<String> lines = frame.lines();
        assertThat(lines).hasSize(20);
        assertThat(lines.getLast()).startsWith("q quit  s sort: name (smallest first)  r reverse  p pause  h help");
        assertThat(frame.headings()).contains(19);
        assertThat(lines).anyMatch(l -> l.matches("… \\d+ more"));
        int more = Integer.parseInt(lines.stream().filter(l -> l.startsWith("… ")).findFirst().orElseThrow().split(" ")[1]);
        long shown = lines.stream().filter(l -> l.matches("u\\d\\d .*")).count();
        assertThat(shown + more).isEqualTo(30);
        assertThat(lines).as("the monitors still get their rows").anyMatch(l -> l.startsWith("vfs_read"));
        assertThat(lines).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(100));
        assertThat(lines.get(frame.headings().getFirst())).startsWith("UPDATE");

        TopScreen.Frame help = TopScreen.render(view, SCREEN, TopState.INITIAL.onKey('h').onKey('p'), 100, 20);
        assertThat(help.lines()).hasSize(20).anyMatch(l -> l.startsWith("ACT * the version new calls run"));
        assertThat(help.lines().getFirst()).startsWith("dynamos top [paused] - kernel 6.1.0-test, ");
        assertThat(help.lines().getLast()).contains("p resume");
    }

    @Test
    void aNarrowTerminalCutsNamesThenLeavesOutTheLeastImportantColumns() {
        FakeFramework fw = new FakeFramework();
        fw.register("a_rather_long_update_name", 7, "a_long_kernel_function_name");
        fw.register("a_rather_long_update_name", 7, "some_update_module:a_long_kernel_function_name_v2");
        fw.activate("a_rather_long_update_name", 7, 2);
        LiveView view = picture(fw, () -> fw.addCalls("a_rather_long_update_name", 7, 2, 42));
        List<String> wide = TopScreen.render(view, SCREEN, TopState.INITIAL, 200, 24).lines();
        assertThat(row(wide, "some_update_module:a_long_kernel_function_name_v2")).contains("MUST".isEmpty() ? "" : " no");

        List<String> narrow = TopScreen.render(view, SCREEN, TopState.INITIAL, 60, 24).lines();
        assertThat(narrow).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(60));
        String heading = narrow.stream().filter(l -> l.startsWith("UPDATE")).findFirst().orElseThrow();
        assertThat(heading).contains("VER", "ACT", "CALLS/S").doesNotContain("MUST").doesNotContain("PHASE");
        assertThat(narrow).anySatisfy(l -> assertThat(l).contains("…").contains("42").contains("*"));

        List<String> ascii = TopScreen.render(view, new TopScreen.Header("k", 1, ZoneOffset.UTC, false, true, null),
                TopState.INITIAL, 60, 24).lines();
        assertThat(ascii).noneMatch(l -> l.contains("…")).anyMatch(l -> l.contains("..."));
    }

    @Test
    void monitorsShowRatesPerCpuAndTheLatencyOfTheInterval() {
        FakeFramework fw = getPid();
        int read = fw.monitorStart("vfs_read", MonitorOptions.DEFAULT);
        int write = fw.monitorStart("vfs_write", MonitorOptions.DEFAULT);
        fw.monitorCalls(read, 0, 1000, 20); // before the first picture: not in the rates
        LiveView view = picture(fw, () -> {
            fw.monitorCalls(read, 0, 300, 10);
            fw.monitorCalls(read, 1, 100, 10);
            fw.monitorCalls(write, 1, 5, 12);
        });
        List<String> lines = TopScreen.render(view, TEXT, TopState.INITIAL, 0, 0).lines();
        assertThat(lines.getFirst()).endsWith("1 update, 2 monitors");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("MONITORED").contains("CALLS/S", "PER-CPU CALLS/S",
                "MEDIAN", "P99", "CALLS", "MISSED"));
        // 2^10 ns buckets: the middle of [1024, 2048) ns.
        assertThat(row(lines, "vfs_read")).matches("vfs_read +400 +300 100 +1\\.4us +1\\.4us +1400 +0 +-");
        assertThat(row(lines, "vfs_write")).matches("vfs_write +5\\.0 +0 5\\.0 +5\\.8us +5\\.8us +5 +0 +-");
        int readAt = lines.indexOf(row(lines, "vfs_read"));
        int writeAt = lines.indexOf(row(lines, "vfs_write"));
        assertThat(readAt).as("busiest first").isLessThan(writeAt);
        List<String> byName = TopScreen.render(view, TEXT, TopState.INITIAL.onKey('s').onKey('r'), 0, 0).lines();
        assertThat(byName.indexOf(row(byName, "vfs_write"))).isLessThan(byName.indexOf(row(byName, "vfs_read")));

        TopReport json = TopReport.of(view, "6.1.0-test");
        assertThat(json.monitors()).extracting(TopReport.Monitor::function).containsExactly("vfs_read", "vfs_write");
        assertThat(json.monitors().getFirst().callsPerSecond()).isEqualTo(400.0);
        assertThat(json.monitors().getFirst().cpuCallsPerSecond()).containsExactly(300.0, 100.0);
        assertThat(json.monitors().getFirst().medianNs()).isBetween(1024.0, 2048.0);
    }

    @Test
    void aMonitorOfAnUpdatedFunctionShowsTheCallsOfEachVersion() {
        List<Long> none = java.util.Collections.nCopies(40, 0L);
        var m = new LiveView.MonitorView(1, "alloc_pid", false, 1, 30, 3, List.of(1.0, 2.0), none, none, 0, List.of(),
                List.of(new dynamos.monitor.MonitorStats.VersionStats("get_pid", 1, 1, "alloc_pid", 10, List.of()),
                        new dynamos.monitor.MonitorStats.VersionStats("get_pid", 1, 2, "mod:alloc_pid_v2", 20, List.of())));
        LiveView view = new LiveView(NOON, 1, "0.1.0", List.of(), List.of(m));
        List<String> lines = TopScreen.render(view, TEXT, TopState.INITIAL, 0, 0).lines();
        assertThat(row(lines, "alloc_pid")).matches("alloc_pid +3\\.0 +1\\.0 2\\.0 +- +- +30 +0 +get_pid/1 v1:10 v2:20");
        assertThat(lines).contains("no updates applied (apply one with: dynamos apply DIR)");
    }

    @Test
    void aStoppedFrameworkSaysSoAndHowToStartIt() {
        LiveSource source = new LiveSource(() -> false, () -> {
            throw new AssertionError("no connection to a stopped framework");
        }, clock::get);
        LiveSource.Picture p = source.next();
        assertThat(p.problem()).isNull();
        assertThat(p.view().framework()).isNull();
        List<String> lines = TopScreen.render(p.view(), SCREEN, TopState.INITIAL, 80, 10).lines();
        assertThat(lines.getFirst()).isEqualTo("dynamos top - kernel 6.1.0-test, framework stopped, 12:00:00, every 1s");
        assertThat(lines).contains(TopScreen.NOT_STARTED).hasSize(10);
        assertThat(TopScreen.NOT_STARTED).contains("dynamos start");
    }

    @Test
    void aFailingConnectionKeepsTheLastPictureAndSaysWhy() {
        FakeFramework fw = getPid();
        boolean[] fail = {false};
        LiveSource source = new LiveSource(() -> true, () -> {
            if (fail[0]) {
                throw new IllegalStateException("/dev/dynamos: no such device");
            }
            return fw;
        }, clock::get);
        LiveView first = source.next().view();
        fail[0] = true;
        LiveSource.Picture p = source.next();
        assertThat(p.view()).isSameAs(first);
        assertThat(p.problem()).isEqualTo("cannot read the framework: /dev/dynamos: no such device");
        assertThat(fw.closes()).as("each picture closes its connection").isEqualTo(1);
        List<String> lines = TopScreen.render(p.view(), SCREEN.withProblem(p.problem()), TopState.INITIAL, 80, 12).lines();
        assertThat(lines.get(1)).isEqualTo(p.problem());
    }

    @Test
    void keys() {
        TopState s = TopState.INITIAL;
        assertThat(s.quit()).isFalse();
        assertThat(s.onKey('q').quit()).isTrue();
        assertThat(s.onKey('x')).isSameAs(s);
        assertThat(s.onKey('p').paused()).isTrue();
        assertThat(s.onKey('p').onKey('p').paused()).isFalse();
        assertThat(s.onKey('?').help()).isTrue();
        assertThat(s.largestFirst()).isTrue();
        assertThat(s.onKey('r').largestFirst()).isFalse();
        assertThat(s.onKey('r').onKey('s').reversed()).as("a new column starts in its natural order").isFalse();
    }

    @Test
    void theTerminalDrawsFromTheCornerHeadingsInReverseVideoAndNoScroll() {
        TopScreen.Frame frame = new TopScreen.Frame(List.of("head", "UPDATE ID", "row"), List.of(1));
        String s = Terminal.screen(frame, 12);
        assertThat(s).isEqualTo("\033[Hhead\033[K\r\n\033[7mUPDATE ID   \033[0m\r\nrow\033[K\033[J");
        assertThat(Terminal.ENTER).contains("\033[?1049h", "\033[?25l");
        assertThat(Terminal.LEAVE).contains("\033[?1049l", "\033[?25h");
    }

    @Test
    void ratesAreShort() {
        assertThat(TopScreen.rate(0)).isEqualTo("0");
        assertThat(TopScreen.rate(2.5)).isEqualTo("2.5");
        assertThat(TopScreen.rate(1234.4)).isEqualTo("1234");
        assertThat(TopScreen.rate(123_456)).isEqualTo("123.5k");
        assertThat(TopScreen.rate(5_600_000_000.0)).isEqualTo("5600.0M");
    }

    @Test
    void tablesShareTheHeight() {
        assertThat(TopScreen.share(100, 10, 5)).containsExactly(11, 6);
        assertThat(TopScreen.share(12, 30, 3)).containsExactly(8, 4);
        assertThat(TopScreen.share(12, 2, 30)).containsExactly(3, 9);
        assertThat(TopScreen.share(5, 30)).containsExactly(5);
    }
}
