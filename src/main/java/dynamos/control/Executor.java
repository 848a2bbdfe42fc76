package dynamos.control;

import dynamos.framework.Framework;
import dynamos.framework.HookKind;
import dynamos.framework.VersionTable;
import java.util.List;
import java.util.Map;

/**
 * Carries out {@link Operation}s against the framework and says how to undo each one, from the version
 * table as it was just before. Undo puts the table back as it was; where the kernel cannot (a {@code call}
 * ran code; a re-registered version may get a new number) the undo says so.
 */
public final class Executor {
    /** What an operation did, and how to take it back. */
    public record Applied(String message, Undo undo) {}

    /** Takes an operation back; returns a note for the user, or throws. */
    @FunctionalInterface
    public interface Undo {
        String run(Framework fw);
    }

    private Executor() {}

    public static Applied apply(Framework fw, Operation op) {
        return switch (op) {
            case Operation.Register r -> {
                int v = fw.register(r.name(), r.id(), r.function());
                String msg = v == 1
                        ? "registered " + r.function() + " as the original (version 1) of " + r.name() + " " + r.id() + "; redirection installed"
                        : "registered " + r.function() + " as version " + v + " of " + r.name() + " " + r.id();
                yield new Applied(msg, f -> {
                    f.deregister(r.name(), r.id(), v == 1 ? 0 : v, 0);
                    return "deregistered " + r.name() + " " + r.id() + (v == 1 ? " (all versions)" : " version " + v);
                });
            }
            case Operation.Deregister d -> {
                VersionTable before = fw.table();
                List<VersionTable.Row> rows = before.versionsOf(d.name(), d.id());
                int timeoutMs = d.timeoutSeconds() == null ? 0 : (int) Math.round(d.timeoutSeconds() * 1000);
                fw.deregister(d.name(), d.id(), d.version(), timeoutMs);
                String msg = "deregistered " + d.name() + " " + d.id()
                        + (d.version() == 0 ? " (all versions; redirection removed)" : " version " + d.version());
                yield new Applied(msg, f -> reRegister(f, d, rows));
            }
            case Operation.Activate a -> {
                Integer previous = fw.table().activeVersion(a.name(), a.id()).orElse(null);
                long result = fw.activate(a.name(), a.id(), a.version());
                yield new Applied("activated " + a.name() + " " + a.id() + " version " + a.version()
                        + (result != 0 ? " (post-activation hook returned " + result + ")" : ""),
                        previous == null ? null : f -> {
                            f.activate(a.name(), a.id(), previous);
                            return "activated " + a.name() + " " + a.id() + " version " + previous + " again";
                        });
            }
            case Operation.SetHook h -> {
                String previous = fw.table().row(h.name(), h.id(), h.version())
                        .map(r -> r.hooks().get(h.kind())).orElse(null);
                fw.setHook(h.kind(), h.name(), h.id(), h.version(), h.function());
                yield new Applied((h.function() == null ? "cleared " : "set ") + h.kind().cliName() + " hook of "
                        + h.name() + " " + h.id() + " version " + h.version() + (h.function() == null ? "" : " to " + h.function()),
                        f -> {
                            f.setHook(h.kind(), h.name(), h.id(), h.version(), previous);
                            return (previous == null ? "cleared " : "restored ") + h.kind().cliName() + " hook of "
                                    + h.name() + " " + h.id() + " version " + h.version();
                        });
            }
            case Operation.SetRule r -> {
                String previous = fw.table().handler(r.name(), r.id()).orElse(null);
                if (r.function() != null) {
                    fw.setHandler(r.name(), r.id(), r.function());
                } else {
                    fw.setHandlerAddress(r.name(), r.id(), r.address() == null ? 0 : r.address());
                }
                boolean clear = r.function() == null && (r.address() == null || r.address() == 0);
                yield new Applied((clear ? "cleared the adaptation handler of " : "set the adaptation handler of ")
                        + r.name() + " " + r.id() + (r.function() != null ? " to " + r.function() : ""),
                        f -> {
                            f.setHandler(r.name(), r.id(), previous);
                            return (previous == null ? "cleared" : "restored") + " the adaptation handler of " + r.name() + " " + r.id();
                        });
            }
            case Operation.ActivateGroup g -> {
                VersionTable before = fw.table();
                List<Framework.Member> previous = g.members().stream().map(m -> new Framework.Member(m.name(), m.id(),
                        before.activeVersion(m.name(), m.id()).orElse(1))).toList();
                fw.activateGroup(g.members());
                yield new Applied("activated as one group: " + String.join(", ", g.members().stream()
                        .map(m -> m.name() + " " + m.id() + " version " + m.version()).toList()),
                        f -> {
                            f.activateGroup(previous);
                            return "activated the group's previous versions again: " + String.join(", ",
                                    previous.stream().map(m -> m.name() + " " + m.id() + " version " + m.version()).toList());
                        });
            }
            case Operation.SetState st -> {
                Framework.State before = fw.state(st.name(), null, null);
                Framework.State after = fw.state(st.name(), st.phase(), st.mustUpdate());
                yield new Applied("state of " + st.name() + ": phase " + after.phase() + ", must_update "
                        + after.mustUpdate(), f -> {
                            f.state(st.name(), st.phase() == null ? null : before.phase(),
                                    st.mustUpdate() == null ? null : before.mustUpdate());
                            return "state of " + st.name() + " restored: phase " + before.phase() + ", must_update "
                                    + before.mustUpdate();
                        });
            }
            case Operation.Call c -> {
                long result = fw.call(c.function());
                yield new Applied("called " + c.function() + ": returned " + result,
                        f -> "cannot undo 'call " + c.function() + "': the function has run");
            }
        };
    }

    /** Registers removed versions again, with their hooks, the handler and the active version. */
    private static String reRegister(Framework f, Operation.Deregister d, List<VersionTable.Row> rows) {
        StringBuilder note = new StringBuilder();
        Integer active = null;
        String handler = null;
        for (VersionTable.Row row : rows) {
            if (row.active()) {
                active = row.version();
            }
            if (row.handler() != null) {
                handler = row.handler();
            }
        }
        for (VersionTable.Row row : rows) {
            if (d.version() != 0 && row.version() != d.version()) {
                continue;
            }
            String fn = row.module().equals("vmlinux") ? row.function() : row.module() + ":" + row.function();
            int v = f.register(d.name(), d.id(), fn);
            if (v != row.version()) {
                note.append("; note: ").append(fn).append(" came back as version ").append(v)
                        .append(", not ").append(row.version());
            }
            for (Map.Entry<HookKind, String> hook : row.hooks().entrySet()) {
                f.setHook(hook.getKey(), d.name(), d.id(), v, hook.getValue());
            }
        }
        if (d.version() == 0 && handler != null) {
            f.setHandler(d.name(), d.id(), handler);
        }
        if (active != null && active != 1 && (d.version() == 0 || d.version() == active)) {
            f.activate(d.name(), d.id(), active);
        }
        return "registered " + d.name() + " " + d.id() + (d.version() == 0 ? " (all versions)" : " version " + d.version())
                + " again" + note;
    }
}
