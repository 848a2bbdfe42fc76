package dynamos.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.framework.FrameworkModule;
import dynamos.host.Exec;
import dynamos.kbuild.ModuleBuild;
import dynamos.kernel.KernelRelease;
import dynamos.update.UpdateBuilder;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * End-to-end tests of the framework: builds dynamos.ko and the test modules (a traceable target
 * function, an update module with versions, handlers and hooks, and a livepatch of the target
 * function) for the stock kernel, and runs the guest scenarios of {@code src/test/resources/guest/},
 * which source {@code lib.sh} for the {@code dynamos} command as {@code d} and their other helpers.
 *
 * <p>Scenarios report values as lines {@code @@ key=value}; {@link #values} collects them.
 */
public final class FrameworkGuest {
    /** Where the guest scenarios live; the guest sees the host's tree, read-only, at the same path. */
    public static final Path SCENARIOS = Guest.REPO.resolve("src/test/resources/guest");

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
            Path dynctl = StaticTool.build(Guest.REPO.resolve("src/test/kmod/ctl/dynctl.c"), out.resolve("dynctl"),
                    "-I" + Guest.REPO.resolve("kernel/include"));
            Path pipetool = StaticTool.build(Guest.REPO.resolve("src/test/kmod/pipetool/pipetool.c"),
                    out.resolve("pipetool"));
            built = Map.of("framework", framework, "target", target, "update", update, "dynctl", dynctl,
                    "livepatch", livepatch, "pipetool", pipetool, "coming", coming);
        }
        return built;
    }

    /**
     * Runs the guest scenario {@code src/test/resources/guest/NAME.sh} with {@code sh -e} and asserts
     * exit status 0 and a clean kernel log. The scenario sources {@code lib.sh} (the d command and
     * helpers); {@code env} adds its own inputs (e.g. an example module's path) to the environment.
     */
    public static VmResult runScenario(String name, Map<String, String> env) {
        return runScenario(name, env, o -> { });
    }

    /**
     * {@link #runScenario(String, Map)} in a VM that {@code machine} adjusts first, e.g. one vCPU
     * ({@code o.smp = 1}) or a small memory ({@code o.memoryMiB = 256}).
     */
    public static VmResult runScenario(String name, Map<String, String> env, Consumer<VmOptions> machine) {
        Path script = SCENARIOS.resolve(name + ".sh");
        assertThat(script).as("guest scenario").isRegularFile();
        VmOptions o = options();
        o.env.putAll(env);
        machine.accept(o);
        return Guest.runClean(o, "exec sh -e " + Guest.q(script));
    }

    public static VmResult runScenario(String name) {
        return runScenario(name, Map.of());
    }

    /**
     * {@link Guest#options()} with the inputs of {@code lib.sh} in the environment: the built modules
     * and C clients ({@code FRAMEWORK}, {@code TARGET}, {@code DYNCTL}, ...), and how to start the test
     * command server.
     */
    public static VmOptions options() {
        Map<String, Path> m = modules();
        VmOptions o = Guest.options();
        Map<String, String> env = o.env;
        env.put("FRAMEWORK", m.get("framework").toString());
        env.put("TARGET", m.get("target").toString());
        env.put("UPDATE", m.get("update").toString());
        env.put("LIVEPATCH", m.get("livepatch").toString());
        env.put("COMING", m.get("coming").toString());
        env.put("DYNCTL", m.get("dynctl").toString());
        env.put("PIPETOOL", m.get("pipetool").toString());
        env.put("DYNAMOS_TEST_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The jar first: the AOT cache made for "-jar dynamos.jar" also serves a class path it begins.
        env.put("DYNAMOS_TEST_CLASSPATH", Guest.JAR + ":" + Guest.REPO.resolve("target/test-classes"));
        env.put("DYNAMOS_TEST_JAR", Guest.JAR.toString());
        env.put("DYNAMOS_TEST_AOT_OPTIONS", aotOptions());
        return o;
    }

    private static String aotOptions;

    /**
     * The JVM options that use the jar's AOT cache (scripts/lib.sh ensure_aot_cache, the cache the
     * dynamos command uses), made once per test run: it saves seconds of every guest JVM start.
     * Empty if the cache cannot be made (the guest JVMs then start without it).
     */
    static synchronized String aotOptions() {
        if (aotOptions == null) {
            Exec.Result r = Exec.capture(List.of("bash", "-c", ". scripts/lib.sh && DYNAMOS_JDK=\"$(find_jdk)\""
                    + " && ensure_aot_cache \"$1\" && a=\"$(aot_cache_of \"$1\")\" && [ \"$a\" -nt \"$1\" ]"
                    + " && echo \"$DYNAMOS_AOT_FLAGS -XX:AOTCache=$a\"", "aot", Guest.JAR.toString()), Guest.REPO, Map.of());
            aotOptions = r.exitCode() == 0 ? r.output().strip() : "";
        }
        return aotOptions;
    }

    /** Builds {@code src/test/kmod/NAME}, a module using the framework's exports, for the guest kernel; returns its .ko. */
    public static Path buildFrameworkTestModule(String name) {
        KernelRelease k = Guest.kernel();
        Path out = Guest.REPO.resolve("target/kmod").resolve(k.version()).resolve("test").resolve(name);
        return UpdateBuilder.compile(Guest.REPO.resolve("src/test/kmod").resolve(name), out, k).getFirst();
    }

    /**
     * Builds {@code src/test/kmod/NAME}, whose Kbuild makes several modules using the framework's
     * exports (and each other's), for the guest kernel; returns each .ko by module name.
     */
    public static Map<String, Path> buildFrameworkTestModules(String name) {
        KernelRelease k = Guest.kernel();
        Path out = Guest.REPO.resolve("target/kmod").resolve(k.version()).resolve("test").resolve(name);
        Map<String, Path> kos = new LinkedHashMap<>();
        for (Path ko : UpdateBuilder.compile(Guest.REPO.resolve("src/test/kmod").resolve(name), out, k)) {
            kos.put(ko.getFileName().toString().replaceFirst("\\.ko$", ""), ko);
        }
        return kos;
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
