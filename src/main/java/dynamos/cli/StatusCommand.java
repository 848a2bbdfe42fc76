package dynamos.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show the running kernel and the state of the DynAMOS framework.",
            "",
            "Acts on the kernel this command runs on: inside 'dynamos vm' that is the guest. When the "
                    + "framework is started, prints its version table (what 'cat /dev/dynamos' shows)."})
final class StatusCommand implements Callable<Integer> {
    static final Path DEVICE = Path.of("/dev/dynamos");
    static final Path MODULE = Path.of("/sys/module/dynamos");

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        String release = System.getProperty("os.version");
        boolean loaded = Files.isDirectory(MODULE);
        boolean device = Files.exists(DEVICE);
        String table = null;
        if (device) {
            try {
                table = Files.readString(DEVICE);
            } catch (IOException e) {
                throw new IOException("cannot read " + DEVICE + ": " + e.getMessage()
                        + " (the framework is root-only: run as root)", e);
            }
        }
        if (json) {
            System.out.println("{\"kernel\": " + Json.str(release) + ", \"framework\": "
                    + Json.str(loaded ? "started" : "stopped") + ", \"table\": " + Json.str(table) + "}");
            return 0;
        }
        System.out.println("kernel:    " + release);
        if (!loaded) {
            System.out.println("framework: stopped (dynamos.ko is not loaded)");
        } else {
            System.out.println("framework: started");
            if (table != null) {
                System.out.print(table);
            }
        }
        return 0;
    }
}
