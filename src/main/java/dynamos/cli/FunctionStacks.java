package dynamos.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dynamos.framework.VersionTable;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;

/**
 * How {@code status} and {@code list} show the kernel functions that have updates: per function its
 * stack of updates, bottom to top, which one's choice calls run (the top one's; an update whose active
 * version is 1 and that has no handler passes calls down to the one below, and so on down to the
 * original), and whether the function's module is loaded or the update waits for it.
 */
final class FunctionStacks {
    private FunctionStacks() {}

    /**
     * One function in {@code --json}: {@code target} "loaded" or "absent"; {@code path} "fast" (calls take a
     * route straight to their version), "handler" (through the handler path) or "-" (absent);
     * {@code runs} says what calls run.
     */
    record Shown(String function, String module, String target, String path, Runs runs, List<ShownLayer> stack) {}

    /**
     * What calls of the function run: {@code update}/{@code id} null when the original runs; {@code handler}
     * non-null when that update's handler chooses per call; {@code version} and {@code code} its active version.
     */
    record Runs(String update, Long id, Integer version, String code, String handler, String text) {}

    /**
     * One update in a function's stack; {@code role}: "decides" (calls run its choice), "passes down" (above
     * the deciding one, version 1 active and no handler) or "below" (under the deciding one: not used now).
     */
    record ShownLayer(String update, long id, int level, int active, String handler,
            @JsonProperty("active_code") String activeCode, String role) {}

    static List<Shown> shown(VersionTable table) {
        return table.stacks().stream().map(FunctionStacks::shown).toList();
    }

    private static Shown shown(VersionTable.FunctionStack s) {
        Optional<VersionTable.Layer> deciding = s.deciding();
        List<ShownLayer> layers = s.layers().stream().map(l -> new ShownLayer(l.update(), l.id(), l.level(), l.active(),
                l.handler(), code(l), role(s, l))).toList();
        Runs runs = deciding.map(d -> new Runs(d.update(), d.id(), d.active(), code(d), d.handler(), runsText(d)))
                .orElse(new Runs(null, null, null, s.qualifiedFunction(), null, "the original"));
        return new Shown(s.function(), s.module(), s.targetAbsent() ? "absent" : "loaded", path(s), runs, layers);
    }

    static String path(VersionTable.FunctionStack s) {
        return s.targetAbsent() ? "-" : s.fastPath() ? "fast" : "handler";
    }

    private static String code(VersionTable.Layer l) {
        return l.activeModule().equals("vmlinux") ? l.activeFunction() : l.activeModule() + ":" + l.activeFunction();
    }

    private static String role(VersionTable.FunctionStack s, VersionTable.Layer l) {
        int at = s.layers().indexOf(l);
        int deciding = s.deciding().map(s.layers()::indexOf).orElse(-1);
        return at == deciding ? "decides" : at > deciding ? "passes down" : "below";
    }

    private static String runsText(VersionTable.Layer d) {
        String version = d.update() + " " + d.id() + " version " + d.active() + " (" + code(d) + ")";
        return d.handler() == null ? version
                : "the choice of " + d.update() + " " + d.id() + "'s handler " + d.handler() + " per call (else " + version + ")";
    }

    /** The functions section of the text output; nothing when no function has updates. */
    static void print(PrintWriter out, VersionTable table) {
        List<VersionTable.FunctionStack> stacks = table.stacks();
        if (stacks.isEmpty()) {
            return;
        }
        out.println("functions (updates bottom to top; calls run the top one's choice, and version 1 without a "
                + "handler passes them down):");
        for (VersionTable.FunctionStack s : stacks) {
            String runs = s.deciding().map(FunctionStacks::runsText).orElse("the original");
            out.println("  " + s.qualifiedFunction() + ": "
                    + (s.targetAbsent() ? "waiting for module " + s.module() + " (not loaded); when it loads, calls will run "
                            : "calls run ") + runs
                    + (s.targetAbsent() ? "" : s.fastPath() ? " [fast path]" : " [handler path]"));
            int n = 1;
            for (VersionTable.Layer l : s.layers()) {
                out.printf("    %d. %-28s v%-2d %-24s %s%n", n++, l.update() + " " + l.id(), l.active(),
                        l.handler() == null ? "" : "handler " + l.handler(), role(s, l));
            }
        }
    }

    /** "stacked 2/3 on may_open" or "waiting for module m" for an update's function line; "" when neither. */
    static String note(VersionTable table, String name, long id) {
        return table.stackOf(name, id).map(s -> {
            List<String> parts = new java.util.ArrayList<>();
            if (s.layers().size() > 1) {
                int at = 0;
                for (int i = 0; i < s.layers().size(); i++) {
                    if (s.layers().get(i).update().equals(name) && s.layers().get(i).id() == id) {
                        at = i;
                    }
                }
                parts.add("stacked " + (at + 1) + "/" + s.layers().size()
                        + (at == s.layers().size() - 1 ? ", on top" : ", under " + s.layers().get(at + 1)));
            }
            if (s.targetAbsent()) {
                parts.add("waiting for module " + s.module());
            }
            return parts.isEmpty() ? "" : "  (" + String.join("; ", parts) + ")";
        }).orElse("");
    }
}
