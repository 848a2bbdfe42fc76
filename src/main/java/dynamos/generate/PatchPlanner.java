package dynamos.generate;

import dynamos.btf.ModuleBtf;
import dynamos.elf.ElfObject;
import dynamos.elf.ElfSymbol;
import dynamos.host.Progress;
import dynamos.objdiff.DataDiff;
import dynamos.objdiff.FunctionDiff;
import dynamos.objdiff.ObjectComparison;
import dynamos.objdiff.ObjectDiff;
import dynamos.objdiff.Reference;
import dynamos.objdiff.Refusal;
import dynamos.objdiff.Status;
import dynamos.source.AffectedUnits;
import dynamos.source.KbuildCommand;
import dynamos.source.ImageMatch;
import dynamos.source.PatchFiles;
import dynamos.source.PreparedSource;
import dynamos.source.SourceException;
import dynamos.source.UnitCompiler;
import dynamos.update.Kallsyms;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Makes the {@link PatchPlan} of a patch: compiles each affected unit before and after the patch, compares the
 * objects, and checks what the update would replace or bind against the running kernel.
 *
 * <p>Functions are found in the running kernel by their code, not their position: of the kernel's entries with
 * the name, the one whose code is the compiled original's (outside relocations). None is a toolchain mismatch
 * (the source is not what runs), several are ambiguous; both refuse the update.
 */
public final class PatchPlanner {
    /**
     * GCC's strings of a function's name ({@code __func__.0}): constants whose address nothing compares, so the
     * update carries its own copy. The kernel has hundreds of each name, which no code check could tell apart.
     */
    private static final Pattern FUNCTION_NAME = Pattern.compile("(__func__|__FUNCTION__|__PRETTY_FUNCTION__)\\.\\d+");

    /** The refusal of a function without an ftrace site, and of replacing it through its callers. */
    static final String NOT_REDIRECTABLE = "not-redirectable";
    static final String THROUGH_CALLERS = "not-replaceable-through-callers";

    private PatchPlanner() {}

    /** Plans {@code patch} against {@code source} for {@code kernel}; the objects go under {@code workDir}. */
    public static PatchPlan plan(PreparedSource source, Path patch, Path workDir, RunningKernel kernel) {
        return plan(source, patch, workDir, kernel, List.of());
    }

    /** As {@link #plan(PreparedSource, Path, Path, RunningKernel)}, compiling with {@code compilerFlags} added. */
    public static PatchPlan plan(PreparedSource source, Path patch, Path workDir, RunningKernel kernel,
            List<String> compilerFlags) {
        AffectedUnits affected = AffectedUnits.of(source.tree(), PatchFiles.read(patch));
        List<PatchPlan.Problem> files = fileRefusals(affected);
        affected.unknownHeaders().forEach(h -> Progress.detail(h + " is included by no C file of the tree: its change"
                + " changes no compiled code"));
        List<PatchPlan.Unit> units = new ArrayList<>();
        UnitCompiler compiler = new UnitCompiler(source, compilerFlags);
        List<String> compiled = new ArrayList<>();
        for (String unit : affected.units()) {
            if (!affected.fromHeaders().contains(unit)) {
                compiled.add(unit);
                continue;
            }
            // Reached through a changed header: this configuration may not build it, or build it as a module.
            KbuildCommand command;
            try {
                command = compiler.command(unit);
            } catch (SourceException notBuilt) {
                Progress.detail(unit + " includes a changed header but is not built in this configuration");
                continue;
            }
            if (command.command().contains(" -DMODULE ")) {
                files.add(new PatchPlan.Problem(unit, "", "module-unit", unit + " includes a changed header and is"
                        + " part of a module; updating modules from a patch is not supported yet"));
            } else {
                compiled.add(unit);
            }
        }
        for (UnitCompiler.CompiledUnit u : compiler.compileUnits(compiled, patch, workDir)) {
            Progress.detail("comparing " + u.unit() + " before and after");
            ElfObject before = ElfObject.read(u.before());
            ObjectDiff diff = ObjectComparison.compare(before, ElfObject.read(u.after()));
            Set<String> functions = new HashSet<>();
            before.symbols().stream().filter(y -> y.type() == ElfSymbol.STT_FUNC && !y.isUndefined())
                    .forEach(y -> functions.add(y.name()));
            PatchPlan.Unit planned = planUnit(u.unit(), diff, before, functions, kernel);
            Progress.detail("comparing the types of " + u.unit() + " before and after");
            List<PatchPlan.Problem> layouts = TypeLayouts.changes(u.unit(), ModuleBtf.generateStandalone(u.before()),
                    ModuleBtf.generateStandalone(u.after()));
            units.add(layouts.isEmpty() ? planned : planned.withRefusals(layouts));
        }
        return new PatchPlan(kernel.release(), patch.toString(), files, units);
    }

    /**
     * What the patch changes outside the C units it compiles and stops the update: files it adds, deletes or
     * renames, assembly, other files, and headers that reach too many units or assembly.
     */
    static List<PatchPlan.Problem> fileRefusals(AffectedUnits affected) {
        List<PatchPlan.Problem> out = new ArrayList<>();
        for (String r : affected.refused()) {
            int colon = r.indexOf(": ");
            String file = colon > 0 ? r.substring(0, colon) : r;
            out.add(new PatchPlan.Problem(file, "", file.endsWith(".h") ? "header-changed" : "file-refused",
                    colon > 0 ? r.substring(colon + 2) : r));
        }
        return out;
    }

    /**
     * The plan of one unit from its comparison; {@code before} is its object compiled without the patch, which
     * defines the functions {@code beforeFunctions}.
     */
    static PatchPlan.Unit planUnit(String unit, ObjectDiff diff, ElfObject before, Set<String> beforeFunctions,
            RunningKernel kernel) {
        List<PatchPlan.Problem> refusals = new ArrayList<>();
        for (Refusal r : diff.refusals()) {
            refusals.add(new PatchPlan.Problem(unit, r.symbol(), word(r.kind().name()), r.reason()));
        }
        Set<String> carried = new HashSet<>();
        List<FunctionDiff> code = new ArrayList<>();
        List<String> added = new ArrayList<>();
        List<String> lineNumbersOnly = new ArrayList<>();
        int unchanged = 0;
        for (FunctionDiff f : diff.functions()) {
            switch (f.status()) {
                case CHANGED, NEW -> {
                    carried.addAll(f.pieces());
                    code.add(f);
                    if (f.status() == Status.NEW) {
                        added.add(f.name());
                    }
                }
                case LINE_NUMBERS_ONLY -> lineNumbersOnly.add(f.name());
                case UNCHANGED -> unchanged++;
                default -> { } // gone, or now inlined into callers that differ by themselves
            }
        }
        List<String> newData = new ArrayList<>();
        for (DataDiff d : diff.data()) {
            if (d.status() == Status.NEW) {
                carried.add(d.name());
                newData.add(d.name());
            }
        }
        // Aliases (one section: SYSCALL_DEFINE0's __x64_sys_NAME of __do_sys_NAME) are one function, replaced once
        // through whichever name the kernel's ftrace site has.
        Map<String, List<FunctionDiff>> bySection = new LinkedHashMap<>();
        for (FunctionDiff f : code) {
            if (f.status() == Status.CHANGED && !f.init()) { // changed __init code is refused by the comparison
                bySection.computeIfAbsent(f.section(), k -> new ArrayList<>()).add(f);
            }
        }
        List<PatchPlan.Replacement> replaced = new ArrayList<>();
        List<String> throughCallers = new ArrayList<>();
        for (List<FunctionDiff> aliases : bySection.values()) {
            List<PatchPlan.Problem> tried = new ArrayList<>();
            PatchPlan.Replacement chosen = null;
            for (FunctionDiff f : aliases) {
                List<PatchPlan.Problem> own = new ArrayList<>();
                Optional<PatchPlan.Replacement> r = replacement(unit, f, before, beforeFunctions, kernel, own);
                if (r.isPresent() && own.isEmpty()) {
                    chosen = r.get();
                    break;
                }
                tried.addAll(own);
            }
            if (chosen != null) {
                replaced.add(chosen);
            } else if (aliases.size() == 1 && !tried.isEmpty()
                    && tried.stream().allMatch(p -> p.kind().equals(NOT_REDIRECTABLE))) {
                // No ftrace site (a static inline GCC kept out of line is notrace): replace its callers instead.
                FunctionDiff f = aliases.getFirst();
                List<PatchPlan.Problem> why = new ArrayList<>();
                List<FunctionDiff> callers = callers(unit, f, diff, before, beforeFunctions, why);
                List<PatchPlan.Replacement> viaCallers = new ArrayList<>();
                for (FunctionDiff g : callers) {
                    List<PatchPlan.Problem> own = new ArrayList<>();
                    Optional<PatchPlan.Replacement> r = g.status() == Status.CHANGED ? Optional.empty()
                            : replacement(unit, g, before, beforeFunctions, kernel, own);
                    r.filter(x -> own.isEmpty()).ifPresent(viaCallers::add);
                    why.addAll(own);
                }
                if (why.isEmpty()) {
                    replaced.addAll(viaCallers);
                    throughCallers.add(f.name());
                    for (FunctionDiff g : callers) {
                        if (g.status() != Status.CHANGED) {
                            carried.addAll(g.pieces());
                            code.add(g);
                        }
                    }
                } else {
                    refusals.addAll(tried);
                    refusals.addAll(why);
                }
            } else {
                refusals.addAll(tried);
            }
        }
        Map<String, PatchPlan.Binding> bindings = new LinkedHashMap<>();
        Set<String> copied = new TreeSet<>();
        for (FunctionDiff f : code) {
            for (Reference r : f.references()) {
                if (carried.contains(r.symbol()) || bindings.containsKey(r.symbol())) {
                    continue;
                }
                if (r.defined() && r.local() && FUNCTION_NAME.matcher(r.symbol()).matches()) {
                    copied.add(r.symbol());
                } else {
                    binding(unit, r, diff, before, kernel, refusals).ifPresent(b -> bindings.put(r.symbol(), b));
                }
            }
        }
        carried.addAll(copied);
        return new PatchPlan.Unit(unit, replaced, added, newData, List.copyOf(copied), new TreeSet<>(carried).stream()
                .toList(), List.copyOf(bindings.values()),
                unchanged, lineNumbersOnly, throughCallers, refusals);
    }

    /**
     * The functions of the unit that call {@code f}, which has no ftrace site; a problem when they cannot stand in for
     * it: it is global (callers elsewhere), its address is taken (callers unknown), or it has no callers here.
     */
    private static List<FunctionDiff> callers(String unit, FunctionDiff f, ObjectDiff diff, ElfObject before,
            Set<String> beforeFunctions, List<PatchPlan.Problem> why) {
        String name = f.name();
        if (!f.local()) {
            why.add(new PatchPlan.Problem(unit, name, THROUGH_CALLERS, name + " is global: code in other units may call"
                    + " it, and only this unit's callers could be replaced"));
            return List.of();
        }
        if (before == null) {
            why.add(new PatchPlan.Problem(unit, name, THROUGH_CALLERS, "the unit's object before the patch, which"
                    + " shows " + name + "'s callers, is not at hand"));
            return List.of();
        }
        Set<String> pieces = new TreeSet<>();
        beforeFunctions.stream().filter(n -> n.equals(name) || n.startsWith(name + ".")).forEach(pieces::add);
        CallSites sites = CallSites.of(before, pieces);
        if (!sites.otherReferences().isEmpty()) {
            why.add(new PatchPlan.Problem(unit, name, THROUGH_CALLERS, name + "'s address is taken ("
                    + String.join(", ", sites.otherReferences().subList(0, Math.min(3, sites.otherReferences().size())))
                    + "): it may be called through a pointer from anywhere, so replacing its callers is not enough"));
            return List.of();
        }
        List<FunctionDiff> out = new ArrayList<>();
        for (String caller : sites.callers()) {
            Optional<FunctionDiff> g = diff.functions().stream().filter(d -> d.pieces().contains(caller)
                    && d.status() != Status.REMOVED && d.status() != Status.NO_OUT_OF_LINE_COPY).findFirst();
            if (g.isEmpty()) {
                why.add(new PatchPlan.Problem(unit, name, THROUGH_CALLERS, name + " is called by " + caller
                        + ", which the patched unit no longer has"));
            } else if (!out.contains(g.get())) {
                out.add(g.get());
            }
        }
        if (out.isEmpty() && why.isEmpty()) {
            why.add(new PatchPlan.Problem(unit, name, THROUGH_CALLERS, name + " has no callers in its unit to replace"));
        }
        return out;
    }

    /**
     * The kernel's function that {@code f} replaces. Its pieces are those of the object before the patch, as the
     * kernel has them: the patch may change how GCC splits the function ({@code .cold}, {@code .isra.0}).
     */
    private static Optional<PatchPlan.Replacement> replacement(String unit, FunctionDiff f, ElfObject before,
            Set<String> beforeFunctions, RunningKernel kernel, List<PatchPlan.Problem> refusals) {
        List<String> pieces = beforeFunctions.stream().filter(n -> n.equals(f.name()) || n.startsWith(f.name() + "."))
                .sorted((a, b) -> a.equals(f.name()) ? -1 : b.equals(f.name()) ? 1 : a.compareTo(b)).toList();
        if (pieces.isEmpty()) {
            refusals.add(new PatchPlan.Problem(unit, f.name(), "not-in-kernel", "the unit compiled without the "
                    + "patch has no out-of-line " + f.name() + " to replace"));
            return Optional.empty();
        }
        String main = pieces.stream().filter(n -> !n.endsWith(".cold")).findFirst().orElse(pieces.getFirst());
        int mainPosition = 0;
        for (String piece : pieces) {
            int position = position(unit, piece, before, kernel, refusals);
            if (position == 0) {
                return Optional.empty();
            }
            if (piece.equals(main)) {
                mainPosition = position;
            }
        }
        int entries = (int) kernel.entries(main).stream().filter(Kallsyms.Entry::isText).count();
        int sites = kernel.ftraceSites(main);
        if (sites == 0) {
            refusals.add(new PatchPlan.Problem(unit, main, NOT_REDIRECTABLE, main + " has no ftrace site in "
                    + kernel.release() + " (notrace, noinstr, entry code, or a static inline GCC kept out of line): "
                    + "calls to it cannot be redirected"));
            return Optional.empty();
        }
        if (sites < entries) {
            refusals.add(new PatchPlan.Problem(unit, main, "ambiguous-ftrace-site", kernel.release() + " has "
                    + entries + " functions called " + main + " but ftrace sites for only " + sites
                    + ": it cannot tell whether the one this patch changes is traceable"));
            return Optional.empty();
        }
        return Optional.of(new PatchPlan.Replacement(f.name(), main, mainPosition, pieces));
    }

    /**
     * The position among the kernel's entries called {@code symbol} of the one whose code is {@code before}'s
     * function {@code symbol}; 0, with the refusal added, if none or several are.
     */
    private static int position(String unit, String symbol, ElfObject before, RunningKernel kernel,
            List<PatchPlan.Problem> refusals) {
        List<Kallsyms.Entry> entries = kernel.entries(symbol).stream().filter(Kallsyms.Entry::isText).toList();
        if (entries.isEmpty()) {
            refusals.add(new PatchPlan.Problem(unit, symbol, "not-in-kernel", kernel.release() + " has no function "
                    + symbol + ": the running kernel was built from other source, or it inlines the function where "
                    + "this compile does not"));
            return 0;
        }
        List<Kallsyms.Entry> all = kernel.entries(symbol);
        List<Integer> matching = new ArrayList<>();
        ImageMatch first = null;
        for (int p = 1; p <= all.size(); p++) {
            if (all.get(p - 1).isText()) {
                ImageMatch m = kernel.match(before, symbol, p);
                first = first == null ? m : first;
                if (m.matches()) {
                    matching.add(p);
                }
            }
        }
        if (matching.size() == 1) {
            return matching.getFirst();
        }
        if (matching.isEmpty()) {
            refusals.add(new PatchPlan.Problem(unit, symbol, "toolchain-mismatch", "the compiled original of " + symbol
                    + " is not the code " + kernel.release() + " runs" + (entries.size() == 1 ? " (it differs at "
                    + offsets(first) + ")" : " (none of its " + entries.size() + " functions of that name matches)")
                    + ": the source, its configuration or the compiler differ from the kernel's build, and an update "
                    + "made from them could do something else than the patch says"));
        } else {
            refusals.add(new PatchPlan.Problem(unit, symbol, "ambiguous", kernel.release() + " has " + matching.size()
                    + " functions called " + symbol + " with the same code: which one this unit holds cannot be "
                    + "told"));
        }
        return 0;
    }

    private static Optional<PatchPlan.Binding> binding(String unit, Reference r, ObjectDiff diff,
            ElfObject before, RunningKernel kernel, List<PatchPlan.Problem> refusals) {
        boolean function = diff.functions().stream().anyMatch(f -> f.pieces().contains(r.symbol()));
        if (function || !r.defined()) {
            // Code (ours: found by its code; elsewhere in the kernel: by name), or anything defined elsewhere.
            if (function && r.local()) {
                int position = position(unit, r.symbol(), before, kernel, refusals);
                return position == 0 ? Optional.empty()
                        : Optional.of(new PatchPlan.Binding(r.symbol(), r.symbol(), true, true, position));
            }
            return unique(unit, r.symbol(), r.symbol(), function || r.kind() == Reference.Kind.CALL, false, kernel,
                    refusals);
        }
        // Data of the unit that stays the kernel's: its name in the kernel is the one before the patch.
        String name = diff.data().stream().filter(d -> d.name().equals(r.symbol()) && d.nameBefore() != null)
                .map(DataDiff::nameBefore).findFirst().orElse(r.symbol());
        return unique(unit, name, r.symbol(), false, r.local(), kernel, refusals);
    }

    /**
     * A binding to the only kernel entry called {@code name} of the binding {@code local} says (a static's
     * kallsyms type is lower case, a global's upper case, a per-CPU variable's A); else a refusal.
     */
    private static Optional<PatchPlan.Binding> unique(String unit, String name, String referencedAs, boolean function,
            boolean local, RunningKernel kernel, List<PatchPlan.Problem> refusals) {
        List<Kallsyms.Entry> all = kernel.entries(name);
        List<Integer> candidates = new ArrayList<>();
        for (int p = 1; p <= all.size(); p++) {
            char type = all.get(p - 1).type();
            // Per-CPU variables are type A (their offset) whether static or not.
            if (Character.isLowerCase(type) == local || type == 'A' && !function) {
                candidates.add(p);
            }
        }
        if (candidates.size() == 1) {
            return Optional.of(new PatchPlan.Binding(name, referencedAs, function, local, candidates.getFirst()));
        }
        String what = (local ? "static " : "global ") + (function ? "function " : "symbol ") + name;
        refusals.add(new PatchPlan.Problem(unit, name, candidates.isEmpty() ? "not-in-kernel" : "ambiguous",
                candidates.isEmpty() ? "the patched code uses the " + what + ", which " + kernel.release()
                        + " does not have"
                        : kernel.release() + " has " + candidates.size() + " of the " + what + " and the update's code"
                                + " needs one of them; data cannot be told apart by its code"));
        return Optional.empty();
    }

    private static String offsets(ImageMatch m) {
        List<Integer> d = m.differences();
        StringBuilder s = new StringBuilder("offset" + (d.size() == 1 ? " " : "s "));
        for (int i = 0; i < Math.min(d.size(), 4); i++) {
            s.append(i == 0 ? "" : ", ").append(String.format("%#x", d.get(i)));
        }
        return s.append(d.size() > 4 ? " and " + (d.size() - 4) + " more" : "").toString();
    }

    /** {@code DATA_CHANGED} as {@code data-changed}. */
    private static String word(String kind) {
        return kind.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
