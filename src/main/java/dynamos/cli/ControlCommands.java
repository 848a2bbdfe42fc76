package dynamos.cli;

import dynamos.control.ControlScript;
import dynamos.transaction.Applied;
import dynamos.transaction.Operation;
import dynamos.control.ScriptRunner;
import dynamos.framework.Framework;
import dynamos.framework.HookKind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** The control commands: one framework operation each, and control scripts. */
final class ControlCommands {
    private ControlCommands() {}

    /** A command that carries out one {@link Operation} and prints what it did (or JSON). */
    abstract static class OperationCommand extends CliCommand {
        @Mixin
        SharedOptions.Json json;

        /** The operation, from the typed arguments. */
        abstract Operation operation();

        @Override
        public Integer call() {
            Operation op = operation();
            try (Framework fw = Framework.connect()) {
                Applied a = op.apply(fw);
                if (json.requested) {
                    json.print(new Result(true, op.describe(), a.message()));
                } else {
                    out().println(a.message());
                }
                return ExitStatus.SUCCESS.code;
            }
        }
    }

    /** What {@code --json} prints for an operation done. */
    record Result(boolean ok, String command, String message) {}

    @Command(name = "register", mixinStandardHelpOptions = true,
            description = {
                "Register FUNCTION as the next version of the update <NAME, ID>.",
                "",
                "The first registration of a <NAME, ID> names the kernel function to update: it becomes version 1 "
                        + "(the original) and calls to it are redirected through the framework from then on, still "
                        + "running the original. Each later registration adds version 2, 3, ... whose code must be in "
                        + "a loaded module. FUNCTION is 'symbol' or 'module:symbol'. Prints the version number.",
                "",
                "A new <NAME, ID> on a function another update already has is stacked on top of it: calls run the "
                        + "top update's choice, and its version 1 passes them to the update below. A function of a "
                        + "module that is not loaded ('module:symbol') is accepted: the redirection is installed "
                        + "when the module loads (see 'dynamos status')."})
    static final class Register extends OperationCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.UpdateName.class,
                description = "Update name (1 to " + dynamos.device.Limits.MAX_NAME_CHARS + " characters, no spaces).")
        String name;
        @Parameters(index = "1", paramLabel = "ID", converter = Converters.UpdateId.class,
                description = "Update id (by convention the number of arguments).")
        long id;
        @Parameters(index = "2", paramLabel = "FUNCTION", converter = Converters.OriginalName.class,
                description = "symbol or module:symbol; symbol@N is the Nth of several same-named core-kernel "
                        + "functions (in /proc/kallsyms order, as DYNAMOS_SYMBOL counts; `dynamos analyze NAME` lists them).")
        String function;

        @Override
        Operation operation() {
            dynamos.framework.Namesakes.Named named = dynamos.framework.Namesakes.parse(function);
            return new Operation.Register(name, id, named.function(), named.position());
        }
    }

    @Command(name = "deregister", mixinStandardHelpOptions = true,
            description = {
                "Remove VERSION of the update <NAME, ID> once no task uses it; VERSION 0 removes all its versions and the redirection.",
                "",
                "No new call can enter the version from the start (if it is active, new calls run the original). "
                        + "Then the framework waits until no task - sleeping, preempted, running or idle - has its "
                        + "program counter or a return address inside it. If that does not happen within the "
                        + "timeout, removal fails naming the busy tasks and everything stays as it was; retry later."})
    static final class Deregister extends OperationCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.UpdateName.class) String name;
        @Parameters(index = "1", paramLabel = "ID", converter = Converters.UpdateId.class) long id;
        @Parameters(index = "2", paramLabel = "VERSION", converter = Converters.Version.class,
                description = "2 or more, or 0 for all.") int version;
        @Option(names = "--timeout", paramLabel = "SECONDS", converter = Converters.Seconds.class,
                description = "Quiescence timeout (default: 5).")
        Double timeout;

        @Override
        Operation operation() {
            return new Operation.Deregister(name, id, version, timeout);
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true,
            description = {
                "Make VERSION the version that new calls of the update <NAME, ID> run; version 1 is the original.",
                "",
                "Calls already running finish in the version they started in. The version's pre-activation hook "
                        + "runs first and a failure aborts the activation; its post-activation hook runs after."})
    static final class Activate extends OperationCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.UpdateName.class) String name;
        @Parameters(index = "1", paramLabel = "ID", converter = Converters.UpdateId.class) long id;
        @Parameters(index = "2", paramLabel = "VERSION", converter = Converters.RunnableVersion.class) int version;

        @Override
        Operation operation() {
            return new Operation.Activate(name, id, version);
        }
    }

    @Command(name = "hook", mixinStandardHelpOptions = true,
            description = {
                "Set a hook of VERSION of the update <NAME, ID>: an int fn(void) in a loaded module.",
                "",
                "pre-activation runs before the version is activated (non-zero aborts the activation), "
                        + "post-activation after; pre-removal runs before the version is removed, post-removal "
                        + "after. When the update's function is in a module: target-coming runs while that module "
                        + "loads, before its init and before the redirection is installed (non-zero refuses the "
                        + "load), target-going after its exit, once the redirection is removed. "
                        + "--clear instead of FUNCTION removes the hook."})
    static final class Hook extends OperationCommand {
        @Parameters(index = "0", paramLabel = "KIND", converter = Converters.Hook.class,
                description = "pre-activation, post-activation, pre-removal, post-removal, target-coming or "
                        + "target-going.") HookKind kind;
        @Parameters(index = "1", paramLabel = "NAME", converter = Converters.UpdateName.class) String name;
        @Parameters(index = "2", paramLabel = "ID", converter = Converters.UpdateId.class) long id;
        @Parameters(index = "3", paramLabel = "VERSION", converter = Converters.Version.class) int version;
        @Parameters(index = "4", arity = "0..1", paramLabel = "FUNCTION", converter = Converters.FunctionName.class,
                description = "symbol or module:symbol.") String function;
        @Option(names = "--clear", description = "Remove the hook.") boolean clear;

        @Override
        Operation operation() {
            if ((function == null) == !clear) {
                throw new ParameterException(spec.commandLine(), "hook takes exactly one of FUNCTION or --clear");
            }
            return new Operation.SetHook(kind, name, id, version, function);
        }
    }

    @Command(name = "rule", mixinStandardHelpOptions = true,
            description = {
                "Set the adaptation handler of the update <NAME, ID>: by name, by address, or --clear.",
                "",
                "The handler runs on every call before the version is chosen. It sees the call's first six "
                        + "integer arguments and the current task, and returns the version to run for this call "
                        + "(0: the active one). There is at most one per update; --address 0 also clears it."})
    static final class Rule extends OperationCommand {
        @Parameters(index = "0", paramLabel = "NAME", converter = Converters.UpdateName.class) String name;
        @Parameters(index = "1", paramLabel = "ID", converter = Converters.UpdateId.class) long id;
        @Parameters(index = "2", arity = "0..1", paramLabel = "FUNCTION", converter = Converters.FunctionName.class) String function;
        @Option(names = "--address", paramLabel = "ADDR", converter = Converters.Address.class,
                description = "Handler address (hex 0x... or decimal).") Long address;
        @Option(names = "--clear", description = "Remove the handler.") boolean clear;

        @Override
        Operation operation() {
            int given = (function != null ? 1 : 0) + (address != null ? 1 : 0) + (clear ? 1 : 0);
            if (given != 1) {
                throw new ParameterException(spec.commandLine(), "rule takes exactly one of FUNCTION, --address ADDR or --clear");
            }
            return new Operation.SetRule(name, id, function, address);
        }
    }

    @Command(name = "call", mixinStandardHelpOptions = true,
            description = "Run an initialization function, int FUNCTION(void) in a loaded module, once; prints its result.")
    static final class Call extends OperationCommand {
        @Parameters(index = "0", paramLabel = "FUNCTION", converter = Converters.FunctionName.class) String function;

        @Override
        Operation operation() {
            return new Operation.Call(function);
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {
                "Run a control script; on the first error, stop and undo what the script did.",
                "",
                "A script holds the manual's macros - DYNREPLACE_REGISTER_INTUITIVELY, DYNREPLACE_DEREGISTER_FUNCTION, "
                        + "DYNREPLACE_ACTIVATE_FUNCTION, DYNREPLACE_SET_{PRE,POST}ACTIVATION_HOOK_BY_NAME, "
                        + "DYNREPLACE_SET_{PRE,POST}REMOVAL_HOOK_BY_NAME, DYNREPLACE_SET_RULE_EVALUATION_FUNCTION_BY_NAME "
                        + "and _BY_ADDRESS, DYNREPLACE_CALL - or the same commands as dynamos subcommands "
                        + "(register, deregister, activate, hook, rule, call), one per line; # starts a comment. "
                        + "Update names may be quoted or bare.",
                "",
                "Every result is checked. On the first failure the run stops, reports the line and the reason, and "
                        + "undoes the script's earlier steps newest first, leaving the version table as before "
                        + "(a 'call' cannot be undone). SCRIPT - reads standard input.",
                "",
                "Example:",
                "  DYNREPLACE_REGISTER_INTUITIVELY(\"schedule\", 1, schedule)",
                "  DYNREPLACE_REGISTER_INTUITIVELY(\"schedule\", 1, dynamos_example_schedule:schedule_v2)",
                "  DYNREPLACE_ACTIVATE_FUNCTION(\"schedule\", 1, 2)"})
    static final class Run extends CliCommand {
        @Parameters(index = "0", paramLabel = "SCRIPT") String script;
        @Option(names = "--no-rollback", description = "Leave the steps done before a failure in place.") boolean noRollback;

        @Override
        public Integer call() throws IOException {
            String text = script.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(script));
            List<ControlScript.Step> steps = ControlScript.parse(text);
            try (Framework fw = Framework.connect()) {
                ScriptRunner.Outcome o = new ScriptRunner(fw, outStream(), !noRollback).run(steps);
                if (o.ok()) {
                    out().println(script + ": " + o.done() + " step(s) done");
                    return ExitStatus.SUCCESS.code;
                }
                String rolled = noRollback ? "not rolled back" : "rolled back " + o.undone() + " of " + o.done() + " step(s)"
                        + (o.undoProblems().isEmpty() ? "" : ", " + o.undoProblems().size() + " could not be undone");
                error(script + " line " + o.failed().line() + ": " + o.reason() + " (" + rolled + ")");
                return ExitStatus.FAILURE.code;
            }
        }
    }
}
