package dynamos.analysis;

import dynamos.btf.Btf;
import dynamos.btf.BtfType;
import dynamos.btf.KernelBtf;
import dynamos.elf.ElfObject;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import dynamos.vm.Vm;
import dynamos.vm.VmOptions;
import dynamos.vm.VmResult;
import dynamos.x86.Decoder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where the facts of a kernel come from. Two listings exist only in a running kernel:
 * {@code /proc/kallsyms} (every symbol with its address; Debian's {@code System.map} is a stub) and the
 * tracing filter list (one line per ftrace site). For the running kernel they are read live; for another
 * they are collected once by booting it in the VM ({@link #collect}) and kept in the kernel's cache
 * directory under {@code analysis/}. The BTF and the code (for the call graph, {@link CodeScan}) come from
 * the kernel image ({@link KernelBtf}).
 */
public final class FactsCache {
    public static final String DIR = "analysis";
    public static final String KALLSYMS = "kallsyms";
    public static final String FTRACE = "available_filter_functions";
    static final Path PROC_KALLSYMS = Path.of("/proc/kallsyms");
    static final Path TRACING = Path.of("/sys/kernel/tracing/available_filter_functions");

    private FactsCache() {}

    /** The directory of {@code kernel}'s collected listings. */
    public static Path dir(KernelRelease kernel) {
        return kernel.dir().resolve(DIR);
    }

    /** Whether the listings of {@code kernel} are cached. */
    public static boolean cached(KernelRelease kernel) {
        return Files.isRegularFile(dir(kernel).resolve(KALLSYMS)) && Files.isRegularFile(dir(kernel).resolve(FTRACE));
    }

    /** Whether {@code kernel} is the one this process runs on and its listings can be read. */
    static boolean running(KernelRelease kernel) {
        return kernel.version().equals(System.getProperty("os.version")) && Files.isReadable(PROC_KALLSYMS)
                && Files.isReadable(TRACING);
    }

    /** Where a boot of a kernel lists its symbols ({@code /proc/kallsyms}) and its ftrace sites. */
    public record Listings(Path kallsyms, Path ftrace) {}

    /**
     * The listings of {@code kernel}: live when it runs here, else from the cache (an error says how to fill it).
     */
    public static Listings listings(KernelRelease kernel) {
        if (running(kernel)) {
            return new Listings(PROC_KALLSYMS, TRACING);
        }
        if (cached(kernel)) {
            return new Listings(dir(kernel).resolve(KALLSYMS), dir(kernel).resolve(FTRACE));
        }
        throw new AnalysisException("the symbol and ftrace listings of " + kernel.version() + " are not cached in "
                + dir(kernel) + ": collect them once by booting it: dynamos analyze --collect"
                + " --kernel-version " + kernel.version());
    }

    /** The facts of {@code kernel}: live when it runs here, else from the cache (an error says how to fill it). */
    public static KernelFacts load(KernelRelease kernel) {
        Listings l = listings(kernel);
        KernelFacts facts = load(kernel.version(), l.kallsyms(), l.ftrace(), KernelBtf.file(kernel));
        return withCallGraph(facts, ElfObject.parse(KernelBtf.vmlinux(kernel.image()), kernel.image() + " (vmlinux)"));
    }

    /**
     * {@code facts} with what the kernel's vmlinux adds: the call graph {@link CodeScan} finds, the
     * functions' properties from the image's tables ({@link CodeTables}) and the jumps back into their
     * entries ({@link EntryBranches}); with Zydis installed, what decoding the code adds ({@link CodeDecoding}:
     * exact tail calls and entry jumps, jump tables, references into text, data in code).
     */
    public static KernelFacts withCallGraph(KernelFacts facts, ElfObject vmlinux) {
        long delta = facts.textBase() - vmlinux.section(".text").map(s -> s.address()).orElse(facts.textBase());
        List<CodeScan.Chunk> code = vmlinux.sections().stream()
                .filter(s -> s.hasFileContents() && (s.flags() & 6) == 6 && s.address() != 0)
                .map(s -> new CodeScan.Chunk(s.name(), s.address(), vmlinux.contents(s), true)).toList();
        CallGraph graph = CodeScan.scan(facts, vmlinux);
        Map<String, FunctionProperties> props = CodeTables.read(facts, vmlinux);
        if (!Decoder.available()) { // the byte scan's answers, an upper bound; the CLI says so
            return facts.withCallGraph(graph).withProperties(props).withEntryBranches(EntryBranches.find(facts, code,
                    delta));
        }
        CodeDecoding.Result decoded = CodeDecoding.decode(facts, vmlinux);
        return facts.withCallGraph(CodeDecoding.applyTo(graph, decoded))
                .withProperties(CodeDecoding.applyTo(props, decoded)).withEntryBranches(decoded.entryBranches());
    }

    /** The facts from the three files; {@code btf} may be null (then no function counts as C by its BTF record). */
    public static KernelFacts load(String release, Path kallsyms, Path ftrace, Path btf) {
        return KernelFacts.of(release, lines(kallsyms), lines(ftrace), btf == null ? Set.of() : btfFunctions(Btf.read(btf)),
                CallGraph.UNKNOWN);
    }

    /**
     * The facts from a directory of listings collected elsewhere (e.g. on another machine, as root):
     * {@code kallsyms}, {@code available_filter_functions} and optionally {@code vmlinux.btf}
     * ({@code /sys/kernel/btf/vmlinux}), {@code release} and {@code vmlinux} (the kernel's ELF, for the
     * call graph).
     */
    public static KernelFacts loadDirectory(Path dir) {
        for (String f : List.of(KALLSYMS, FTRACE)) {
            if (!Files.isRegularFile(dir.resolve(f))) {
                throw new AnalysisException(dir + " has no file " + f + ": copy /proc/kallsyms (as root) and "
                        + TRACING + " of the kernel there");
            }
        }
        Path btf = dir.resolve("vmlinux.btf");
        String release = dir.getFileName().toString();
        if (Files.isRegularFile(dir.resolve("release"))) {
            release = lines(dir.resolve("release")).stream().findFirst().orElse(release).strip();
        }
        KernelFacts facts = load(release, dir.resolve(KALLSYMS), dir.resolve(FTRACE), Files.isRegularFile(btf) ? btf : null);
        Path vmlinux = dir.resolve("vmlinux");
        return Files.isRegularFile(vmlinux) ? withCallGraph(facts, ElfObject.read(vmlinux)) : facts;
    }

    /** The names of the BTF {@code FUNC} records. */
    public static Set<String> btfFunctions(Btf btf) {
        Set<String> out = new HashSet<>();
        for (BtfType t : btf.types()) {
            if (t instanceof BtfType.Func f) {
                out.add(f.name());
            }
        }
        return out;
    }

    /**
     * Boots {@code kernel} in the VM and copies its listings into {@link #dir}; the guest writes them
     * through a shared directory. Returns the directory.
     */
    public static Path collect(KernelCache cache, KernelRelease kernel, PrintStream out) {
        Path dir = dir(kernel);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new AnalysisException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        String d = dir.toString();
        // Each listing appears whole, under a temporary name of this process's own: another may collect at once.
        String tmp = "." + ProcessHandle.current().pid() + "." + System.nanoTime() + ".";
        String script = "set -e; T=/sys/kernel/tracing; [ -r $T/" + FTRACE + " ] || mount -t tracefs nodev $T; "
                + "cat /proc/kallsyms > '" + d + "/" + tmp + KALLSYMS + "'; cat $T/" + FTRACE + " > '" + d + "/" + tmp
                + FTRACE + "'; cat /proc/modules > '" + d + "/modules'; uname -r > '" + d + "/release'; "
                + "mv '" + d + "/" + tmp + KALLSYMS + "' '" + d + "/" + KALLSYMS + "'; mv '" + d + "/" + tmp + FTRACE
                + "' '" + d + "/" + FTRACE + "'";
        VmOptions o = new VmOptions();
        o.kernelVersion = kernel.version();
        o.share = dir;
        o.timeout = Duration.ofMinutes(5);
        VmResult r = new Vm(cache).run(o, List.of("sh", "-c", script), out);
        if (r.exitCode() != 0 || !cached(kernel)) {
            throw new AnalysisException("collecting the listings of " + kernel.version() + " in the VM failed (exit "
                    + r.exitCode() + "); see " + r.consoleLogPath());
        }
        // Listings of a kernel that oopsed or warned on the way describe a kernel in an unknown state.
        List<String> problems = r.kernelProblems();
        if (!problems.isEmpty()) {
            deleteQuietly(dir.resolve(KALLSYMS));
            deleteQuietly(dir.resolve(FTRACE));
            throw new AnalysisException("the kernel reported problems while its listings were collected, so they are"
                    + " not kept: " + String.join("; ", problems) + "; see " + r.consoleLogPath());
        }
        return dir;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // The caller reports the problem; a listing left behind is only a leftover file.
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new AnalysisException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
