package dynamos.cli;

import dynamos.host.Installation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How to run this same dynamos build again, e.g. inside the VM where the host's files are visible. */
final class Self {
    private Self() {}

    /** argv that runs {@code dynamos ARGS...} with this JVM and this jar. */
    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-jar");
        cmd.add(Installation.jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
