package dynamos.cli;

import dynamos.framework.Framework;
import dynamos.framework.VersionTable;
import dynamos.host.Installation;
import dynamos.update.Applier;
import dynamos.update.UpdateException;
import dynamos.update.UpdateModule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
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
                        + "(dynamos start)."})
    static final class Apply implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "UPDATE", description = "Update module (.ko) or update directory.")
        Path update;

        @Override
        public Integer call() {
            Path ko = module(update);
            UpdateModule m = UpdateModule.read(ko);
            Applier.Applied a = new Applier(System.out).apply(m);
            System.out.println("applied " + a.update() + " (module " + a.module() + ", " + a.bindings().size()
                    + " kernel symbol(s) resolved)");
            return 0;
        }

        /** A .ko as is; a directory: its module built for the running kernel. */
        static Path module(Path update) {
            if (Files.isRegularFile(update)) {
                return update;
            }
            if (!Files.isDirectory(update)) {
                throw new UpdateException(update + ": no such update module or directory");
            }
            String release = System.getProperty("os.version");
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
                throw new UpdateException(update + " has no module built for the running kernel " + release
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
                        + "was, the error names the busy tasks, and you can try again later."})
    static final class Revert implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "The update's name (see 'dynamos list').")
        String name;

        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "5",
                description = "Quiescence timeout per removal (default: ${DEFAULT-VALUE}).")
        double timeout;

        @Override
        public Integer call() {
            if (!(timeout > 0 && timeout <= 600)) {
                throw new IllegalArgumentException("--timeout takes 0 to 600 seconds");
            }
            new Applier(System.out).revert(name, (int) Math.round(timeout * 1000));
            System.out.println("reverted " + name);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {
                "List the applied updates: their functions, versions, the active one and the calls per version.",
                "",
                "One block per update name; per replaced function (id) the original and each version with "
                        + "the module that holds it and the calls that entered it."})
    static final class ListUpdates implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        public Integer call() {
            List<VersionTable.Row> rows = Framework.started() ? Framework.currentTable().rows() : List.of();
            Map<String, List<VersionTable.Row>> byUpdate = new LinkedHashMap<>();
            rows.forEach(r -> byUpdate.computeIfAbsent(r.update(), k -> new ArrayList<>()).add(r));
            if (json) {
                StringBuilder s = new StringBuilder("{\"updates\": [");
                int i = 0;
                for (Map.Entry<String, List<VersionTable.Row>> u : byUpdate.entrySet()) {
                    s.append(i++ == 0 ? "" : ", ").append("{\"name\": ").append(Json.str(u.getKey())).append(", \"functions\": [");
                    Map<Long, List<VersionTable.Row>> byId = byId(u.getValue());
                    int j = 0;
                    for (Map.Entry<Long, List<VersionTable.Row>> f : byId.entrySet()) {
                        VersionTable.Row original = f.getValue().getFirst();
                        s.append(j++ == 0 ? "" : ", ").append("{\"id\": ").append(f.getKey())
                                .append(", \"function\": ").append(Json.str(original.function()))
                                .append(", \"active\": ").append(f.getValue().stream().filter(VersionTable.Row::active)
                                        .mapToInt(VersionTable.Row::version).findFirst().orElse(1))
                                .append(", \"handler\": ").append(Json.str(original.handler()))
                                .append(", \"versions\": [");
                        int k = 0;
                        for (VersionTable.Row r : f.getValue()) {
                            s.append(k++ == 0 ? "" : ", ").append("{\"version\": ").append(r.version())
                                    .append(", \"function\": ").append(Json.str(r.function()))
                                    .append(", \"module\": ").append(Json.str(r.module()))
                                    .append(", \"calls\": ").append(r.calls())
                                    .append(", \"state\": ").append(Json.str(r.state())).append('}');
                        }
                        s.append("]}");
                    }
                    s.append("]}");
                }
                System.out.println(s.append("]}"));
                return 0;
            }
            if (byUpdate.isEmpty()) {
                System.out.println(Framework.started() ? "no updates applied" : "no updates applied (the framework is stopped)");
                return 0;
            }
            for (Map.Entry<String, List<VersionTable.Row>> u : byUpdate.entrySet()) {
                System.out.println(u.getKey());
                for (Map.Entry<Long, List<VersionTable.Row>> f : byId(u.getValue()).entrySet()) {
                    VersionTable.Row original = f.getValue().getFirst();
                    System.out.println("  id " + f.getKey() + ": " + original.function()
                            + (original.handler() == null ? "" : "  (handler " + original.handler() + ")"));
                    for (VersionTable.Row r : f.getValue()) {
                        System.out.printf("    %s v%-2d %-32s %-24s %12d calls%s%n", r.active() ? "*" : " ", r.version(),
                                r.function(), r.module(), r.calls(), r.state().equals("live") ? "" : "  (" + r.state() + ")");
                    }
                }
            }
            return 0;
        }

        private static Map<Long, List<VersionTable.Row>> byId(List<VersionTable.Row> rows) {
            Map<Long, List<VersionTable.Row>> byId = new LinkedHashMap<>();
            rows.forEach(r -> byId.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(r));
            return byId;
        }
    }
}
