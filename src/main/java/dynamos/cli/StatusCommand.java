package dynamos.cli;

import dynamos.framework.Framework;
import dynamos.framework.HookKind;
import dynamos.framework.VersionTable;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = {
            "Show the running kernel and the state of the DynAMOS framework.",
            "",
            "Acts on the kernel this command runs on: inside 'dynamos vm' that is the guest. When the framework "
                    + "is started, shows its version table: every update <NAME, ID>, its versions, which one is "
                    + "active, the calls that entered each version, the adaptation handler and the hooks."})
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
        String release = System.getProperty("os.version");
        boolean started = Framework.started();
        VersionTable table = started ? Framework.currentTable() : null;
        if (json) {
            StringBuilder s = new StringBuilder("{\"kernel\": ").append(Json.str(release))
                    .append(", \"framework\": ").append(Json.str(started ? "started" : "stopped"));
            if (table != null) {
                s.append(", \"version\": ").append(Json.str(table.frameworkVersion()))
                        .append(", \"abi\": ").append(table.abi()).append(", \"versions\": [");
                for (int i = 0; i < table.rows().size(); i++) {
                    VersionTable.Row r = table.rows().get(i);
                    s.append(i == 0 ? "" : ", ").append("{\"update\": ").append(Json.str(r.update()))
                            .append(", \"id\": ").append(r.id())
                            .append(", \"version\": ").append(r.version())
                            .append(", \"active\": ").append(r.active())
                            .append(", \"state\": ").append(Json.str(r.state()))
                            .append(", \"calls\": ").append(r.calls())
                            .append(", \"function\": ").append(Json.str(r.function()))
                            .append(", \"module\": ").append(Json.str(r.module()))
                            .append(", \"handler\": ").append(Json.str(r.handler()))
                            .append(", \"phase\": ").append(r.phase())
                            .append(", \"must_update\": ").append(r.mustUpdate())
                            .append(", \"hooks\": {");
                    int j = 0;
                    for (Map.Entry<HookKind, String> h : r.hooks().entrySet()) {
                        s.append(j++ == 0 ? "" : ", ").append(Json.str(h.getKey().cliName())).append(": ").append(Json.str(h.getValue()));
                    }
                    s.append("}}");
                }
                s.append(']');
            }
            System.out.println(s.append('}'));
            return 0;
        }
        System.out.println("kernel:    " + release);
        if (!started) {
            System.out.println("framework: stopped (dynamos.ko is not loaded; start it with: dynamos start)");
            return 0;
        }
        System.out.println("framework: started (dynamos " + table.frameworkVersion() + ", ABI " + table.abi() + ")");
        if (table.rows().isEmpty()) {
            System.out.println("updates:   none registered");
            return 0;
        }
        System.out.printf("%-20s %6s %4s %-6s %-8s %12s  %-32s %-20s %-24s %5s %4s %s%n",
                "UPDATE", "ID", "VER", "ACTIVE", "STATE", "CALLS", "FUNCTION", "MODULE", "HANDLER", "PHASE", "MUST", "HOOKS");
        for (VersionTable.Row r : table.rows()) {
            String hooks = r.hooks().isEmpty() ? "-" : r.hooks().entrySet().stream()
                    .map(h -> h.getKey().cliName() + "=" + h.getValue()).collect(Collectors.joining(","));
            System.out.printf("%-20s %6d %4d %-6s %-8s %12d  %-32s %-20s %-24s %5d %4s %s%n", r.update(), r.id(), r.version(),
                    r.active() ? "yes" : "no", r.state(), r.calls(), r.function(), r.module(),
                    r.handler() == null ? "-" : r.handler(), r.phase(), r.mustUpdate() ? "yes" : "no", hooks);
        }
        return 0;
    }
}
