package dynamos.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dynamos.framework.Framework;
import dynamos.framework.VersionTable;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show the running kernel and the state of the DynAMOS framework.",
            "",
            "Acts on the kernel this command runs on: inside 'dynamos vm' that is the guest. When the framework "
                    + "is started, shows its version table: every update <NAME, ID>, its versions, which one is "
                    + "active, the calls that entered each version, the adaptation handler and the hooks, each "
                    + "update's place in its function's stack (STACK: position/updates, 1 = bottom) and whether the "
                    + "function's module is loaded (TARGET); then, per function, its stack of updates bottom to top "
                    + "and what calls run (the top update's choice; version 1 without a handler passes calls to "
                    + "the update below, down to the original)."})
final class StatusCommand extends CliCommand {
    @Mixin
    SharedOptions.Json json;

    /** What {@code --json} prints; version, abi and versions only when the framework is started. */
    record Shown(String kernel, String framework,
            @JsonInclude(JsonInclude.Include.NON_NULL) String version,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer abi,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<ShownVersion> versions,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<FunctionStacks.Shown> functions) {
        Shown(String kernel, String framework, String version, Integer abi, List<ShownVersion> versions) {
            this(kernel, framework, version, abi, versions, null);
        }
    }

    /**
     * One row of the version table; hooks by their command-line names; {@code level} and {@code depth}
     * place its update in its function's stack (level 0 = bottom); {@code target} "loaded" or "absent";
     * {@code path} "fast", "handler" or "-" (absent): how the function's calls reach their version.
     */
    record ShownVersion(String update, long id, int version, boolean active, String state, long calls,
            String function, String module, String handler, int phase,
            @JsonProperty("must_update") boolean mustUpdate, Map<String, String> hooks, int level, int depth,
            String target, String path) {
        static ShownVersion of(VersionTable.Row r) {
            Map<String, String> hooks = new LinkedHashMap<>();
            r.hooks().forEach((kind, function) -> hooks.put(kind.cliName(), function));
            return new ShownVersion(r.update(), r.id(), r.version(), r.active(), r.state(), r.calls(), r.function(),
                    r.module(), r.handler(), r.phase(), r.mustUpdate(), hooks, r.level(), r.depth(),
                    r.targetAbsent() ? "absent" : "loaded",
                    r.targetAbsent() ? "-" : r.fastPath() ? "fast" : "handler");
        }
    }

    @Override
    public Integer call() {
        String release = System.getProperty("os.version");
        boolean started = Framework.started();
        VersionTable table = started ? Framework.currentTable() : null;
        if (json.requested) {
            json.print(table == null ? new Shown(release, "stopped", null, null, null)
                    : new Shown(release, "started", table.frameworkVersion(), table.abi(),
                            table.rows().stream().map(ShownVersion::of).toList(), FunctionStacks.shown(table)));
            return ExitStatus.SUCCESS.code;
        }
        PrintWriter out = out();
        out.println("kernel:    " + release);
        if (!started) {
            out.println("framework: stopped (dynamos.ko is not loaded; start it with: dynamos start)");
            return ExitStatus.SUCCESS.code;
        }
        out.println("framework: started (dynamos " + table.frameworkVersion() + ", ABI " + table.abi() + ")");
        print(out, table);
        return ExitStatus.SUCCESS.code;
    }

    /** The version table as text: a row per version, then the functions and their stacks of updates. */
    static void print(PrintWriter out, VersionTable table) {
        if (table.rows().isEmpty()) {
            out.println("updates:   none registered");
            return;
        }
        out.printf("%-20s %6s %4s %-6s %-8s %12s  %-32s %-20s %-24s %5s %4s %-5s %-6s %-7s %s%n", "UPDATE", "ID", "VER",
                "ACTIVE", "STATE", "CALLS", "FUNCTION", "MODULE", "HANDLER", "PHASE", "MUST", "STACK", "TARGET", "PATH",
                "HOOKS");
        for (VersionTable.Row r : table.rows()) {
            String hooks = r.hooks().isEmpty() ? "-" : r.hooks().entrySet().stream()
                    .map(h -> h.getKey().cliName() + "=" + h.getValue()).collect(Collectors.joining(","));
            out.printf("%-20s %6d %4d %-6s %-8s %12d  %-32s %-20s %-24s %5d %4s %-5s %-6s %-7s %s%n", r.update(), r.id(),
                    r.version(), r.active() ? "yes" : "no", r.state(), r.calls(), r.function(), r.module(),
                    r.handler() == null ? "-" : r.handler(), r.phase(), r.mustUpdate() ? "yes" : "no",
                    (r.level() + 1) + "/" + r.depth(), r.targetAbsent() ? "absent" : "loaded",
                    r.targetAbsent() ? "-" : r.fastPath() ? "fast" : "handler", hooks);
        }
        FunctionStacks.print(out, table);
    }
}
