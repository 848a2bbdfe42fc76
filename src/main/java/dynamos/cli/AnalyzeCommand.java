package dynamos.cli;

import dynamos.analysis.Category;
import dynamos.analysis.CodeTables;
import dynamos.analysis.Classification;
import dynamos.analysis.Classifier;
import dynamos.analysis.Explanation;
import dynamos.analysis.FactsCache;
import dynamos.analysis.FunctionProperties;
import dynamos.analysis.DebugInfoDownload;
import dynamos.analysis.InlineFacts;
import dynamos.analysis.Inlining;
import dynamos.analysis.KernelFacts;
import dynamos.analysis.ModuleFacts;
import dynamos.analysis.PaperTable2;
import dynamos.analysis.PartKind;
import dynamos.analysis.Reason;
import dynamos.analysis.Summary;
import dynamos.analysis.TextLayout;
import dynamos.analysis.TextSymbol;
import dynamos.btf.Btf;
import dynamos.btf.KernelBtf;
import dynamos.elf.ElfObject;
import dynamos.kernel.DebianKernels;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import dynamos.x86.Decoder;
import dynamos.x86.DecoderUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "analyze",
        mixinStandardHelpOptions = true,
        description = {
            "Which functions of the target kernel can be updated, and how; or, with FUNCTION, one function explained.",
            "",
            "Every symbol of the kernel's text (vmlinux) is put in one category: updatable directly (it has an "
                    + "ftrace site, which DynAMOS redirects), updatable through its callers, not updatable (with the "
                    + "reason: noinstr, entry code, thunk, notrace, assembly), part of another function (a .cold "
                    + "part or an alias), freed after boot (init text), or not a function (a linker-script marker). "
                    + "The summary is printed in the form of Table 2 of the DynAMOS paper, with the paper's figures "
                    + "beside the rows that compare. 'Through its callers' needs the call graph: it is read from the "
                    + "kernel image's code (calls, tail calls and references to function starts; a function whose "
                    + "address is stored anywhere or that modules may call counts as not updatable this way).",
            "",
            "The facts: the symbol list (/proc/kallsyms) and the ftrace site list "
                    + "(/sys/kernel/tracing/available_filter_functions) of the kernel as it runs, read live when it "
                    + "is the running kernel and otherwise collected once by booting it in the VM (--collect) into "
                    + "CACHE/kernels/RELEASE/analysis/; and the kernel image: its BTF, whose FUNC records name the C "
                    + "functions that exist out of line, and its code, decoded with Zydis (Debian's libzydis-dev) "
                    + "when it is installed: tail calls, indirect calls and jumps, jump tables, references into the "
                    + "middle of code, data in code and jumps back into a function's first 5 bytes; without it, a "
                    + "byte scan gives upper bounds and the output says so.",
            "",
            "With FUNCTION: its symbols (several for namesakes, in address order), the copies and parts GCC made of "
                    + "it, what the kernel's tables record inside it (exception entries, alternatives, indirect calls "
                    + "and jumps, static calls, jump labels) and its tail calls, whether and how it can be updated "
                    + "(and if not, why its callers do not cover it), and DYNAMOS_REPLACE lines to paste. "
                    + "MODULE:FUNCTION explains a function of a module; --modules adds every module to the summary, "
                    + "each analysed from its .ko file alone.",
            "",
            "Inlining: which functions hold inlined copies of a function (an update reaches only the out-of-line "
                    + "copy, if any) and which source file each namesake comes from are in the kernel's DWARF, in "
                    + "Debian's linux-image-RELEASE-dbg package (about 850 MB). --debug-info downloads it once (as "
                    + "root), derives a few MB into CACHE/kernels/RELEASE/analysis/inlining.tsv.gz and deletes the "
                    + "package; later runs and dynamos build use that file. Without it everything else works."})
final class AnalyzeCommand extends CliCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "FUNCTION", description = "A function to explain.")
    String function;

    @Mixin
    SharedOptions.TargetKernel target;

    @Mixin
    SharedOptions.Json json;

    @Option(names = "--csv", paramLabel = "FILE", description = "Also write the full report, one line per text symbol, to FILE.")
    Path csv;

    @Option(names = "--modules", description = "Also analyse every module of the kernel package, from the .ko files"
            + " alone (their symbol tables, ftrace site lists and relocations); module rows in --csv are MODULE:FUNCTION.")
    boolean modules;

    @Option(names = "--collect", description = "Boot the kernel in the VM and cache its symbol and ftrace lists first "
            + "(needed once per kernel; about a minute).")
    boolean collect;

    @Option(names = "--debug-info", paramLabel = "PATH", arity = "0..1", fallbackValue = "",
            description = "First derive the inlining facts from the kernel's DWARF and cache them: from Debian's "
                    + "linux-image-RELEASE-dbg package, downloaded with apt-get (as root; about 850 MB, deleted "
                    + "afterwards), or from PATH: that package's .deb or the unstripped vmlinux it holds.")
    String debugInfo;

    @Option(names = "--facts", paramLabel = "DIR", description = "Analyse listings collected elsewhere instead: DIR holds "
            + "kallsyms (/proc/kallsyms read as root), available_filter_functions and optionally vmlinux.btf, vmlinux "
            + "(the ELF, for the call graph), release and inlining.tsv.gz (the inlining facts --debug-info derives).")
    Path factsDir;

    /** The kernel analysed (null with --facts). */
    private KernelRelease kernel;

    @Override
    public Integer call() {
        if (function != null && function.contains(":")) {
            return explainModuleFunction();
        }
        KernelFacts facts = facts();
        List<Classification> all = Classifier.classify(facts);
        Inlining inlining = inlining(facts);
        Map<String, KernelFacts> moduleFacts = new LinkedHashMap<>();
        Map<String, List<Classification>> moduleClasses = new LinkedHashMap<>();
        if (modules && function == null) {
            if (kernel == null) {
                throw new IllegalArgumentException("--modules reads the modules of a cached kernel: leave out --facts");
            }
            Btf base = KernelBtf.read(kernel);
            ModuleFacts.modules(moduleDir()).forEach((name, ko) -> {
                KernelFacts f = ModuleFacts.of(name, ElfObject.read(ko), base);
                moduleFacts.put(name, f);
                moduleClasses.put(name, Classifier.classifyModule(f).stream()
                        .filter(c -> !TextLayout.isMarker(c.symbol().fullName())).toList());
            });
        }
        if (csv != null) {
            writeCsv(csv, facts, all, moduleFacts, moduleClasses);
        }
        if (function != null) {
            Explanation e = Explanation.of(function, all, facts, null, inlining);
            if (json.requested) {
                json.print(explanationJson(e, facts));
            } else {
                printExplanation(e, facts);
            }
            return ExitStatus.SUCCESS.code;
        }
        Inlining.Counts counts = inlining == null ? null : inlining.counts(all);
        Summary s = Summary.of(facts.release(), all, facts.callGraph().known(), counts);
        List<Classification> inModules = moduleClasses.values().stream().flatMap(List::stream).toList();
        Summary m = modules ? Summary.of(facts.release() + " modules", inModules, true) : null;
        if (json.requested) {
            Map<String, Object> doc = summaryJson(s, facts, all);
            doc.put("inlining", counts == null ? null : inliningJson(counts));
            if (m != null) {
                doc.put("modules", moduleJson(m, moduleFacts));
            }
            json.print(doc);
        } else {
            printSummary(s, facts, all);
            printInlining(counts);
            if (m != null) {
                printModules(m, moduleFacts);
            }
        }
        return ExitStatus.SUCCESS.code;
    }

    /**
     * The inlining facts joined with {@code facts}: derived first with --debug-info, else the cached file
     * (in the kernel's cache, or in the --facts directory), else null.
     */
    private Inlining inlining(KernelFacts facts) {
        if (debugInfo != null) {
            if (kernel == null) {
                throw new IllegalArgumentException("--debug-info caches what it derives for a kernel of the cache:"
                        + " leave out --facts (put inlining.tsv.gz in the --facts directory instead)");
            }
            InlineFacts data = DebugInfoDownload.derive(kernel, debugInfo.isEmpty() ? null : Path.of(debugInfo));
            return Inlining.of(data, facts).checkMatches(InlineFacts.file(kernel).toString());
        }
        Path file = kernel != null ? InlineFacts.file(kernel) : factsDir.resolve(InlineFacts.FILE);
        return Files.isRegularFile(file) ? Inlining.of(InlineFacts.read(file), facts).checkMatches(file.toString())
                : null;
    }

    private void printInlining(Inlining.Counts c) {
        PrintWriter out = out();
        out.println();
        if (c == null) {
            out.println("Inlining (which callers hold copies of inlined functions; the source file of each namesake):"
                    + " not known; dynamos analyze --debug-info derives it once from Debian's -dbg package");
            return;
        }
        out.println("Inlining (the kernel's DWARF):");
        out.printf("  %-50s %8d%n", "functions with inlined copies in running code", c.inlined());
        out.printf("  %-50s %8d%n", "  of them with no text symbol (inlined everywhere)", c.withoutSymbol());
        out.printf("  %-50s %8d%n", "    of those, every holder updatable", c.coveredByHolders());
        out.printf("  %-50s %8d%n", "text symbols also inlined into callers", c.alsoInlined());
    }

    private static Map<String, Object> inliningJson(Inlining.Counts c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("inlined_functions", c.inlined());
        m.put("without_symbol", c.withoutSymbol());
        m.put("without_symbol_covered_by_holders", c.coveredByHolders());
        m.put("also_inlined_symbols", c.alsoInlined());
        return m;
    }

    private Path moduleDir() {
        return kernel.dir().resolve("lib/modules").resolve(kernel.version()).resolve("kernel");
    }

    /** {@code dynamos analyze MODULE:FUNCTION}: one function of a module, from its .ko. */
    private int explainModuleFunction() {
        String module = function.substring(0, function.indexOf(':')).replace('-', '_');
        String name = function.substring(function.indexOf(':') + 1);
        if (factsDir != null) {
            throw new IllegalArgumentException("MODULE:FUNCTION reads the module of a cached kernel: leave out --facts");
        }
        kernel = release();
        Path ko = ModuleFacts.modules(moduleDir()).get(module);
        if (ko == null) {
            throw new IllegalArgumentException("kernel " + kernel.version() + " has no module " + module
                    + " (looked under " + moduleDir() + ")");
        }
        KernelFacts f = ModuleFacts.of(module, ElfObject.read(ko), KernelBtf.read(kernel));
        Explanation e = Explanation.of(name, Classifier.classifyModule(f), f, module);
        if (json.requested) {
            json.print(explanationJson(e, f));
        } else {
            out().println("module " + module + " (" + ko + "):");
            printExplanation(e, f);
        }
        return ExitStatus.SUCCESS.code;
    }

    private void printModules(Summary m, Map<String, KernelFacts> moduleFacts) {
        PrintWriter out = out();
        out.println();
        out.printf("Modules: %,d files, %,d function symbols, %,d ftrace sites (from the .ko files)%n", moduleFacts.size(),
                m.total(), moduleFacts.values().stream().mapToInt(KernelFacts::ftraceSites).sum());
        for (Summary.Row r : m.rows()) {
            if (r.label().startsWith("Non-functions") || r.label().startsWith(Category.NOT_A_FUNCTION.label)) {
                continue;
            }
            String label = "  ".repeat(r.indent()) + (r.label().equals(Category.FREED_AFTER_BOOT.label)
                    ? "freed after the module's init" : r.label());
            out.println(String.format("%-54s %8d %7.2f", label, r.count(), r.percent()));
        }
        out.printf("Updatable: %,d of %,d functions of the modules (%.2f%%)%n", m.updatable(), m.liveFunctions(),
                m.updatablePercent());
    }

    private static Map<String, Object> moduleJson(Summary m, Map<String, KernelFacts> moduleFacts) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("files", moduleFacts.size());
        doc.put("function_symbols", m.total());
        doc.put("ftrace_sites", moduleFacts.values().stream().mapToInt(KernelFacts::ftraceSites).sum());
        Map<String, Integer> categories = new LinkedHashMap<>();
        for (Category c : Category.values()) {
            categories.put(c.name().toLowerCase(), m.count(c));
        }
        doc.put("categories", categories);
        doc.put("live_functions", m.liveFunctions());
        doc.put("updatable", m.updatable());
        doc.put("updatable_percent", Math.round(m.updatablePercent() * 100) / 100.0);
        return doc;
    }

    private KernelFacts facts() {
        if (factsDir != null) {
            if (collect || target.version != null) {
                throw new IllegalArgumentException("--facts analyses the listings in its directory: leave out --collect"
                        + " and --kernel-version");
            }
            return FactsCache.loadDirectory(factsDir);
        }
        kernel = release();
        if (collect) {
            FactsCache.collect(target.cache(), kernel, errStream());
        }
        return FactsCache.load(kernel);
    }

    /** The target kernel, fetched into the cache when missing (its headers are not needed). */
    private KernelRelease release() {
        KernelCache cache = target.cache();
        String v = target.version == null ? DebianKernels.currentDefault() : DebianKernels.normalise(target.version);
        return cache.cached(v).orElseGet(() -> cache.fetch(v));
    }

    /**
     * What entry patching (the measured proposal of issue 16) would win: the notrace C functions, and how many of
     * them have a jump back into the bytes the patch covers.
     */
    record Proposal(int notrace, int updatableThen, int notraceEntryBranches, int tracedEntryBranches,
            Map<Reason, Integer> left) {
        static Proposal of(KernelFacts facts, List<Classification> all) {
            int notrace = 0;
            int updatable = 0;
            int notraceBranches = 0;
            int tracedBranches = 0;
            Map<Reason, Integer> left = new java.util.EnumMap<>(Reason.class);
            for (Reason r : Reason.values()) {
                left.put(r, 0);
            }
            for (Classification c : all) {
                boolean branch = facts.entryBranches().contains(c.key());
                if (c.category().updatable()) {
                    updatable++;
                }
                if (c.category() == Category.DIRECT && branch) {
                    tracedBranches++;
                }
                if (c.category() == Category.NOT_UPDATABLE) {
                    if (c.reason() == Reason.NOTRACE) {
                        notrace++;
                        notraceBranches += branch ? 1 : 0;
                    } else {
                        left.merge(c.reason(), 1, Integer::sum);
                    }
                }
            }
            return new Proposal(notrace, updatable + notrace, notraceBranches, tracedBranches, left);
        }
    }

    /** The properties of the live functions only. */
    private static Map<String, FunctionProperties> liveProperties(KernelFacts facts,
            List<Classification> all) {
        Map<String, FunctionProperties> out = new LinkedHashMap<>();
        for (Classification c : all) {
            if (c.category().liveFunction() && facts.properties().containsKey(c.key())) {
                out.put(c.key(), facts.propertiesOf(c.key()));
            }
        }
        return out;
    }

    private void printSummary(Summary s, KernelFacts facts, List<Classification> all) {
        PrintWriter out = out();
        out.printf("Kernel %s: %,d text symbols, %,d ftrace sites, %,d C functions in BTF%n", s.release(), s.total(),
                facts.ftraceSites(), facts.btfFunctions().size());
        out.println();
        out.printf("%-54s %8s %7s   %s%n", "", "this kernel", "", "the paper's Table 2, % of symbols");
        out.printf("%-54s %8s %7s   %15s %16s %15s%n", "", "count", "%", PaperTable2.KERNELS.get(0),
                PaperTable2.KERNELS.get(1), PaperTable2.KERNELS.get(2));
        for (Summary.Row r : s.rows()) {
            String label = "  ".repeat(r.indent()) + r.label();
            String paper = r.paper() == null ? "" : String.format("%15.2f %16.2f %15.2f", r.paper()[0], r.paper()[1],
                    r.paper()[2]);
            out.println(String.format("%-54s %8d %7.2f   %s", label, r.count(), r.percent(), paper).stripTrailing());
        }
        out.println();
        out.printf("Updatable: %,d of %,d functions of the running kernel (%.2f%%); goal %.0f%%: %s%n", s.updatable(),
                s.liveFunctions(), s.updatablePercent(), Summary.GOAL_PERCENT, s.goalMet() ? "met" : "not met");
        if (!s.callGraphKnown()) {
            out.println("'Through its callers' is not decided yet (it needs the call graph from the machine code);"
                    + " the not-updatable functions above include those it would win.");
        }
        if (!facts.properties().isEmpty()) {
            out.println();
            out.println("Inside the functions of the running kernel (a function may have several):");
            Map<String, Integer> with = CodeTables.functionsWith(liveProperties(facts, all));
            long tail = all.stream().filter(c -> c.category().liveFunction()
                    && !facts.callGraph().tailCallsOf(c.key()).isEmpty()).count();
            out.printf("  %-50s %8d %7.2f%n", "tail calls out (jumps to another function)", tail,
                    100.0 * tail / s.liveFunctions());
            with.forEach((k, n) -> out.printf("  %-50s %8d %7.2f%n", k, n, 100.0 * n / s.liveFunctions()));
            if (Decoder.available()) {
                out.println("  (from the tables of the image and, for the last four and tail calls, its code decoded"
                        + " with Zydis; C switch jump tables: none, retpoline kernels are built with -fno-jump-tables)");
            } else {
                out.println("  (machine code not decoded: " + decoderProblem() + "; tail calls and entry jumps are the"
                        + " byte scan's upper bounds, jump tables, text references and data in code are not measured)");
            }
        }
        Proposal p = Proposal.of(facts, all);
        out.println();
        out.println("A second redirection method (a jump written over the entry of a function without an ftrace site):");
        out.printf("  it would reach the %,d notrace C functions: %,d of %,d updatable then (%.2f%%)%n", p.notrace(),
                p.updatableThen(), s.liveFunctions(), 100.0 * p.updatableThen() / Math.max(1, s.liveFunctions()));
        if (!facts.properties().isEmpty() && Decoder.available()) {
            out.printf("  of them with a jump back into bytes 1 to %d of their entry, which the patch would cut: %,d"
                    + "%n  (decoded: exact; for comparison, traced functions with one: %,d)%n",
                    dynamos.analysis.EntryBranches.PATCH - 1, p.notraceEntryBranches(), p.tracedEntryBranches());
        } else if (!facts.properties().isEmpty()) {
            out.printf("  of them with a jump back into their first %d bytes, which the patch would cover: at most %,d"
                    + "%n  (a byte scan; it also flags %,d functions whose first bytes are one ftrace call, where no"
                    + " jump can land: its false positives)%n", dynamos.analysis.EntryBranches.PATCH,
                    p.notraceEntryBranches(), p.tracedEntryBranches());
        }
        out.printf("  left: noinstr %,d, entry code %,d, thunks %,d, assembly %,d%n", p.left().get(Reason.NOINSTR),
                p.left().get(Reason.ENTRY_CODE), p.left().get(Reason.THUNK), p.left().get(Reason.NO_C_RECORD));
    }

    private void printExplanation(Explanation e, KernelFacts facts) {
        PrintWriter out = out();
        out.println(e.verdict());
        for (Classification c : e.symbols()) {
            out.println("  " + describe(c, facts));
        }
        if (!e.related().isEmpty()) {
            out.println("Made by GCC from the same source function:");
            for (Classification c : e.related()) {
                out.println("  " + describe(c, facts));
            }
        }
        if (!e.inlinedInto().isEmpty()) {
            out.println("Inlined copies (the kernel's DWARF):");
            for (Inlining.Copy c : e.inlinedInto()) {
                out.println("  " + c.holder() + "  " + c.copies() + (c.copies() == 1 ? " copy" : " copies") + " of "
                        + c.function() + (c.file().isEmpty() ? "" : " (" + c.file() + ")"));
            }
        }
        e.notes().forEach(n -> out.println("Note: " + n));
        if (!e.declarations().isEmpty()) {
            out.println("In an update:");
            e.declarations().forEach(d -> out.println("  " + d));
        }
    }

    private static String describe(Classification c, KernelFacts facts) {
        TextSymbol s = c.symbol();
        StringBuilder b = new StringBuilder(c.key());
        b.append(String.format("  _text+%#x  %d bytes  %s  %s  %s", s.address() - facts.textBase(), s.size(),
                s.global() ? "global" : "local", s.region().name().toLowerCase(), c.category().label));
        if (c.reason() != null) {
            b.append(" (").append(reasonShort(c.reason())).append(')');
        }
        if (s.name().kind() != PartKind.ORIGINAL) {
            b.append("  ").append(s.name().kind().description);
        }
        if (c.parent() != null) {
            b.append(" of ").append(c.parent());
        }
        if (!c.parts().isEmpty()) {
            b.append("  parts: ").append(String.join(", ", c.parts()));
        }
        String inside = facts.propertiesOf(c.key()).describe();
        if (!inside.isEmpty()) {
            b.append(System.lineSeparator()).append("      inside: ").append(inside);
        }
        if (!facts.callGraph().tailCallsOf(c.key()).isEmpty()) {
            b.append(System.lineSeparator()).append("      tail calls: ")
                    .append(String.join(", ", facts.callGraph().tailCallsOf(c.key()).stream().sorted().toList()));
        }
        return b.toString();
    }

    /** Why the machine code cannot be decoded (Zydis missing), with the fix. */
    private static String decoderProblem() {
        try {
            new Decoder().close();
            return "none";
        } catch (DecoderUnavailableException e) {
            return e.getMessage();
        }
    }

    private static String reasonShort(Reason r) {
        return r.name().toLowerCase().replace('_', ' ');
    }

    private static Map<String, Object> summaryJson(Summary s, KernelFacts facts, List<Classification> all) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("release", s.release());
        m.put("text_symbols", s.total());
        m.put("ftrace_sites", facts.ftraceSites());
        m.put("btf_functions", facts.btfFunctions().size());
        Map<String, Integer> categories = new LinkedHashMap<>();
        for (Category c : Category.values()) {
            categories.put(c.name().toLowerCase(), s.count(c));
        }
        m.put("categories", categories);
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (Reason r : Reason.values()) {
            reasons.put(r.name().toLowerCase(), (int) all.stream().filter(c -> c.category() == Category.NOT_UPDATABLE
                    && c.reason() == r).count());
        }
        m.put("not_updatable_reasons", reasons);
        m.put("live_functions", s.liveFunctions());
        m.put("updatable", s.updatable());
        m.put("updatable_percent", Math.round(s.updatablePercent() * 100) / 100.0);
        m.put("goal_percent", Summary.GOAL_PERCENT);
        m.put("call_graph", s.callGraphKnown());
        if (!facts.properties().isEmpty()) {
            Map<String, Object> inside = new LinkedHashMap<>();
            inside.put("tail_calls_out", all.stream().filter(c -> c.category().liveFunction()
                    && !facts.callGraph().tailCallsOf(c.key()).isEmpty()).count());
            CodeTables.functionsWith(liveProperties(facts, all)).forEach((k, n) -> inside.put(
                    k.toLowerCase().replaceAll("[^a-z0-9]+", "_"), n)); // e.g. bug_warn_sites
            m.put("functions_with", inside);
            m.put("code_decoded", Decoder.available());
        }
        Proposal p = Proposal.of(facts, all);
        Map<String, Object> proposal = new LinkedHashMap<>();
        proposal.put("entry_patching_reaches", p.notrace());
        proposal.put("updatable_then", p.updatableThen());
        proposal.put("entry_branches_at_most", p.notraceEntryBranches());
        proposal.put("entry_branches_exact", Decoder.available());
        m.put("proposal", proposal);
        return m;
    }

    private static Map<String, Object> explanationJson(Explanation e, KernelFacts facts) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("function", e.function());
        m.put("updatable", e.updatable());
        m.put("verdict", e.verdict());
        m.put("btf_record", e.btfRecord());
        m.put("symbols", e.symbols().stream().map(c -> symbolJson(c, facts)).toList());
        m.put("related", e.related().stream().map(c -> symbolJson(c, facts)).toList());
        m.put("notes", e.notes());
        m.put("declarations", e.declarations());
        m.put("inlined_into", e.inlinedInto().stream().map(c -> {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("holder", c.holder());
            x.put("function", c.function());
            x.put("file", c.file());
            x.put("copies", c.copies());
            return x;
        }).toList());
        return m;
    }

    private static Map<String, Object> symbolJson(Classification c, KernelFacts facts) {
        Map<String, Object> m = new LinkedHashMap<>();
        TextSymbol s = c.symbol();
        m.put("name", s.fullName());
        m.put("position", s.position());
        m.put("namesakes", s.namesakes());
        m.put("offset", s.address() - facts.textBase());
        m.put("size", s.size());
        m.put("region", s.region().name().toLowerCase());
        m.put("kind", s.name().kind().name().toLowerCase());
        m.put("category", c.category().name().toLowerCase());
        m.put("reason", c.reason() == null ? null : c.reason().name().toLowerCase());
        m.put("parent", c.parent());
        m.put("parts", c.parts());
        m.put("copies", c.copies());
        m.put("callers", c.callers());
        m.put("tail_calls", facts.callGraph().tailCallsOf(c.key()).stream().sorted().toList());
        FunctionProperties p = facts.propertiesOf(c.key());
        Map<String, Integer> inside = new LinkedHashMap<>();
        inside.put("exception_entries", p.exceptionEntries());
        inside.put("alternatives", p.alternatives());
        inside.put("indirect_calls", p.indirectCalls());
        inside.put("indirect_jumps", p.indirectJumps());
        inside.put("static_calls", p.staticCalls());
        inside.put("jump_labels", p.jumpLabels());
        inside.put("bug_sites", p.bugSites());
        inside.put("jump_tables", p.jumpTables());
        inside.put("text_references", p.textReferences());
        inside.put("data_in_code", p.dataInCode());
        inside.put("entry_branches", p.entryBranches());
        m.put("inside", inside);
        return m;
    }

    private static String props(FunctionProperties p) {
        return p.exceptionEntries() + "," + p.alternatives() + "," + p.indirectCalls() + "," + p.indirectJumps() + ","
                + p.staticCalls() + "," + p.jumpLabels() + "," + p.bugSites() + "," + p.jumpTables() + ","
                + p.textReferences() + "," + p.dataInCode() + "," + p.entryBranches();
    }

    /** One line per text symbol; lists are separated by ';'. */
    static void writeCsv(Path file, KernelFacts facts, List<Classification> all, Map<String, KernelFacts> moduleFacts,
            Map<String, List<Classification>> moduleClasses) {
        List<String> lines = new ArrayList<>(all.size() + 1);
        lines.add("name,position,namesakes,offset,size,type,region,kind,base,category,reason,parent,parts,copies,"
                + "callers,btf,tail_calls,exception_entries,alternatives,indirect_calls,indirect_jumps,static_calls,"
                + "jump_labels,bug_sites,jump_tables,text_references,data_in_code,entry_branches");
        csvLines(lines, "", facts, all);
        moduleClasses.forEach((module, classes) -> csvLines(lines, module + ":", moduleFacts.get(module), classes));
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(file, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The lines of one kernel or module; module function names are prefixed {@code MODULE:}. */
    private static void csvLines(List<String> lines, String prefix, KernelFacts facts, List<Classification> all) {
        for (Classification c : all) {
            TextSymbol s = c.symbol();
            lines.add(String.join(",", prefix + s.fullName(), Integer.toString(s.position()),
                    Integer.toString(s.namesakes()),
                    String.format("%#x", s.address() - facts.textBase()), Long.toString(s.size()), String.valueOf(s.type()),
                    s.region().name().toLowerCase(), s.name().kind().name().toLowerCase(), s.name().base(),
                    c.category().name().toLowerCase(), c.reason() == null ? "" : c.reason().name().toLowerCase(),
                    c.parent() == null ? "" : c.parent(), String.join(";", c.parts()), String.join(";", c.copies()),
                    String.join(";", c.callers()), Boolean.toString(c.btfRecord()),
                    String.join(";", facts.callGraph().tailCallsOf(c.key()).stream().sorted().toList()),
                    props(facts.propertiesOf(c.key()))));
        }
    }
}
