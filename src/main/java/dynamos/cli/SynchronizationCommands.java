package dynamos.cli;

import com.fasterxml.jackson.annotation.JsonProperty;
import dynamos.transaction.Operation;
import dynamos.device.Limits;
import dynamos.device.Records;
import dynamos.framework.Framework;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * Commands for synchronized updates of subsystems that never quiesce: group activation, an update's
 * phase and must_update flag, and whether a version is still in use.
 */
final class SynchronizationCommands {
    private SynchronizationCommands() {}

    @Command(name = "activate-group", mixinStandardHelpOptions = true,
            description = {
                "Activate several versions as one step: all switch, or none does.",
                "",
                "Takes NAME ID VERSION triples (1 to 16). Every member must exist and name a live version of "
                        + "a different <NAME, ID>; the pre-activation hooks run in order and a failing one aborts "
                        + "the whole group. Then all members switch while every CPU is stopped, so no call sees "
                        + "some switched and others not (e.g. pipe_read and pipe_write of one update). In control "
                        + "scripts: 'activate-group ...' or DYNREPLACE_ACTIVATE_GROUP(\"name\", id, version, ...).",
                "",
                "Example: dynamos activate-group pipe 1 3 pipe 2 3"})
    static final class ActivateGroup extends ControlCommands.OperationCommand {
        @ArgGroup(exclusive = false, multiplicity = "1..*")
        List<MemberArgs> members;

        /** One member: the three words NAME ID VERSION. */
        static final class MemberArgs {
            @Parameters(index = "0", paramLabel = "NAME", converter = Converters.UpdateName.class,
                    description = "A member, as NAME ID VERSION; 1 to 16 of them.") String name;
            @Parameters(index = "1", paramLabel = "ID", converter = Converters.UpdateId.class) long id;
            @Parameters(index = "2", paramLabel = "VERSION", converter = Converters.RunnableVersion.class,
                    description = "1 (the original) or more.") int version;
        }

        @Override
        Operation operation() {
            if (members.size() > Limits.MAX_GROUP) {
                throw new ParameterException(spec.commandLine(), "a group activation takes 1 to " + Limits.MAX_GROUP
                        + " NAME ID VERSION triples, got " + members.size());
            }
            return new Operation.ActivateGroup(members.stream()
                    .map(m -> new Framework.Member(m.name, m.id, m.version)).toList());
        }
    }

    @Command(name = "state", mixinStandardHelpOptions = true,
            description = {
                "Show or set the phase and must_update flag of update NAME.",
                "",
                "Every <NAME, ID> of one update name shares them. Update code reads and sets them (dynamos.h: "
                        + "dynamos_phase, dynamos_must_update, ...): an adaptation handler raises must_update when the "
                        + "subsystem should move to new code, versions check it after waking up, and the phase records "
                        + "how far a multi-step update is. Both start at 0; the status shows them too."})
    static final class State extends CliCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.UpdateName.class) String name;
        @Option(names = "--phase", paramLabel = "N", description = "Set the phase.") Integer phase;
        @Option(names = "--must-update", paramLabel = "true|false", arity = "1",
                description = "Set the must_update flag.") Boolean mustUpdate;
        @Mixin SharedOptions.Json json;

        /** What {@code --json} prints. */
        record Shown(String name, int phase, @JsonProperty("must_update") boolean mustUpdate) {}

        @Override
        public Integer call() {
            try (Framework fw = Framework.connect()) {
                Framework.State s = fw.state(name, phase, mustUpdate);
                if (json.requested) {
                    json.print(new Shown(s.name(), s.phase(), s.mustUpdate()));
                } else {
                    out().println(s.name() + ": phase " + s.phase() + ", must_update " + s.mustUpdate());
                }
                return ExitStatus.SUCCESS.code;
            }
        }
    }

    @Command(name = "in-use", mixinStandardHelpOptions = true,
            description = {
                "Tell whether any task still runs version VERSION of <NAME, ID>.",
                "",
                "A task runs a version while its PC or a return address lies in the version's code; every task, "
                        + "including the per-CPU idle tasks, is checked with a reliable stack walk while all CPUs "
                        + "are stopped (an unreliable stack counts as running it). Nothing changes. With --timeout, "
                        + "waits up to that long for the version to fall idle (e.g. before switching a synchronized "
                        + "update to its final version).",
                "",
                "Exit status: 0 not in use, 3 in use (the busy tasks are named), 1 error."})
    static final class InUse extends CliCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.UpdateName.class) String name;
        @Parameters(index = "1", paramLabel = "ID", converter = Converters.UpdateId.class) long id;
        @Parameters(index = "2", paramLabel = "VERSION", converter = Converters.Version.class) int version;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0", converter = Converters.SecondsOrZero.class,
                description = "Wait up to this long for it to fall idle (default: check once).") double timeout;
        @Mixin SharedOptions.Json json;

        /** What {@code --json} prints. */
        record Shown(String update, long id, int version, @JsonProperty("in_use") boolean inUse,
                @JsonProperty("busy_tasks") int busyTasks, String report, List<Task> tasks) {}

        /** One busy task, from the kernel's task record. */
        record Task(int pid, String comm, int version, @JsonProperty("unreliable_stack") boolean unreliableStack,
                String where, String module) {
            static Task of(Records.BusyTask t) {
                return new Task(t.pid(), t.comm(), t.version(), t.unreliableStack(), t.where(), t.module());
            }
        }

        @Override
        public Integer call() {
            if (version < 1 || version > Limits.MAX_VERSIONS) {
                throw new IllegalArgumentException("VERSION is 1 to " + Limits.MAX_VERSIONS);
            }
            try (Framework fw = Framework.connect()) {
                Framework.Usage u = fw.inUse(name, id, version, Converters.millis(timeout));
                boolean busy = u.busyTasks() > 0;
                if (json.requested) {
                    json.print(new Shown(name, id, version, busy, u.busyTasks(), u.report(),
                            u.tasks().stream().map(Task::of).toList()));
                } else if (!busy) {
                    out().println(name + " " + id + " version " + version + " is not in use");
                } else {
                    out().println(name + " " + id + " version " + version + " is in use: " + u.report());
                }
                return busy ? ExitStatus.IN_USE.code : ExitStatus.SUCCESS.code;
            }
        }
    }
}
