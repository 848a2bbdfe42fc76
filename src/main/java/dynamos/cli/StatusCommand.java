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
                    + "active, the calls that entered each version, the adaptation handler and the hooks."})
final class StatusCommand extends CliCommand {
    @Mixin
    SharedOptions.Json json;

    /** What {@code --json} prints; version, abi and versions only when the framework is started. */
    record Shown(String kernel, String framework,
            @JsonInclude(JsonInclude.Include.NON_NULL) String version,
            @JsonInclude(JsonInclude.Include.NON_NULL) Integer abi,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<ShownVersion> versions) {}

    /** One row of the version table; hooks by their command-line names. */
    record ShownVersion(String update, long id, int version, boolean active, String state, long calls,
            String function, String module, String handler, int phase,
            @JsonProperty("must_update") boolean mustUpdate, Map<String, String> hooks) {
        static ShownVersion of(VersionTable.Row r) {
            Map<String, String> hooks = new LinkedHashMap<>();
            r.hooks().forEach((kind, function) -> hooks.put(kind.cliName(), function));
            return new ShownVersion(r.update(), r.id(), r.version(), r.active(), r.state(), r.calls(), r.function(),
                    r.module(), r.handler(), r.phase(), r.mustUpdate(), hooks);
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
                            table.rows().stream().map(ShownVersion::of).toList()));
            return ExitStatus.SUCCESS.code;
        }
        PrintWriter out = out();
        out.println("kernel:    " + release);
        if (!started) {
            out.println("framework: stopped (dynamos.ko is not loaded; start it with: dynamos start)");
            return ExitStatus.SUCCESS.code;
        }
        out.println("framework: started (dynamos " + table.frameworkVersion() + ", ABI " + table.abi() + ")");
        if (table.rows().isEmpty()) {
            out.println("updates:   none registered");
            return ExitStatus.SUCCESS.code;
        }
        out.printf("%-20s %6s %4s %-6s %-8s %12s  %-32s %-20s %-24s %5s %4s %s%n",
                "UPDATE", "ID", "VER", "ACTIVE", "STATE", "CALLS", "FUNCTION", "MODULE", "HANDLER", "PHASE", "MUST", "HOOKS");
        for (VersionTable.Row r : table.rows()) {
            String hooks = r.hooks().isEmpty() ? "-" : r.hooks().entrySet().stream()
                    .map(h -> h.getKey().cliName() + "=" + h.getValue()).collect(Collectors.joining(","));
            out.printf("%-20s %6d %4d %-6s %-8s %12d  %-32s %-20s %-24s %5d %4s %s%n", r.update(), r.id(), r.version(),
                    r.active() ? "yes" : "no", r.state(), r.calls(), r.function(), r.module(),
                    r.handler() == null ? "-" : r.handler(), r.phase(), r.mustUpdate() ? "yes" : "no", hooks);
        }
        return ExitStatus.SUCCESS.code;
    }
}
