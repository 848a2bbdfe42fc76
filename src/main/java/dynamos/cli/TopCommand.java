package dynamos.cli;

import dynamos.top.LiveSource;
import dynamos.top.LiveTop;
import dynamos.top.Terminal;
import dynamos.top.TopReport;
import dynamos.top.TopScreen;
import dynamos.top.TopState;
import java.io.Console;
import java.time.ZoneId;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

@Command(name = "top",
        mixinStandardHelpOptions = true,
        description = {
            "A live view of every applied update and monitored function, refreshed like top.",
            "",
            "Per update and version: the function, the version's code, the active one (*), the handler, how calls "
                    + "reach it (PATH), calls per second and in total, tasks still running an inactive version "
                    + "(BUSY), the update name's phase and must_update. Per monitored function (see 'dynamos "
                    + "monitor'): calls per second, per CPU, median and 99th percentile of its duration over the "
                    + "interval, calls it could not time (MISSED).",
            "",
            "In a terminal the screen is redrawn every interval; keys: q quit, s sort (calls/s, name, busy), "
                    + "r reverse, p pause, h help. Not in a terminal, or with --once, --iterations or --json, it "
                    + "takes a picture, waits an interval, and prints the second picture (rates need two), then "
                    + "exits; the framework not started is then an error (exit 1)."})
final class TopCommand extends CliCommand {
    @Mixin
    SharedOptions.Json json;

    @Option(names = "--interval", paramLabel = "S", defaultValue = "1", converter = Interval.class,
            description = "Seconds between pictures, 0.1 to 3600 (default: ${DEFAULT-VALUE}).")
    double interval;

    @Option(names = "--once", description = "Print one picture as text and exit, even in a terminal.")
    boolean once;

    @Option(names = "--iterations", paramLabel = "N", converter = Iterations.class,
            description = "Print N pictures, one interval apart, and exit (text, or a JSON document per line).")
    Integer iterations;

    /** The interval: more than a tenth of a second (each picture walks every task's stack), at most an hour. */
    static final class Interval implements ITypeConverter<Double> {
        @Override
        public Double convert(String word) {
            double s;
            try {
                s = Double.parseDouble(word);
            } catch (NumberFormatException e) {
                s = Double.NaN;
            }
            if (!(s >= 0.1 && s <= 3600)) {
                throw new TypeConversionException("--interval takes 0.1 to 3600 seconds, not '" + word + "'");
            }
            return s;
        }
    }

    /** How many pictures: 1 or more. */
    static final class Iterations implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String word) {
            try {
                int n = Integer.parseInt(word);
                if (n >= 1) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // Said below.
            }
            throw new TypeConversionException("--iterations takes a number of pictures, 1 or more, not '" + word + "'");
        }
    }

    @Override
    public Integer call() {
        String kernel = System.getProperty("os.version");
        LiveSource source = LiveSource.ofRunningKernel();
        if (!once && !json.requested && iterations == null && interactive()) {
            TopScreen.Header header = new TopScreen.Header(kernel, interval, ZoneId.systemDefault(), unicode(), true, null);
            try (Terminal terminal = Terminal.open(out())) {
                new LiveTop(source, header).run(terminal);
            }
            return ExitStatus.SUCCESS.code;
        }
        TopScreen.Header header = new TopScreen.Header(kernel, interval, ZoneId.systemDefault(), unicode(), false, null);
        // Rates need two pictures: the first is only the starting point.
        String problem = problem(source.next());
        int pictures = iterations == null ? 1 : iterations;
        for (int i = 0; i < pictures && problem == null; i++) {
            sleep();
            LiveSource.Picture picture = source.next();
            problem = problem(picture);
            if (problem != null) {
                break;
            }
            if (json.requested) {
                json.print(TopReport.of(picture.view(), kernel));
            } else {
                out().print((i > 0 ? "\n" : "") + TopScreen.render(picture.view(), header, TopState.INITIAL, 0, 0).text());
            }
            out().flush();
        }
        if (problem != null) {
            error(problem);
            return ExitStatus.FAILURE.code;
        }
        return ExitStatus.SUCCESS.code;
    }

    /** Why {@code picture} cannot be shown as one-shot text (the framework is stopped, the device failed), or null. */
    private static String problem(LiveSource.Picture picture) {
        if (picture.problem() != null) {
            return picture.problem();
        }
        return picture.view().framework() == null ? TopScreen.NOT_STARTED : null;
    }

    /** Whether stdin and stdout are a terminal (not a pipe or a file). */
    private static boolean interactive() {
        Console console = System.console();
        return console != null && console.isTerminal();
    }

    /** Whether stdout can show "…". */
    private static boolean unicode() {
        return System.out.charset().newEncoder().canEncode('…');
    }

    private void sleep() {
        try {
            Thread.sleep(Math.round(interval * 1000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }
}
