package dynamos.control;

import dynamos.framework.HookKind;

/**
 * One control command, as a line of a control script or a {@code dynamos} subcommand states it.
 * {@link Executor} carries it out and knows how to undo it.
 */
public sealed interface Operation {
    /** The operation as a {@code dynamos} subcommand line (what the user would type). */
    String describe();

    record Register(String name, long id, String function) implements Operation {
        public String describe() {
            return "register " + name + " " + id + " " + function;
        }
    }

    /** {@code version} 0 removes all versions and the redirection; {@code timeoutSeconds} null is the default. */
    record Deregister(String name, long id, int version, Double timeoutSeconds) implements Operation {
        public String describe() {
            return "deregister " + name + " " + id + " " + version + (timeoutSeconds == null ? "" : " --timeout " + timeoutSeconds);
        }
    }

    record Activate(String name, long id, int version) implements Operation {
        public String describe() {
            return "activate " + name + " " + id + " " + version;
        }
    }

    /** {@code function} null clears the hook. */
    record SetHook(HookKind kind, String name, long id, int version, String function) implements Operation {
        public String describe() {
            return "hook " + kind.cliName() + " " + name + " " + id + " " + version + " " + (function == null ? "--clear" : function);
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
    }

    /** Several activations as one step: all switch or none does. */
    record ActivateGroup(java.util.List<dynamos.framework.Framework.Member> members) implements Operation {
        public ActivateGroup {
            members = java.util.List.copyOf(members);
        }

        public String describe() {
            return "activate-group " + String.join(" ", members.stream().map(Object::toString).toList());
        }
    }

    /** Sets an update name's phase and/or must_update flag (null: leave as is). */
    record SetState(String name, Integer phase, Boolean mustUpdate) implements Operation {
        public String describe() {
            return "state " + name + (phase == null ? "" : " --phase " + phase)
                    + (mustUpdate == null ? "" : " --must-update " + mustUpdate);
        }
    }

    record Call(String function) implements Operation {
        public String describe() {
            return "call " + function;
        }
    }
}
