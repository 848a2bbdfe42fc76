package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.transaction.Operation;
import dynamos.framework.Framework;
import dynamos.framework.HookKind;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/** The control commands turn typed arguments into the framework operations, with no script parsing. */
class OperationCommandsTest {
    private static Operation parse(ControlCommands.OperationCommand command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command.operation();
    }

    @Test
    void eachCommandBuildsItsOperation() {
        assertThat(parse(new ControlCommands.Register(), "t", "4294967295", "mod:fn"))
                .isEqualTo(new Operation.Register("t", 4294967295L, "mod:fn"));
        assertThat(parse(new ControlCommands.Register(), "--json", "t", "2", "fn"))
                .isEqualTo(new Operation.Register("t", 2, "fn"));
        assertThat(parse(new ControlCommands.Register(), "t", "2", "load_elf_binary@2"))
                .isEqualTo(new Operation.Register("t", 2, "load_elf_binary", 2));
        assertThatThrownBy(() -> parse(new ControlCommands.Register(), "t", "2", "m:fn@2"))
                .hasMessageContaining("a position names a core-kernel function");
        assertThatThrownBy(() -> parse(new ControlCommands.Register(), "t", "2", "fn@0"))
                .hasMessageContaining("the position after @ is a number from 1");
        assertThat(parse(new ControlCommands.Deregister(), "t", "2", "0"))
                .isEqualTo(new Operation.Deregister("t", 2, 0, null));
        assertThat(parse(new ControlCommands.Deregister(), "t", "2", "3", "--timeout", "1.5"))
                .isEqualTo(new Operation.Deregister("t", 2, 3, 1.5));
        assertThat(parse(new ControlCommands.Activate(), "t", "2", "1")).isEqualTo(new Operation.Activate("t", 2, 1));
        assertThat(parse(new ControlCommands.Hook(), "post-removal", "t", "2", "3", "fn"))
                .isEqualTo(new Operation.SetHook(HookKind.POST_REMOVAL, "t", 2, 3, "fn"));
        assertThat(parse(new ControlCommands.Hook(), "pre-activation", "t", "2", "3", "--clear"))
                .isEqualTo(new Operation.SetHook(HookKind.PRE_ACTIVATION, "t", 2, 3, null));
        assertThat(parse(new ControlCommands.Rule(), "t", "2", "handler"))
                .isEqualTo(new Operation.SetRule("t", 2, "handler", null));
        assertThat(parse(new ControlCommands.Rule(), "t", "2", "--address", "0x10"))
                .isEqualTo(new Operation.SetRule("t", 2, null, 16L));
        assertThat(parse(new ControlCommands.Rule(), "t", "2", "--clear"))
                .isEqualTo(new Operation.SetRule("t", 2, null, null));
        assertThat(parse(new ControlCommands.Call(), "init_fn")).isEqualTo(new Operation.Call("init_fn"));
    }

    @Test
    void groupMembersAreTriples() {
        assertThat(parse(new SynchronizationCommands.ActivateGroup(), "t", "2", "2", "s", "1", "3"))
                .isEqualTo(new Operation.ActivateGroup(List.of(new Framework.Member("t", 2, 2), new Framework.Member("s", 1, 3))));
        int tooMany = dynamos.device.Limits.MAX_GROUP + 1;
        String[] args = new String[tooMany * 3];
        for (int i = 0; i < tooMany; i++) {
            args[3 * i] = "u" + i;
            args[3 * i + 1] = "1";
            args[3 * i + 2] = "2";
        }
        assertThatThrownBy(() -> parse(new SynchronizationCommands.ActivateGroup(), args))
                .isInstanceOf(ParameterException.class).hasMessageContaining("1 to " + dynamos.device.Limits.MAX_GROUP);
        assertThatThrownBy(() -> parse(new SynchronizationCommands.ActivateGroup(), "t", "2", "0"))
                .isInstanceOf(ParameterException.class).hasMessageContaining("1 or more");
    }

    @Test
    void exactlyOneTargetForHooksAndRules() {
        assertThatThrownBy(() -> parse(new ControlCommands.Hook(), "pre-removal", "t", "2", "3"))
                .isInstanceOf(ParameterException.class).hasMessage("hook takes exactly one of FUNCTION or --clear");
        assertThatThrownBy(() -> parse(new ControlCommands.Hook(), "pre-removal", "t", "2", "3", "fn", "--clear"))
                .isInstanceOf(ParameterException.class);
        assertThatThrownBy(() -> parse(new ControlCommands.Rule(), "t", "2", "fn", "--clear"))
                .isInstanceOf(ParameterException.class).hasMessageContaining("exactly one of FUNCTION, --address ADDR or --clear");
        assertThatThrownBy(() -> parse(new ControlCommands.Rule(), "t", "2"))
                .isInstanceOf(ParameterException.class);
    }

    @Test
    void badWordsAreUsageErrorsNamingTheParameter() {
        CliRun r = CliRun.of("register", "t", "x", "fn");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("ID").contains("update id 'x' is not a number from 0 to 4294967295")
                .contains("Usage: dynamos register");
        assertThat(CliRun.of("activate", "t", "1", "0").err()).contains("1 or more (1 is the original)");
        assertThat(CliRun.of("hook", "sometimes", "t", "1", "2", "fn").err()).contains("unknown hook kind 'sometimes'");
        assertThat(CliRun.of("stop", "--timeout", "601").status()).isEqualTo(2);
        assertThat(CliRun.of("in-use", "t", "1", "2", "--timeout", "-1").status()).isEqualTo(2);
    }
}
