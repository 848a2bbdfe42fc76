package dynamos.cli;

import dynamos.host.Installation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How to run this same dynamos build again, e.g. inside the VM where the host's files are visible. */
final class Self {
    /**
     * As the ./dynamos launcher starts it in the VM: interpreted, because JIT-compiled code crashes now
     * and then under QEMU TCG with several vCPUs, and with the fastest-starting collector.
     */
    static final List<String> GUEST_JVM_OPTIONS = List.of("-Xint", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    private Self() {}

    /** argv that runs {@code dynamos ARGS...} in the VM with this JVM and this jar. */
    static List<String> guestCommand(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(GUEST_JVM_OPTIONS);
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-jar");
        cmd.add(Installation.jar().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }
}
