package dynamos.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.kbuild.ModuleBuild;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import dynamos.vm.Vm;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The end-to-end test harness: runs shell scripts in the VM on Debian's stock kernel, builds test
 * modules against its headers, and fails a test whose guest kernel log reports a problem.
 */
public final class Guest {
    /** The repository root (set by Maven; the working directory otherwise). */
    public static final Path REPO = Path.of(System.getProperty("dynamos.repo", "")).toAbsolutePath();
    /** The packaged dynamos jar, to run the control tool inside the guest. */
    public static final Path JAR = Path.of(System.getProperty("dynamos.jar", "target/dynamos.jar")).toAbsolutePath();

    private static volatile KernelRelease kernel;

    private Guest() {}

    public static KernelCache cache() {
        return KernelCache.atDefault();
    }

    /** Debian's current stock kernel, fetched (with headers) on first use. */
    public static synchronized KernelRelease kernel() {
        if (kernel == null) {
            kernel = cache().ensure(null);
        }
        return kernel;
    }

    /**
     * Default options for functional tests: TCG, two vCPUs on one host thread (see {@link #SIMULTANEOUS_VCPUS}), a
     * 10-minute limit (a JVM start in the guest takes seconds).
     */
    public static VmOptions options() {
        VmOptions o = new VmOptions();
        o.kernelVersion = kernel().version();
        o.smp = 2;
        o.tcgThreads = SUITE_TCG_THREADS;
        o.timeout = Duration.ofMinutes(10);
        o.workDir = REPO;
        return o;
    }

    /**
     * The two test forks run two guests at once, on CI's two cores. With a host thread per vCPU, a vCPU that spins
     * (for a lock, or for an IPI's answer) while its sibling's thread waits for a core burns that core for
     * nothing; sharing one thread, the guest's vCPUs take turns and a spinning one yields at once. Tests whose
     * subject is concurrency add {@link #SIMULTANEOUS_VCPUS}. {@code -Ddynamos.it.tcgThreads=multi} gives every
     * guest a thread per vCPU.
     */
    private static final VmOptions.TcgThreads SUITE_TCG_THREADS = VmOptions.TcgThreads.valueOf(
            System.getProperty("dynamos.it.tcgThreads", "single").toUpperCase(Locale.ROOT));

    /**
     * For tests whose subject is concurrency (races between CPUs, scheduling across them): a host thread per vCPU,
     * so that the vCPUs run at the same instant whenever the host has the cores.
     */
    public static final Consumer<VmOptions> SIMULTANEOUS_VCPUS = o -> o.tcgThreads = VmOptions.TcgThreads.MULTI;

    /** Runs {@code script} with sh -e in the guest (output echoed to the test log) and returns the result. */
    public static VmResult run(String script) {
        return run(options(), script);
    }

    public static VmResult run(VmOptions o, String script) {
        VmResult r = new Vm(cache()).run(o, List.of("sh", "-ec", script), System.out);
        System.out.println("[guest exit " + r.exitCode() + ", run dir " + r.runDir() + "]");
        return r;
    }

    /** Like {@link #run} and also asserts exit status 0 and a clean kernel log. */
    public static VmResult runClean(String script) {
        return runClean(options(), script);
    }

    public static VmResult runClean(VmOptions o, String script) {
        VmResult r = run(o, script);
        assertThat(r.exitCode()).as("guest exit status; output:%n%s", r.output()).isZero();
        assertCleanKernelLog(r);
        return r;
    }

    /**
     * Fails when the guest kernel log has an Oops, BUG, WARNING, general protection fault or lockdep
     * report, or when the guest saved no kernel log to check.
     */
    public static void assertCleanKernelLog(VmResult r) {
        assertThat(r.kernelProblems()).as("kernel problems in %s", r.kernelLogPath()).isEmpty();
    }

    /** Builds the test module {@code src/test/kmod/NAME} into {@code target/kmod/NAME}; returns its .ko files. */
    public static List<Path> buildTestModule(String name) {
        return ModuleBuild.build(REPO.resolve("src/test/kmod").resolve(name),
                REPO.resolve("target/kmod").resolve(name), kernel());
    }

    /** Quotes a path or word for the guest's sh. */
    public static String q(Object word) {
        return "'" + word.toString().replace("'", "'\\''") + "'";
    }
}
