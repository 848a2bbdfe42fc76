package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dynamos.framework.Framework;
import dynamos.framework.HookKind;
import dynamos.framework.VersionTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The --json documents keep the field names, nesting and layout that scripts and tests read. */
class JsonOutputTest {
    private static VersionTable.Row row(int version, boolean active, String handler, Map<HookKind, String> hooks) {
        return new VersionTable.Row("t", 2, version, active, "live", 10L * version, "fn_v" + version, "mod", handler,
                hooks, 1, true);
    }

    @Test
    void layoutIsOneLineWithSpacesAfterColonsAndCommas() {
        assertThat(JsonOutput.write(new ControlCommands.Result(true, "register t 2 fn", "registered \"fn\"\n")))
                .isEqualTo("{\"ok\": true, \"command\": \"register t 2 fn\", \"message\": \"registered \\\"fn\\\"\\n\"}");
        assertThat(JsonOutput.write(List.of())).isEqualTo("[]");
        assertThat(JsonOutput.write(Map.of())).isEqualTo("{}");
    }

    @Test
    void statusRowsKeepTheirFieldsInOrder() {
        Map<HookKind, String> hooks = new LinkedHashMap<>();
        hooks.put(HookKind.PRE_ACTIVATION, "pre");
        hooks.put(HookKind.POST_REMOVAL, "post");
        var shown = new StatusCommand.Shown("6.1.0-56-amd64", "started", "0.6.0", 2,
                List.of(StatusCommand.ShownVersion.of(row(3, true, null, hooks))));
        assertThat(JsonOutput.write(shown)).isEqualTo("{\"kernel\": \"6.1.0-56-amd64\", \"framework\": \"started\", "
                + "\"version\": \"0.6.0\", \"abi\": 2, \"versions\": [{\"update\": \"t\", \"id\": 2, \"version\": 3, "
                + "\"active\": true, \"state\": \"live\", \"calls\": 30, \"function\": \"fn_v3\", \"module\": \"mod\", "
                + "\"handler\": null, \"phase\": 1, \"must_update\": true, "
                + "\"hooks\": {\"pre-activation\": \"pre\", \"post-removal\": \"post\"}, \"level\": 0, \"depth\": 1, "
                + "\"target\": \"loaded\", \"path\": \"fast\"}]}");
        assertThat(JsonOutput.write(new StatusCommand.Shown("6.1", "stopped", null, null, null)))
                .isEqualTo("{\"kernel\": \"6.1\", \"framework\": \"stopped\"}");
    }

    @Test
    void synchronizationAndKernelDocuments() {
        assertThat(JsonOutput.write(new SynchronizationCommands.State.Shown("t", 2, true)))
                .isEqualTo("{\"name\": \"t\", \"phase\": 2, \"must_update\": true}");
        assertThat(JsonOutput.write(new SynchronizationCommands.InUse.Shown("t", 2, 3, true, 1, "pid 7 (sleepy)",
                List.of(new SynchronizationCommands.InUse.Task(7, "sleepy", 3, false, "f+0x4/0x20", "m")))))
                .isEqualTo("{\"update\": \"t\", \"id\": 2, \"version\": 3, \"in_use\": true, \"busy_tasks\": 1, "
                        + "\"report\": \"pid 7 (sleepy)\", \"tasks\": [{\"pid\": 7, \"comm\": \"sleepy\", \"version\": 3, "
                        + "\"unreliable_stack\": false, \"where\": \"f+0x4/0x20\", \"module\": \"m\"}]}");
        assertThat(JsonOutput.write(List.of(new KernelCommand.ListCached.Shown("6.1.0-56-amd64", true, 5, "/c/k"))))
                .isEqualTo("[{\"version\": \"6.1.0-56-amd64\", \"headers\": true, \"bytes\": 5, \"dir\": \"/c/k\"}]");
    }

    @Test
    void listGroupsVersionsByUpdateAndId() throws Exception {
        var shown = new UpdateCommands.ListUpdates.Shown(List.of(new UpdateCommands.ListUpdates.ShownUpdate("fifo",
                List.of(new UpdateCommands.ListUpdates.ShownFunction(1, "may_open", 2, null, List.of(
                        new UpdateCommands.ListUpdates.ShownVersion(1, "may_open", "vmlinux", 4, "live"),
                        new UpdateCommands.ListUpdates.ShownVersion(2, "may_open_v2", "fifo", 9, "live")), 1, 2, "loaded")))),
                List.of());
        String json = JsonOutput.write(shown);
        assertThat(json).startsWith("{\"updates\": [{\"name\": \"fifo\", \"functions\": [{\"id\": 1, \"function\": "
                + "\"may_open\", \"active\": 2, \"handler\": null, \"versions\": [{\"version\": 1, \"function\": "
                + "\"may_open\", \"module\": \"vmlinux\", \"calls\": 4, \"state\": \"live\"}");
        JsonNode read = new ObjectMapper().readTree(json);
        assertThat(read.at("/updates/0/functions/0/versions/1/function").asText()).isEqualTo("may_open_v2");
        assertThat(json).endsWith("\"level\": 1, \"depth\": 2, \"target\": \"loaded\"}]}], \"functions\": []}");
    }

    @Test
    void applyListsWhatItReplacedAndUnloaded() {
        assertThat(JsonOutput.write(new UpdateCommands.Apply.Shown("fix2", "dynamos_fix2", 3, List.of("fix1"),
                List.of("dynamos_fix1"), List.of("load dynamos_fix2", "unload dynamos_fix1"))))
                .isEqualTo("{\"update\": \"fix2\", \"module\": \"dynamos_fix2\", \"symbols_resolved\": 3, "
                        + "\"replaced\": [\"fix1\"], \"unloaded\": [\"dynamos_fix1\"], "
                        + "\"steps\": [\"load dynamos_fix2\", \"unload dynamos_fix1\"]}");
    }

    @Test
    void statusOfAStoppedFrameworkThroughTheCommand() throws Exception {
        assumeFalse(Framework.started(), "dynamos.ko is loaded on this machine");
        CliRun r = CliRun.of("status", "--json");
        assertThat(r.status()).isZero();
        JsonNode status = new ObjectMapper().readTree(r.out());
        assertThat(status.get("framework").asText()).isEqualTo("stopped");
        assertThat(status.get("kernel").asText()).isEqualTo(System.getProperty("os.version"));
        assertThat(status.has("versions")).isFalse();
        assertThat(CliRun.of("list", "--json").out().strip()).isEqualTo("{\"updates\": [], \"functions\": []}");
    }
}
