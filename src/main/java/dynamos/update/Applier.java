package dynamos.update;

import dynamos.elf.AbsoluteSymbolRewriter;
import dynamos.elf.ElfObject;
import dynamos.framework.Framework;
import dynamos.framework.HookKind;
import dynamos.framework.VersionTable;
import dynamos.host.Progress;
import dynamos.transaction.Operation;
import dynamos.transaction.Transaction;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Applies and reverts updates as single steps: every part of an apply (resolve, load, init, register,
 * handlers, hooks, activate) is undone, newest first, when a later part fails, and the error names the
 * part that failed. The version table and the loaded modules are then as they were before.
 */
public final class Applier {
    private final PrintStream out;
    private final Supplier<Framework> connect;
    private final ModuleLoader loader;

    /** Applies to and reverts from the running kernel. */
    public Applier(PrintStream out) {
        this(out, Framework::connect, ModuleLoader.kernel());
    }

    /** Applies through {@code connect}'s framework and {@code loader} (tests pass fakes). */
    Applier(PrintStream out, Supplier<Framework> connect, ModuleLoader loader) {
        this.out = out;
        this.connect = connect;
        this.loader = loader;
    }

    /**
     * An applied update: its module, the symbols bound for it, the steps done, and for a cumulative update
     * the updates it replaced (now removed) and the modules unloaded with them.
     */
    public record Applied(String update, String module, List<SymbolResolver.Binding> bindings, List<String> steps,
                          List<String> replaced, List<String> unloaded) {
        public Applied {
            bindings = List.copyOf(bindings);
            steps = List.copyOf(steps);
            replaced = List.copyOf(replaced);
            unloaded = List.copyOf(unloaded);
        }
    }

    /**
     * Applies a built update module to the running kernel.
     *
     * @throws UpdateException naming the failed step, after undoing the steps before it
     */
    public Applied apply(UpdateModule update) {
        return apply(update, 0);
    }

    /**
     * Applies a built update module; a cumulative update's removal of the updates it replaces waits up
     * to {@code timeoutMs} per {@code <name, id>} for quiescence (0 = the framework's default).
     *
     * @throws UpdateException naming the failed step, after undoing the steps before it
     */
    public Applied apply(UpdateModule update, int timeoutMs) {
        UpdateDeclaration d = update.declaration();
        String release = System.getProperty("os.version");
        if (!update.builtFor().equals(release)) {
            throw new UpdateException(update.file() + " was built for kernel " + update.builtFor() + ", but "
                    + release + " is running; build it for this kernel: dynamos build DIR --kernel-version " + release);
        }
        if (!Framework.started()) {
            throw new UpdateException("the framework is not started; start it first: dynamos start");
        }
        List<String> missing = update.missingFunctions();
        if (!missing.isEmpty()) {
            throw new UpdateException(update.file() + " declares functions it does not define: " + missing
                    + "; check the DYNAMOS_* declarations against the source");
        }
        // Refuses an update already applied, or replacing what is not applied, before symbols are bound.
        StackRules.plan(Framework.currentTable(), d, loader);
        if (Files.isDirectory(Path.of("/sys/module", update.moduleName()))) {
            throw new UpdateException("a module named " + update.moduleName() + " is already loaded; unload it first: rmmod "
                    + update.moduleName());
        }
        // Modules it uses exports of (another update's, built with --uses) must be loaded before it.
        Dependencies.require(update, Dependencies::loaded);

        // Resolve before touching the kernel: a symbol problem changes nothing.
        java.util.Set<String> wanted = new java.util.HashSet<>();
        update.elf().undefinedSymbols().forEach(sym -> wanted.add(sym.name()));
        d.ids().stream().map(d::original).filter(o -> !o.contains(":") || o.startsWith("vmlinux:"))
                .forEach(o -> wanted.add(o.substring(o.indexOf(':') + 1)));
        List<String> absent = absentTargetModules(d);
        List<SymbolResolver.Binding> bindings;
        Map<Long, Integer> positions;
        try {
            Kallsyms kallsyms = Kallsyms.read(wanted);
            // Which of several same-named kernel functions each original is (DYNAMOS_SYMBOL).
            positions = Originals.positions(d, kallsyms, Originals.runningKernelNeighbours());
            bindings = SymbolResolver.resolve(update.elf(), d, kallsyms);
        } catch (UpdateException e) {
            if (absent.isEmpty()) {
                throw e;
            }
            throw new UpdateException(e.getMessage() + "\n    note: the update replaces functions of " + absent
                    + ", not loaded now: the update itself may not use their symbols (load the module first, or"
                    + " leave them out of the update)", e);
        }
        absent.forEach(m -> out.println("module " + m + " is not loaded: its functions' updates are registered and"
                + " wait for it; the kernel installs them when it loads"));
        for (SymbolResolver.Binding b : bindings) {
            out.println("resolved " + b.name() + " -> " + String.format("%#x", b.entry().address())
                    + " (" + b.entry().type() + (b.entry().module() == null ? "" : " [" + b.entry().module() + "]") + ")");
        }
        Path loadable = bindings.isEmpty() ? update.file() : rewritten(update, bindings);
        try {
            Installed done = install(update, loadable, timeoutMs, positions);
            return new Applied(d.name(), update.moduleName(), bindings, done.steps(), done.replaced(), done.unloaded());
        } finally {
            if (loadable != update.file()) {
                deleteQuietly(loadable);
            }
        }
    }

    /** What {@link #install} did: its steps, the updates it replaced and the modules it unloaded with them. */
    record Installed(List<String> steps, List<String> replaced, List<String> unloaded) {}

    /** {@link #install(UpdateModule, Path, int)} with the default quiescence timeout; returns the steps. */
    List<String> install(UpdateModule update, Path loadable) {
        return install(update, loadable, 0).steps();
    }

    /**
     * Loads {@code loadable} (the update's module, symbols bound) and performs the update's operations
     * as one transaction. A cumulative update's transaction goes on: the group activation also switches
     * every {@code <name, id>} of the replaced updates to version 1; then their handlers and removal
     * hooks are cleared (the cumulative update took over what those hooks would clean up) and they are
     * deregistered (newest first, so that an undo registers them again in their stacks' order);
     * their modules are unloaded once the transaction is done.
     *
     * @throws UpdateException naming the failed step, after undoing the steps before it
     */
    Installed install(UpdateModule update, Path loadable, int timeoutMs) {
        return install(update, loadable, timeoutMs, Map.of());
    }

    /**
     * {@link #install(UpdateModule, Path, int)} registering the originals of the ids in {@code positions}
     * as the Nth of their same-named kernel functions.
     */
    Installed install(UpdateModule update, Path loadable, int timeoutMs, Map<Long, Integer> positions) {
        UpdateDeclaration d = update.declaration();
        String module = update.moduleName();
        List<String> steps = new ArrayList<>();
        String step = "check " + d.name();
        Framework fw = null;
        Transaction tx = null;
        StackRules.Replacing replacing;
        try {
            fw = connect.get();
            VersionTable before = fw.table();
            replacing = StackRules.plan(before, d, loader);
            tx = new Transaction(fw, out);
            step = "load " + module;
            tx.perform(step, "", () -> loader.load(loadable, module), "loaded " + module, f -> {
                loader.unload(module);
                return "unloaded " + module;
            });
            steps.add(step);
            List<Operation> ops = new ArrayList<>(operations(update, replacing.members(), positions));
            for (Framework.Member m : replacing.members()) {
                if (before.handler(m.name(), m.id()).isPresent()) {
                    ops.add(new Operation.SetRule(m.name(), m.id(), null, null));
                }
            }
            // As livepatch does with replaced patches' callbacks: the replaced updates' removal hooks
            // do not run, since what they would clean up (shadow data, state) the cumulative update
            // has taken over. Cleared in the transaction, so an undo sets them again.
            for (Framework.Member m : replacing.members()) {
                for (VersionTable.Row r : before.versionsOf(m.name(), m.id())) {
                    for (HookKind k : List.of(HookKind.PRE_REMOVAL, HookKind.POST_REMOVAL)) {
                        if (r.hooks().get(k) != null) {
                            ops.add(new Operation.SetHook(k, m.name(), m.id(), r.version(), null));
                        }
                    }
                }
            }
            for (Framework.Member m : replacing.members().reversed()) {
                ops.add(new Operation.Deregister(m.name(), m.id(), 0, timeoutMs / 1000.0));
            }
            for (Operation op : ops) {
                step = op.describe();
                dynamos.transaction.Applied a = tx.perform(step, "", op);
                steps.add(step);
                // The kernel keeps an activation whose post-activation hook failed (e.g. kernel threads
                // that did not reach their safe point): for apply, all or nothing, it is a failure.
                if (op instanceof Operation.Activate && a.result() != 0) {
                    throw new UpdateException("its post-activation hook returned " + a.result());
                }
                if (op instanceof Operation.ActivateGroup && a.result() != 0) {
                    throw new UpdateException(a.result() + " post-activation hook(s) failed (the kernel log names them)");
                }
                if (op instanceof Operation.Register r && r.name().equals(d.name()) && !r.function().equals(d.original(r.id()))) {
                    int expected = expectedVersion(d, r);
                    if (a.result() != expected) {
                        throw new UpdateException(r.function() + " became version " + a.result() + ", not " + expected);
                    }
                }
            }
        } catch (RuntimeException e) {
            boolean anyDone = tx != null && tx.done() > 0;
            List<String> problems = tx == null ? List.of() : tx.rollBack("undoing").problems();
            if (fw != null) {
                fw.close();
            }
            if (e instanceof UpdateException && tx == null) {
                throw (UpdateException) e; // refused by the plan: nothing was touched
            }
            throw new UpdateException("applying " + d.name() + " failed at step '" + step + "': " + e.getMessage()
                    + (!anyDone ? "; nothing had been changed" : "\n    " + (problems.isEmpty()
                            ? "everything done before was undone; the kernel is as it was"
                            : "could not undo everything:\n      " + String.join("\n      ", problems))), e);
        }
        try {
            List<String> unloaded = unloadUnused(fw.table(), replacing.modules(), "replaced");
            unloaded.forEach(m -> steps.add("unload " + m));
            if (!replacing.names().isEmpty()) {
                out.println("replaced " + String.join(", ", replacing.names()) + " with " + d.name());
            }
            return new Installed(steps, replacing.names(), unloaded);
        } finally {
            fw.close();
        }
    }

    /** The modules of the update's originals ({@code module:symbol}) that are not loaded now. */
    private static List<String> absentTargetModules(UpdateDeclaration d) {
        return d.ids().stream().map(d::original).filter(o -> o.contains(":") && !o.startsWith("vmlinux:"))
                .map(o -> o.substring(0, o.indexOf(':'))).distinct()
                .filter(m -> !Files.isDirectory(Path.of("/sys/module", m))).toList();
    }

    private static int expectedVersion(UpdateDeclaration d, Operation.Register r) {
        return d.versions(r.id()).stream().filter(v -> r.function().endsWith(":" + v.function()))
                .mapToInt(UpdateDeclaration.Replacement::version).findFirst().orElse(-1);
    }

    /** The framework operations an apply performs, in order; the load of the module comes before. */
    public static List<Operation> operations(UpdateModule update) {
        return operations(update, List.of());
    }

    /**
     * The framework operations an apply performs, in order, up to and with the activation: the group
     * activation also switches {@code toOriginal} (the replaced updates' {@code <name, id>}s) to version 1.
     */
    static List<Operation> operations(UpdateModule update, List<Framework.Member> toOriginal) {
        return operations(update, toOriginal, Map.of());
    }

    /** As above; the originals of the ids in {@code positions} are the Nth of their same-named functions. */
    static List<Operation> operations(UpdateModule update, List<Framework.Member> toOriginal,
            Map<Long, Integer> positions) {
        UpdateDeclaration d = update.declaration();
        List<Operation> ops = new ArrayList<>();
        d.inits().forEach(fn -> ops.add(new Operation.Call(update.qualified(fn))));
        for (long id : d.ids()) {
            ops.add(new Operation.Register(d.name(), id, d.original(id), positions.getOrDefault(id, 0)));
            d.versions(id).forEach(v -> ops.add(new Operation.Register(d.name(), id, update.qualified(v.function()))));
            d.handler(id).ifPresent(h -> ops.add(new Operation.SetRule(d.name(), id, update.qualified(h), null)));
        }
        d.hooks().forEach(h -> ops.add(new Operation.SetHook(h.kind(), d.name(), h.id(), h.version(),
                update.qualified(h.function()))));
        // Several functions switch as one group, so no call sees some replaced and others not.
        List<Framework.Member> activations = new ArrayList<>(d.ids().stream().filter(id -> d.activeVersion(id) != 1)
                .map(id -> new Framework.Member(d.name(), id, d.activeVersion(id))).toList());
        activations.addAll(toOriginal);
        if (activations.size() == 1 && toOriginal.isEmpty()) {
            Framework.Member m = activations.getFirst();
            ops.add(new Operation.Activate(m.name(), m.id(), m.version()));
        } else if (!activations.isEmpty()) {
            ops.add(new Operation.ActivateGroup(activations));
        }
        return ops;
    }

    /**
     * Reverts an applied update: deactivates and removes all of its versions (each removal waits for
     * quiescence up to {@code timeoutMs}, 0 = the framework's default) and unloads its modules. If a
     * removal is refused, the update is put back as it was and the error names the busy tasks.
     * Refused before anything changes when another update is stacked above one of its functions (it
     * was applied on top of this one and may rely on it) or another loaded module uses its module's
     * exports (see {@link #revertBlockers}).
     */
    public List<String> revert(String name, int timeoutMs) {
        if (!Framework.started()) {
            throw new UpdateException("the framework is not started, so no update is applied");
        }
        try (Framework fw = connect.get()) {
            return revert(fw, name, timeoutMs);
        }
    }

    /** Reverts through {@code fw} as one transaction, then unloads the modules no update uses any more. */
    List<String> revert(Framework fw, String name, int timeoutMs) {
        VersionTable table = fw.table();
        List<VersionTable.Row> rows = table.rows().stream().filter(r -> r.update().equals(name)).toList();
        if (rows.isEmpty()) {
            throw new UpdateException("no update " + name + " is applied; 'dynamos list' shows the applied updates");
        }
        List<String> blockers = StackRules.revertBlockers(table, name, loader);
        if (!blockers.isEmpty()) {
            throw new UpdateException("cannot revert " + name + ", nothing was changed:\n    " + String.join("\n    ", blockers));
        }
        Set<Long> ids = new LinkedHashSet<>();
        Set<String> modules = new LinkedHashSet<>();
        for (VersionTable.Row r : rows) {
            ids.add(r.id());
            if (r.version() > 1 && !r.module().equals("vmlinux")) {
                modules.add(r.module());
            }
        }
        Transaction tx = new Transaction(fw, out);
        String step = "";
        try {
            // Every id goes back to the original first, as one group, so that no id runs new code while
            // another is removed.
            List<Framework.Member> back = ids.stream().filter(id -> table.activeVersion(name, id).orElse(1) != 1)
                    .map(id -> new Framework.Member(name, id, 1)).toList();
            if (!back.isEmpty()) {
                Operation op = back.size() == 1 ? new Operation.Activate(name, back.getFirst().id(), 1)
                        : new Operation.ActivateGroup(back);
                step = op.describe();
                tx.perform(step, "", op);
            }
            for (long id : ids) {
                Operation op = new Operation.Deregister(name, id, 0, timeoutMs / 1000.0);
                step = op.describe();
                tx.perform(step, "", op);
            }
        } catch (RuntimeException e) {
            List<String> problems = tx.rollBack("undoing").problems();
            throw new UpdateException("reverting " + name + " failed at step '" + step + "': " + e.getMessage()
                    + "\n    " + (problems.isEmpty() ? "the update stays applied as it was; try again later"
                            : "could not restore everything:\n      " + String.join("\n      ", problems)), e);
        }
        VersionTable after = fw.table();
        List<String> steps = new ArrayList<>();
        for (String module : modules) {
            boolean stillUsed = after.rows().stream().anyMatch(r -> r.module().equals(module));
            if (stillUsed) {
                out.println("left " + module + " loaded: other updates use it");
                continue;
            }
            loader.unload(module);
            Progress.detail("unloaded " + module);
            steps.add("unload " + module);
        }
        return steps;
    }

    /**
     * Unloads {@code modules} that no update in {@code after} uses any more; a module that cannot be
     * unloaded is left loaded with a note (its versions are gone already). Returns those unloaded.
     */
    private List<String> unloadUnused(VersionTable after, List<String> modules, String whose) {
        List<String> unloaded = new ArrayList<>();
        for (String module : modules) {
            if (after.rows().stream().anyMatch(r -> r.module().equals(module))) {
                out.println("left " + module + " loaded: other updates use it");
                continue;
            }
            try {
                loader.unload(module);
                out.println("unloaded " + module + " (" + whose + ")");
                unloaded.add(module);
            } catch (RuntimeException e) {
                out.println("left " + module + " loaded: " + e.getMessage() + "; its versions are removed, unload it"
                        + " later with: rmmod " + module);
            }
        }
        return unloaded;
    }

    private Path rewritten(UpdateModule update, List<SymbolResolver.Binding> bindings) {
        java.util.Map<String, Long> addresses = new java.util.LinkedHashMap<>();
        bindings.forEach(b -> addresses.put(b.name(), b.entry().address()));
        try {
            Path dir = Files.createTempDirectory("dynamos-apply-");
            Path ko = dir.resolve(update.file().getFileName());
            ElfObject bound = AbsoluteSymbolRewriter.rewrite(update.elf(), addresses);
            Files.write(ko, bound.bytes());
            return ko;
        } catch (IOException e) {
            throw new UpdateException("cannot write the resolved module to a temporary file: " + e.getMessage(), e);
        }
    }

    private static void deleteQuietly(Path ko) {
        try {
            Files.deleteIfExists(ko);
            Files.deleteIfExists(ko.getParent());
        } catch (IOException ignored) {
            // A leftover temporary file is harmless.
        }
    }
}
