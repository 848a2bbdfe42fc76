package dynamos.cli;

import dynamos.framework.Framework;
import dynamos.host.HostException;
import dynamos.ui.ControlCenter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dynamos ui}: the Control Center, a web page served on 127.0.0.1. */
@Command(name = "ui", mixinStandardHelpOptions = true,
        description = {
            "Serve the Control Center: a web page on 127.0.0.1 that shows and controls the running kernel's updates.",
            "",
            "It shows every applied update with its versions and their calls per second, pushed every second "
                    + "(no reload), a chart of the calls per version over the last minutes, the kernel log lines "
                    + "of the framework and the updates, and monitored functions with their latency histograms. "
                    + "It activates a version, several at once (group activation), sets phase and must_update, "
                    + "sets or clears an adaptation handler, applies an update module and reverts an update: "
                    + "each by running the dynamos command of the same name, whose output it shows as it is "
                    + "printed, errors exactly as here. It starts and stops monitors.",
            "",
            "It listens on 127.0.0.1 only and prints its URL with an access token, new at each start: open "
                    + "that URL. Requests without the token are refused, and so are changes from other sites "
                    + "(Origin and Host are checked, changes need a header a foreign page cannot set). To reach "
                    + "the Control Center of another machine, tunnel the port over SSH with the same number: "
                    + "ssh -L 7070:127.0.0.1:7070 HOST, then open the URL it printed.",
            "",
            "Root only, as every control command. It runs until interrupted (Ctrl-C); monitors it started "
                    + "stop then."})
final class UiCommand extends CliCommand {
    @Option(names = "--port", paramLabel = "N", defaultValue = "" + ControlCenter.DEFAULT_PORT,
            description = "TCP port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: a free port).")
    int port;

    @Override
    public Integer call() throws InterruptedException {
        if (port < 0 || port > 65535) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--port takes 0 to 65535, not " + port);
        }
        if (!root()) {
            throw new HostException("the Control Center is root-only, as every control command (it reads "
                    + "/dev/dynamos and /dev/kmsg and applies updates); run it as root, e.g. sudo dynamos ui");
        }
        ControlCenter cc;
        try {
            cc = ControlCenter.start(new ControlCenter.Setup(Framework::connect, Framework::started,
                    (args, o, e) -> Main.execute(o, e, args.toArray(String[]::new)), Path.of("/dev/kmsg"), 1000), port);
        } catch (UncheckedIOException e) {
            throw new HostException(e.getMessage(), e);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            cc.close();
            stopped.countDown();
        }, "dynamos-ui-stop"));
        out().println("Control Center: " + cc.url());
        out().println("(127.0.0.1 only; from another machine: ssh -L " + cc.port() + ":127.0.0.1:" + cc.port()
                + " THIS_HOST, then open the URL. Ctrl-C stops it.)");
        out().flush();
        if (!Framework.started()) {
            err().println("dynamos: note: the framework is not started; the page shows it once 'dynamos start' has run");
            err().flush();
        }
        stopped.await();
        return ExitStatus.SUCCESS.code;
    }

    /** Whether this process runs with effective user id 0 (from /proc/self/status). */
    static boolean root() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    String[] f = line.substring(4).strip().split("\\s+");
                    return f.length > 1 && f[1].equals("0");
                }
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }
}
