package dynamos.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Guest scenarios of one test class that run one after another in one boot ({@code guest/scenarios.sh}),
 * when the first test asks for its scenario's result: under TCG a boot and the start of the test command
 * server's JVM cost some 20 s per scenario. Between two scenarios the guest stops the framework and
 * unloads every module loaded since the boot. Each test still asserts its scenario's exit status 0 and a
 * clean kernel log, that of the whole boot.
 */
public final class ScenarioBatch {
    /** The guest's limit for one scenario of a batch, that of a scenario booted alone. */
    private static final Duration PER_SCENARIO = Duration.ofMinutes(10);

    private final List<String> names;
    private final Supplier<Map<String, String>> env;
    private final Consumer<VmOptions> machine;
    private Map<String, VmResult> results;
    private RuntimeException failure;

    /** {@code names} in one boot with {@link FrameworkGuest#options()}. */
    public ScenarioBatch(String... names) {
        this(Map::of, o -> { }, names);
    }

    /**
     * {@code names} in one boot whose environment also has {@code env} (the scenarios' inputs, made when the
     * batch runs) and whose machine {@code machine} adjusts, as {@link FrameworkGuest#runScenario(String, Map, Consumer)}.
     */
    public ScenarioBatch(Supplier<Map<String, String>> env, Consumer<VmOptions> machine, String... names) {
        this.names = List.of(names);
        this.env = env;
        this.machine = machine;
        for (String name : names) {
            assertThat(FrameworkGuest.SCENARIOS.resolve(name + ".sh")).as("guest scenario").isRegularFile();
        }
    }

    /**
     * The result of scenario {@code name}: its exit status, its output, and the run directory of the whole
     * boot (its kernel log). Runs the batch on the first call; asserts exit status 0 and a clean kernel log.
     */
    public VmResult runClean(String name) {
        VmResult r = result(name);
        assertThat(r.exitCode()).as("exit status of guest scenario %s; its output:%n%s", name, r.output()).isZero();
        Guest.assertCleanKernelLog(r);
        return r;
    }

    private synchronized VmResult result(String name) {
        assertThat(names).as("scenarios of this batch").contains(name);
        if (results == null && failure == null) {
            try {
                results = run();
            } catch (RuntimeException | AssertionError e) {
                failure = e instanceof RuntimeException re ? re : new IllegalStateException(e);
            }
        }
        if (failure != null) {
            throw new IllegalStateException("the guest running " + names + " failed", failure);
        }
        return results.get(name);
    }

    private Map<String, VmResult> run() {
        VmOptions o = FrameworkGuest.options();
        o.env.putAll(env.get());
        machine.accept(o);
        o.timeout = PER_SCENARIO.multipliedBy(names.size());
        StringBuilder command = new StringBuilder("exec sh " + Guest.q(FrameworkGuest.SCENARIOS.resolve("scenarios.sh")));
        names.forEach(n -> command.append(' ').append(Guest.q(n)));
        VmResult boot = Guest.run(o, command.toString());
        return split(boot, names);
    }

    /**
     * Each scenario's part of a batch's output (between its "@@@ scenario" line and the newline before its
     * "@@@ exit" line) as a result of its own, with its exit status and the boot's run directory. A scenario
     * that did not finish gets the boot's exit status (125 if that is 0) and what it printed.
     */
    static Map<String, VmResult> split(VmResult boot, List<String> names) {
        String out = "\n" + boot.output();
        int unfinished = boot.exitCode() != 0 ? boot.exitCode() : 125;
        Map<String, VmResult> results = new LinkedHashMap<>();
        for (String name : names) {
            String begin = "\n@@@ scenario " + name + "\n";
            int at = out.indexOf(begin);
            if (at < 0) {
                results.put(name, new VmResult(unfinished, "(scenario " + name + " did not run; the guest's output:)"
                        + out, boot.runDir()));
                continue;
            }
            int from = at + begin.length();
            String end = "\n@@@ exit " + name + " ";
            int to = out.indexOf(end, from);
            if (to < 0) {
                results.put(name, new VmResult(unfinished, out.substring(from) + "\n(scenario " + name
                        + " did not finish)", boot.runDir()));
                continue;
            }
            int statusFrom = to + end.length();
            int eol = out.indexOf('\n', statusFrom);
            int status = Integer.parseInt(out.substring(statusFrom, eol < 0 ? out.length() : eol).strip());
            results.put(name, new VmResult(status, out.substring(from, to), boot.runDir()));
        }
        return results;
    }
}
