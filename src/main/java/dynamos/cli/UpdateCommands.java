package dynamos.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dynamos.framework.Framework;
import dynamos.framework.VersionTable;
import dynamos.host.Installation;
import dynamos.update.Applier;
import dynamos.update.UpdateException;
import dynamos.update.UpdateModule;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Applying, reverting and listing whole updates (update modules with a DYNAMOS_* declaration). */
final class UpdateCommands {
    private UpdateCommands() {}

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = {
                "Apply an update to the running kernel as one step.",
                "",
                "UPDATE is a built update module (.ko) or an update directory, whose module built for the "
                        + "running kernel is taken from DIR/build/RELEASE/ (build it with 'dynamos build DIR'). "
                        + "The module's DYNAMOS_* declaration (see dynamos.h) says what it replaces. Steps:",
                "  1. resolve: kernel symbols the module uses that are not exported are looked up in "
                        + "/proc/kallsyms and bound into a copy of the module (a name listed more than once must "
                        + "be chosen with DYNAMOS_SYMBOL(name, position));",
                "  2. load the module;",
                "  3. call its DYNAMOS_INIT functions;",
                "  4. register each replaced kernel function (version 1) and its new versions, set adaptation "
                        + "handlers and hooks;",
                "  5. activate, per id, version 2 or the one DYNAMOS_ACTIVATE names.",
                "If any step fails, every step before it is undone, newest first: nothing stays loaded or "
                        + "registered, and the error names the failed step. The framework must be started "
                        + "(dynamos start).",
                "",
                "A function another applied update already has gets the new update stacked on top: calls run "
                        + "the new update's choice once it activates a version of its own.",
                "",
                "A cumulative update (DYNAMOS_REPLACES(\"name\") or DYNAMOS_REPLACES_ALL() in its source) "
                        + "replaces applied updates: step 5 is then one group activation that switches the new "
                        + "update's functions to their new versions and every function of the replaced updates "
                        + "to version 1 (a function the new update no longer covers goes back to the original at "
                        + "the same moment); then the replaced updates' handlers are cleared, their versions "
                        + "removed (quiescence-checked, --timeout each) and their modules unloaded. Any failure "
                        + "leaves the replaced updates as they were and the new one gone. Every name it replaces "
                        + "must be applied.",
                "",
                "The function an update replaces may be in a module that is not loaded (\"module:symbol\"): "
                        + "the update is registered and waits; the kernel installs it when the module loads "
                        + "('dynamos list' shows it waiting)."})
    static final class Apply extends CliCommand {
        @Parameters(index = "0", paramLabel = "UPDATE", description = "Update module (.ko) or update directory.")
        Path update;

        @Mixin
        SharedOptions.RemovalTimeout timeout;

        @Mixin
        SharedOptions.Json json;

        /** What {@code --json} prints: the update, its module, the steps done and what it replaced. */
        record Shown(String update, String module, @JsonProperty("symbols_resolved") int symbolsResolved,
                List<String> replaced, List<String> unloaded, List<String> steps) {}

        @Override
        public Integer call() {
            Path ko = module(update);
            UpdateModule m = UpdateModule.read(ko);
            // With --json the steps are reported on stderr: stdout holds the one JSON document.
            Applier.Applied a = new Applier(json.requested ? errStream() : outStream()).apply(m, timeout.millis());
            if (json.requested) {
                json.print(new Shown(a.update(), a.module(), a.bindings().size(), a.replaced(), a.unloaded(), a.steps()));
                return ExitStatus.SUCCESS.code;
            }
            out().println("applied " + a.update() + " (module " + a.module() + ", " + a.bindings().size()
                    + " kernel symbol(s) resolved" + (a.replaced().isEmpty() ? "" : "; replaced "
                    + String.join(", ", a.replaced())) + ")");
            return ExitStatus.SUCCESS.code;
        }

        /** A .ko as is; a directory: its module built for the running kernel. */
        static Path module(Path update) {
            return module(update, System.getProperty("os.version"));
        }

        /** A .ko as is; a directory: its module built for kernel {@code release}. */
        static Path module(Path update, String release) {
            if (Files.isRegularFile(update)) {
                return update;
            }
            if (!Files.isDirectory(update)) {
                throw new UpdateException(update + ": no such update module or directory");
            }
            Path build = update.resolve("build").resolve(release);
            List<Path> kos = new ArrayList<>();
            if (Files.isDirectory(build)) {
                try (Stream<Path> s = Files.list(build)) {
                    s.filter(p -> p.getFileName().toString().endsWith(".ko")).sorted().forEach(kos::add);
                } catch (IOException e) {
                    throw new UpdateException("cannot list " + build + ": " + e.getMessage(), e);
                }
            }
            if (kos.isEmpty()) {
                throw new UpdateException(update + " has no module built for kernel " + release
                        + " (looked in " + build + "); build it first: dynamos build " + update
                        + (Installation.inVm() ? " (on the host)" : "") + " --kernel-version " + release);
            }
            if (kos.size() > 1) {
                throw new UpdateException(build + " holds several modules " + kos + "; name the one to apply");
            }
            return kos.getFirst();
        }
    }

    @Command(name = "revert", mixinStandardHelpOptions = true,
            description = {
                "Revert an applied update: deactivate it, remove its versions, unload its module.",
                "",
                "Every function of the update goes back to its original first; then each is removed after a "
                        + "quiescence check (no task may have its PC or a return address in the update's code). "
                        + "If a version is still in use when the timeout runs out, the update is put back as it "
                        + "was, the error names the busy tasks, and you can try again later.",
                "",
                "Refused before anything changes (exit 1, naming them) while another applied update is stacked "
                        + "above one of NAME's functions (revert that one first, or apply a cumulative update "
                        + "that replaces both) or another loaded module uses NAME's module (an update built "
                        + "against its exports: revert that one first)."})
    static final class Revert extends CliCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.UpdateName.class,
                description = "The update's name (see 'dynamos list').")
        String name;

        @Mixin
        SharedOptions.RemovalTimeout timeout;

        @Override
        public Integer call() {
            new Applier(outStream()).revert(name, timeout.millis());
            out().println("reverted " + name);
            return ExitStatus.SUCCESS.code;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {
                "List the applied updates: their functions, versions, the active one and the calls per version.",
                "",
                "One block per update name; per replaced function (id) the original and each version with "
                        + "the module that holds it and the calls that entered it, where the update sits in "
                        + "its function's stack and whether it waits for the function's module. Then, per "
                        + "function, its updates bottom to top and what calls run: the top update's choice; "
                        + "one whose active version is 1 (without a handler) passes calls to the one below, "
                        + "down to the original."})
    static final class ListUpdates extends CliCommand {
        @Mixin
        SharedOptions.Json json;

        @Option(names = "--installed",
                description = "List the installed updates instead (dynamos install): what the boot applies, in "
                        + "order, with the kernel each is for and whether it is applied now.")
        boolean installed;

        /** What {@code --installed --json} prints. */
        record ShownInstalledList(String directory, List<InstallCommands.ShownInstalled> installed) {}

        /** What {@code --json} prints: the updates, their functions (ids) and each function's versions. */
        record Shown(List<ShownUpdate> updates, List<FunctionStacks.Shown> functions) {}

        record ShownUpdate(String name, List<ShownFunction> functions) {}

        /**
         * One function (id) of an update; {@code level}/{@code depth}: its place in the function's stack
         * (0 = bottom); {@code target}: "loaded", or "absent" while the function's module is not loaded.
         */
        record ShownFunction(long id, String function, int active, String handler, List<ShownVersion> versions,
                int level, int depth, String target) {}

        record ShownVersion(int version, String function, String module, long calls, String state) {}

        @Override
        public Integer call() {
            if (installed) {
                return listInstalled();
            }
            boolean started = Framework.started();
            VersionTable table = started ? Framework.currentTable() : new VersionTable("", 0, List.of());
            if (json.requested) {
                json.print(shown(table));
                return ExitStatus.SUCCESS.code;
            }
            if (table.rows().isEmpty()) {
                out().println(started ? "no updates applied" : "no updates applied (the framework is stopped)");
                return ExitStatus.SUCCESS.code;
            }
            print(out(), table);
            return ExitStatus.SUCCESS.code;
        }

        private int listInstalled() {
            List<InstallCommands.ShownInstalled> all = InstallCommands.installed();
            if (json.requested) {
                json.print(new ShownInstalledList(InstallCommands.store().updatesDir().toString(), all));
                return ExitStatus.SUCCESS.code;
            }
            if (all.isEmpty()) {
                out().println("no updates installed (" + InstallCommands.store().updatesDir() + ")");
                return ExitStatus.SUCCESS.code;
            }
            out().printf("%-5s %-24s %-20s %-21s %s%n", "ORDER", "NAME", "KERNEL", "INSTALLED", "NOW");
            for (InstallCommands.ShownInstalled u : all) {
                out().printf("%-5d %-24s %-20s %-21s %s%n", u.order(), u.name(), u.kernel(), u.installedAt(),
                        !u.thisKernel() ? "other kernel" : u.applied() ? "applied" : "not applied");
            }
            return ExitStatus.SUCCESS.code;
        }

        /** What {@code --json} prints for {@code table}. */
        static Shown shown(VersionTable table) {
            return new Shown(byUpdate(table.rows()).entrySet().stream()
                    .map(u -> new ShownUpdate(u.getKey(), byId(u.getValue()).entrySet().stream()
                            .map(f -> function(f.getKey(), f.getValue())).toList()))
                    .toList(), FunctionStacks.shown(table));
        }

        private static Map<String, List<VersionTable.Row>> byUpdate(List<VersionTable.Row> rows) {
            Map<String, List<VersionTable.Row>> byUpdate = new LinkedHashMap<>();
            rows.forEach(r -> byUpdate.computeIfAbsent(r.update(), k -> new ArrayList<>()).add(r));
            return byUpdate;
        }

        /** The text list of a table that has updates. */
        static void print(PrintWriter out, VersionTable table) {
            for (Map.Entry<String, List<VersionTable.Row>> u : byUpdate(table.rows()).entrySet()) {
                out.println(u.getKey());
                for (Map.Entry<Long, List<VersionTable.Row>> f : byId(u.getValue()).entrySet()) {
                    VersionTable.Row original = f.getValue().getFirst();
                    out.println("  id " + f.getKey() + ": " + original.qualifiedFunction()
                            + (original.handler() == null ? "" : "  (handler " + original.handler() + ")")
                            + FunctionStacks.note(table, u.getKey(), f.getKey()));
                    for (VersionTable.Row r : f.getValue()) {
                        out.printf("    %s v%-2d %-32s %-24s %12d calls%s%n", r.active() ? "*" : " ", r.version(),
                                r.function(), r.module(), r.calls(), r.state().equals("live") ? "" : "  (" + r.state() + ")");
                    }
                }
            }
            FunctionStacks.print(out, table);
        }

        /** One function of an update: the original (first row) names it; the active version, 1 if none is marked. */
        private static ShownFunction function(long id, List<VersionTable.Row> versions) {
            VersionTable.Row original = versions.getFirst();
            int active = versions.stream().filter(VersionTable.Row::active).mapToInt(VersionTable.Row::version)
                    .findFirst().orElse(1);
            return new ShownFunction(id, original.function(), active, original.handler(), versions.stream()
                    .map(r -> new ShownVersion(r.version(), r.function(), r.module(), r.calls(), r.state())).toList(),
                    original.level(), original.depth(), original.targetAbsent() ? "absent" : "loaded");
        }

        private static Map<Long, List<VersionTable.Row>> byId(List<VersionTable.Row> rows) {
            Map<Long, List<VersionTable.Row>> byId = new LinkedHashMap<>();
            rows.forEach(r -> byId.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(r));
            return byId;
        }
    }
}
