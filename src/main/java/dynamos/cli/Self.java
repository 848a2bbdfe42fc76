package dynamos.cli;

import dynamos.host.Installation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** How to run this same dynamos build again, e.g. inside the VM where the host's files are visible. */
final class Self {
    /**
     * As the ./dynamos launcher starts it in the VM: interpreted, because JIT-compiled code crashes now
     * and then under QEMU TCG with several vCPUs, and with the fastest-starting collector.
     */
    static final List<String> GUEST_JVM_OPTIONS = List.of("-Xint", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    /**
     * The options the launcher makes and uses the jar's AOT cache with (scripts/lib.sh, DYNAMOS_AOT_FLAGS: the
     * cache is only taken with the options it was made with).
     */
    static final List<String> AOT_CACHE_OPTIONS = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:-AOTAdapterCaching",
            "-XX:-AOTStubCaching", "-Xlog:aot=off");

    private Self() {}

    /**
     * argv that runs {@code dynamos ARGS...} in the VM with this JVM and this jar, and the jar's AOT cache when the
     * launcher has made it (its classes loaded and linked already: each command in the emulated guest starts
     * seconds sooner).
     */
    static List<String> guestCommand(String... args) {
        Path jar = Installation.jar();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(GUEST_JVM_OPTIONS);
        aotCacheOf(jar).ifPresent(cache -> {
            cmd.addAll(AOT_CACHE_OPTIONS);
            cmd.add("-XX:AOTCache=" + cache);
        });
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The launcher's AOT cache of {@code jar} (NAME.aot beside NAME.jar) if it is newer than the jar. */
    static Optional<Path> aotCacheOf(Path jar) {
        String name = jar.getFileName().toString();
        Path cache = jar.resolveSibling(name.replaceFirst("\\.jar$", "") + ".aot");
        try {
            if (Files.isRegularFile(cache)
                    && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                return Optional.of(cache);
            }
        } catch (IOException e) {
            // unreadable: start without it
        }
        return Optional.empty();
    }
}
