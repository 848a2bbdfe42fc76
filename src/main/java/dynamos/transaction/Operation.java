package dynamos.transaction;

import dynamos.framework.Framework;
import dynamos.framework.HookKind;
import dynamos.framework.VersionTable;
import java.util.List;
import java.util.Map;

/**
 * One control command, as a line of a control script or a {@code dynamos} subcommand states it. Each
 * carries itself out against the framework and says how to undo itself, from the version table as it
 * was just before. Undo puts the table back as it was; where the kernel cannot (a {@code call} ran code;
 * a re-registered version may get a new number) the undo's note says so.
 */
public sealed interface Operation {
    /** The operation as a {@code dynamos} subcommand line (what the user would type). */
    String describe();

    /** Carries the operation out; throws (having changed nothing) when the framework refuses it. */
    Applied apply(Framework fw);

    /**
     * {@code position} (0: none) picks one of several same-named core-kernel functions as the original,
     * in kallsyms order ({@link dynamos.framework.Namesakes}); written {@code function@position}.
     */
    record Register(String name, long id, String function, int position) implements Operation {
        public Register(String name, long id, String function) {
            this(name, id, function, 0);
        }

        private String named() {
            return position == 0 ? function : function + "@" + position;
        }

        public String describe() {
            return "register " + name + " " + id + " " + named();
        }

        public Applied apply(Framework fw) {
            int v = position == 0 ? fw.register(name, id, function) : fw.register(name, id, function, position);
            String msg = v == 1
                    ? "registered " + named() + " as the original (version 1) of " + name + " " + id + "; " + whereItWent(fw, name, id)
                    : "registered " + function + " as version " + v + " of " + name + " " + id;
            // Deregistering the original (version 1) means removing the whole update.
            return new Applied(msg, f -> {
                f.deregister(name, id, v == 1 ? 0 : v, 0);
                return "deregistered " + name + " " + id + (v == 1 ? " (all versions)" : " version " + v);
            }, v);
        }
    }

    /** For a first registration: the redirection installed, the update stacked on others, or waiting for the module. */
    private static String whereItWent(Framework fw, String name, long id) {
        VersionTable.Row original = fw.table().row(name, id, 1).orElse(null);
        if (original == null) {
            return "redirection installed";
        }
        String absent = "module " + original.module() + " is not loaded: the redirection waits for it";
        if (original.depth() <= 1) {
            return original.targetAbsent() ? absent : "redirection installed";
        }
        return "stacked on " + (original.depth() - 1) + " other update(s) of " + original.qualifiedFunction()
                + " (layer " + (original.level() + 1) + "/" + original.depth() + ")"
                + (original.targetAbsent() ? "; " + absent : "");
    }

    /** {@code version} 0 removes all versions and the redirection; {@code timeoutSeconds} null is the default. */
    record Deregister(String name, long id, int version, Double timeoutSeconds) implements Operation {
        public String describe() {
            return "deregister " + name + " " + id + " " + version + (timeoutSeconds == null ? "" : " --timeout " + timeoutSeconds);
        }

        public Applied apply(Framework fw) {
            List<VersionTable.Row> rows = fw.table().versionsOf(name, id);
            int timeoutMs = timeoutSeconds == null ? 0 : (int) Math.round(timeoutSeconds * 1000);
            fw.deregister(name, id, version, timeoutMs);
            String msg = "deregistered " + name + " " + id
                    + (version == 0 ? " (all versions; redirection removed)" : " version " + version);
            return new Applied(msg, f -> registerAgain(f, rows), 0);
        }

        /** Registers the removed versions again, with their hooks, the handler and the active version. */
        private String registerAgain(Framework f, List<VersionTable.Row> rows) {
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
                if (version != 0 && row.version() != version) {
                    continue;
                }
                String fn = row.module().equals("vmlinux") ? row.function() : row.module() + ":" + row.function();
                int v = f.register(name, id, fn);
                if (v != row.version()) {
                    note.append("; note: ").append(fn).append(" came back as version ").append(v)
                            .append(", not ").append(row.version());
                }
                for (Map.Entry<HookKind, String> hook : row.hooks().entrySet()) {
                    f.setHook(hook.getKey(), name, id, v, hook.getValue());
                }
            }
            if (version == 0 && handler != null) {
                f.setHandler(name, id, handler);
            }
            if (active != null && active != 1 && (version == 0 || version == active)) {
                f.activate(name, id, active);
            }
            return "registered " + name + " " + id + (version == 0 ? " (all versions)" : " version " + version)
                    + " again" + note;
        }
    }

    record Activate(String name, long id, int version) implements Operation {
        public String describe() {
            return "activate " + name + " " + id + " " + version;
        }

        public Applied apply(Framework fw) {
            Integer previous = fw.table().activeVersion(name, id).orElse(null);
            long result = fw.activate(name, id, version);
            return new Applied("activated " + name + " " + id + " version " + version
                    + (result != 0 ? " (post-activation hook returned " + result + ")" : ""),
                    previous == null ? null : f -> {
                        f.activate(name, id, previous);
                        return "activated " + name + " " + id + " version " + previous + " again";
                    }, result);
        }
    }

    /** {@code function} null clears the hook. */
    record SetHook(HookKind kind, String name, long id, int version, String function) implements Operation {
        public String describe() {
            return "hook " + kind.cliName() + " " + name + " " + id + " " + version + " " + (function == null ? "--clear" : function);
        }

        public Applied apply(Framework fw) {
            String previous = fw.table().row(name, id, version).map(r -> r.hooks().get(kind)).orElse(null);
            fw.setHook(kind, name, id, version, function);
            return new Applied((function == null ? "cleared " : "set ") + kind.cliName() + " hook of "
                    + name + " " + id + " version " + version + (function == null ? "" : " to " + function),
                    f -> {
                        f.setHook(kind, name, id, version, previous);
                        return (previous == null ? "cleared " : "restored ") + kind.cliName() + " hook of "
                                + name + " " + id + " version " + version;
                    }, 0);
        }
    }

    /** The adaptation handler by name, or by address; both null (or address 0) clears it. */
    record SetRule(String name, long id, String function, Long address) implements Operation {
        public String describe() {
            if (function != null) {
                return "rule " + name + " " + id + " " + function;
            }
            return "rule " + name + " " + id + (address == null || address == 0 ? " --clear" : " --address 0x" + Long.toHexString(address));
        }

        public Applied apply(Framework fw) {
            String previous = fw.table().handler(name, id).orElse(null);
            if (function != null) {
                fw.setHandler(name, id, function);
            } else {
                fw.setHandlerAddress(name, id, address == null ? 0 : address);
            }
            boolean clear = function == null && (address == null || address == 0);
            return new Applied((clear ? "cleared the adaptation handler of " : "set the adaptation handler of ")
                    + name + " " + id + (function != null ? " to " + function : ""),
                    f -> {
                        f.setHandler(name, id, previous);
                        return (previous == null ? "cleared" : "restored") + " the adaptation handler of " + name + " " + id;
                    }, 0);
        }
    }

    /** Several activations as one step: all switch or none does. */
    record ActivateGroup(List<Framework.Member> members) implements Operation {
        public ActivateGroup {
            members = List.copyOf(members);
        }

        public String describe() {
            return "activate-group " + String.join(" ", members.stream().map(Object::toString).toList());
        }

        public Applied apply(Framework fw) {
            VersionTable before = fw.table();
            List<Framework.Member> previous = members.stream().map(m -> new Framework.Member(m.name(), m.id(),
                    before.activeVersion(m.name(), m.id()).orElse(1))).toList();
            long failedPostHooks = fw.activateGroup(members);
            return new Applied("activated as one group: " + listed(members) + (failedPostHooks == 0 ? ""
                    : " (" + failedPostHooks + " post-activation hook(s) failed; the kernel log names them)"), f -> {
                f.activateGroup(previous);
                return "activated the group's previous versions again: " + listed(previous);
            }, failedPostHooks);
        }

        private static String listed(List<Framework.Member> members) {
            return String.join(", ", members.stream().map(m -> m.name() + " " + m.id() + " version " + m.version()).toList());
        }
    }

    /** Sets an update name's phase and/or must_update flag (null: leave as is). */
    record SetState(String name, Integer phase, Boolean mustUpdate) implements Operation {
        public String describe() {
            return "state " + name + (phase == null ? "" : " --phase " + phase)
                    + (mustUpdate == null ? "" : " --must-update " + mustUpdate);
        }

        public Applied apply(Framework fw) {
            Framework.State before = fw.state(name, null, null);
            Framework.State after = fw.state(name, phase, mustUpdate);
            return new Applied("state of " + name + ": phase " + after.phase() + ", must_update " + after.mustUpdate(), f -> {
                // Only what this operation set goes back.
                f.state(name, phase == null ? null : before.phase(), mustUpdate == null ? null : before.mustUpdate());
                return "state of " + name + " restored: phase " + before.phase() + ", must_update " + before.mustUpdate();
            }, 0);
        }
    }

    record Call(String function) implements Operation {
        public String describe() {
            return "call " + function;
        }

        public Applied apply(Framework fw) {
            long result = fw.call(function);
            return new Applied("called " + function + ": returned " + result,
                    f -> "cannot undo 'call " + function + "': the function has run", result);
        }
    }
}
