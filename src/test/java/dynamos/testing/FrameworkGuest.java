package dynamos.testing;

import dynamos.framework.FrameworkModule;
import dynamos.host.Exec;
import dynamos.kbuild.ModuleBuild;
import dynamos.kernel.KernelRelease;
import dynamos.update.UpdateBuilder;
import dynamos.vm.VmResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * End-to-end tests of the framework: builds dynamos.ko and the test modules (a traceable target
 * function, an update module with versions, handlers and hooks, and a livepatch of the target
 * function) for the stock kernel, and gives
 * guest scripts a prelude with the {@code dynamos} command as {@code d}.
 *
 * <p>Guest scripts report values as lines {@code @@ key=value}; {@link #values} collects them.
 */
public final class FrameworkGuest {
    private static Map<String, Path> built;

    private FrameworkGuest() {}

    /** Builds (once per test JVM) the framework, the target and update test modules, and dynctl. */
    public static synchronized Map<String, Path> modules() {
        if (built == null) {
            KernelRelease k = Guest.kernel();
            Path framework = FrameworkModule.ensureBuilt(k);
            Path out = Guest.REPO.resolve("target/kmod").resolve(k.version()).resolve("test");
            Path target = ModuleBuild.build(Guest.REPO.resolve("src/test/kmod/target"), out.resolve("target"), k).getFirst();
            Path update = UpdateBuilder.compile(Guest.REPO.resolve("src/test/kmod/update"), out.resolve("update"), k,
                    List.of(target.resolveSibling("Module.symvers"))).getFirst();
            // The kernel's own livepatch on the same target function: redirection must refuse to share it.
            Path livepatch = UpdateBuilder.compile(Guest.REPO.resolve("bench/kmod/livepatch"), out.resolve("livepatch"), k,
                    List.of(target.resolveSibling("Module.symvers"))).getFirst();
            // A module that stays in MODULE_STATE_COMING until told to go on.
            Path coming = ModuleBuild.build(Guest.REPO.resolve("src/test/kmod/coming"), out.resolve("coming"), k).getFirst();
            Path dynctl = out.resolve("dynctl");
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Exec.capture(List.of("gcc", "-static", "-O2", "-Wall", "-I" + Guest.REPO.resolve("kernel/include"),
                    "-o", dynctl.toString(), Guest.REPO.resolve("src/test/kmod/ctl/dynctl.c").toString()))
                    .orThrow("building dynctl");
            Path pipetool = out.resolve("pipetool");
            Exec.capture(List.of("gcc", "-static", "-O2", "-Wall", "-o", pipetool.toString(),
                    Guest.REPO.resolve("src/test/kmod/pipetool/pipetool.c").toString())).orThrow("building pipetool");
            built = Map.of("framework", framework, "target", target, "update", update, "dynctl", dynctl,
                    "livepatch", livepatch, "pipetool", pipetool, "coming", coming);
        }
        return built;
    }

    /**
     * Shell functions for guest scripts: d (dynamos, answered by a {@link CommandServer} the prelude
     * starts), start (framework + test modules), target, field, val, expect_fail; $DYNAMOS is the
     * same command for scripts run with sh, $DYNAMOS_JVM the real command line in a fresh JVM.
     */
    public static String prelude() {
        Map<String, Path> m = modules();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String flags = " -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED";
        String client = Guest.REPO.resolve("src/test/sh/dynamos-client").toString();
        return String.join("\n",
                "FRAMEWORK=" + Guest.q(m.get("framework")),
                "TARGET=" + Guest.q(m.get("target")),
                "UPDATE=" + Guest.q(m.get("update")),
                "DYNCTL=" + Guest.q(m.get("dynctl")),
                "LIVEPATCH=" + Guest.q(m.get("livepatch")),
                "PIPETOOL=" + Guest.q(m.get("pipetool")),
                "COMING=" + Guest.q(m.get("coming")),
                // One JVM answers every d: interpreted start-up costs seconds per command under TCG.
                "mkdir -p /tmp/dynamos-server && mkfifo /tmp/dynamos-server/request",
                // Started from a subshell: not a job of the script, so the script's "wait" does not wait for it.
                "(" + Guest.q(java) + " -XX:TieredStopAtLevel=1" + flags + " -cp " + Guest.q(Guest.REPO.resolve("target/test-classes"))
                        + ":" + Guest.q(Guest.JAR) + " dynamos.testing.CommandServer /tmp/dynamos-server"
                        + " </dev/null >/tmp/dynamos-server/server.log 2>&1 & echo $! > /tmp/dynamos-server/pid)",
                // For scripts run with sh (word-split, so no blanks in these paths).
                "DYNAMOS=" + Guest.q(client + " /tmp/dynamos-server"),
                "d() { " + Guest.q(client) + " /tmp/dynamos-server \"$@\"; }",
                // The dynamos command as its own process, as users run it.
                "DYNAMOS_JVM=" + Guest.q(java + " -Xint" + flags + " -jar " + Guest.JAR),
                // start: the framework via the tool, then the test modules.
                "start() { d start --module \"$FRAMEWORK\" && insmod \"$TARGET\" && insmod \"$UPDATE\"; }",
                "target() { echo \"$1 $2 $3\" > /proc/dynamos_target; }",
                "field() { tr ' ' '\\n' < \"$2\" | sed -n \"s/^$1=//p\"; }",
                "val() { echo \"@@ $1=$2\"; }",
                // expect_fail CMD...: the command must fail; its stderr is shown and kept in $ERR.
                "expect_fail() { if ERR=$(\"$@\" 2>&1); then echo \"UNEXPECTED SUCCESS: $*\"; return 1; fi; echo \"expected failure: $ERR\"; }",
                "");
    }

    /** The {@code @@ key=value} lines of a guest run, last value wins. */
    public static Map<String, String> values(VmResult r) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : r.output().lines().toList()) {
            if (line.startsWith("@@ ")) {
                int eq = line.indexOf('=');
                if (eq > 3) {
                    out.put(line.substring(3, eq), line.substring(eq + 1));
                }
            }
        }
        return out;
    }
}
