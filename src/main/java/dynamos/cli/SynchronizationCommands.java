package dynamos.cli;

import dynamos.framework.Framework;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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
                "Takes NAME ID VERSION triples (1 to " + dynamos.device.Limits.MAX_GROUP + "). Every member must exist and name a live version of "
                        + "a different <NAME, ID>; the pre-activation hooks run in order and a failing one aborts "
                        + "the whole group. Then all members switch while every CPU is stopped, so no call sees "
                        + "some switched and others not (e.g. pipe_read and pipe_write of one update). In control "
                        + "scripts: 'activate-group ...' or DYNREPLACE_ACTIVATE_GROUP(\"name\", id, version, ...).",
                "",
                "Example: dynamos activate-group pipe 1 3 pipe 2 3"})
    static final class ActivateGroup implements Callable<Integer> {
        @Parameters(arity = "3..*", paramLabel = "NAME ID VERSION", description = "The members, as triples.")
        List<String> triples;
        @Option(names = "--json", description = "Print JSON for scripts.") boolean json;

        @Override
        public Integer call() {
            List<String> w = new ArrayList<>(List.of("activate-group"));
            w.addAll(triples);
            return ControlCommands.execute(ControlCommands.parse(w), json);
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
    static final class State implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Option(names = "--phase", paramLabel = "N", description = "Set the phase.") Integer phase;
        @Option(names = "--must-update", paramLabel = "true|false", arity = "1",
                description = "Set the must_update flag.") Boolean mustUpdate;
        @Option(names = "--json", description = "Print JSON for scripts.") boolean json;

        @Override
        public Integer call() {
            try (Framework fw = Framework.connect()) {
                Framework.State s = fw.state(name, phase, mustUpdate);
                if (json) {
                    System.out.println("{\"name\": " + Json.str(s.name()) + ", \"phase\": " + s.phase()
                            + ", \"must_update\": " + s.mustUpdate() + "}");
                } else {
                    System.out.println(s.name() + ": phase " + s.phase() + ", must_update " + s.mustUpdate());
                }
                return 0;
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
    static final class InUse implements Callable<Integer> {
        static final int IN_USE = 3;

        @Parameters(index = "0", paramLabel = "NAME") String name;
        @Parameters(index = "1", paramLabel = "ID") long id;
        @Parameters(index = "2", paramLabel = "VERSION") int version;
        @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "0",
                description = "Wait up to this long for it to fall idle (default: check once).") double timeout;
        @Option(names = "--json", description = "Print JSON for scripts.") boolean json;

        @Override
        public Integer call() {
            if (!(timeout >= 0 && timeout <= dynamos.device.Limits.MAX_TIMEOUT_MS / 1000)) {
                throw new IllegalArgumentException("--timeout takes 0 to " + dynamos.device.Limits.MAX_TIMEOUT_MS / 1000 + " seconds");
            }
            if (version < 1 || version > dynamos.device.Limits.MAX_VERSIONS) {
                throw new IllegalArgumentException("VERSION is 1 to " + dynamos.device.Limits.MAX_VERSIONS);
            }
            try (Framework fw = Framework.connect()) {
                Framework.Usage u = fw.inUse(name, id, version, (int) Math.round(timeout * 1000));
                if (json) {
                    System.out.println("{\"update\": " + Json.str(name) + ", \"id\": " + id + ", \"version\": " + version
                            + ", \"in_use\": " + (u.busyTasks() > 0) + ", \"busy_tasks\": " + u.busyTasks()
                            + ", \"report\": " + Json.str(u.report()) + "}");
                } else if (u.busyTasks() == 0) {
                    System.out.println(name + " " + id + " version " + version + " is not in use");
                } else {
                    System.out.println(name + " " + id + " version " + version + " is in use: " + u.report());
                }
                return u.busyTasks() == 0 ? 0 : IN_USE;
            }
        }
    }
}
