package dynamos.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.framework.HookKind;
import dynamos.transaction.Operation;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlScriptTest {
    @Test
    void parsesGroupActivationsAndStateInBothForms() {
        List<ControlScript.Step> steps = ControlScript.parse("""
                activate-group pipe 1 3 pipe 2 3
                DYNREPLACE_ACTIVATE_GROUP("pipe", 1, 2, "pipe", 2, 2)
                state pipe --phase 2 --must-update false
                """);
        var both = List.of(new dynamos.framework.Framework.Member("pipe", 1, 3),
                new dynamos.framework.Framework.Member("pipe", 2, 3));
        assertThat(steps).extracting(ControlScript.Step::operation).containsExactly(
                new Operation.ActivateGroup(both),
                new Operation.ActivateGroup(List.of(new dynamos.framework.Framework.Member("pipe", 1, 2),
                        new dynamos.framework.Framework.Member("pipe", 2, 2))),
                new Operation.SetState("pipe", 2, false));
        assertThat(steps.getFirst().operation().describe()).isEqualTo("activate-group pipe 1 3 pipe 2 3");
        assertThatThrownBy(() -> ControlScript.parse("activate-group pipe 1"))
                .hasMessageContaining("NAME ID VERSION triples");
        assertThatThrownBy(() -> ControlScript.parse("activate-group pipe 1 0"))
                .hasMessageContaining("versions of 1 or more");
        assertThatThrownBy(() -> ControlScript.parse("state pipe --must-update maybe"))
                .hasMessageContaining("true or false");
    }

    @Test
    void parsesTheManualsMacrosWithQuotedNamesAndComments() {
        String script = """
                # pipefs -- create an adaptation handler
                DYNREPLACE_REGISTER_INTUITIVELY("pipe_read", 4, pipe_read)
                DYNREPLACE_REGISTER_INTUITIVELY("pipe_read", 4, pipe_read_v2)   # the new one
                DYNREPLACE_ACTIVATE_FUNCTION("pipe_read", 4, 2);
                DYNREPLACE_SET_RULE_EVALUATION_FUNCTION_BY_NAME("pipe_read", 4, pipe_adaptation_handler)
                DYNREPLACE_SET_RULE_EVALUATION_FUNCTION_BY_ADDRESS("pipe_write", 4, 0)
                DYNREPLACE_SET_PREACTIVATION_HOOK_BY_NAME("kswapd", 1, 2, kswapd_ll_pre_ambulation_hook)
                DYNREPLACE_SET_POSTAMBULATION_HOOK_BY_NAME("kswapd", 1, 1, kswapd_post)
                DYNREPLACE_SET_PREREMOVAL_HOOK_BY_NAME("restart_binary", 2, 2, epckpt_cleanup)
                DYNREPLACE_DEREGISTER_FUNCTION("pipe_write", 4, 0)
                DYNREPLACE_CALL(epckpt_init)
                """;
        List<ControlScript.Step> steps = ControlScript.parse(script);
        assertThat(steps).extracting(ControlScript.Step::line).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
        assertThat(steps).extracting(ControlScript.Step::operation).containsExactly(
                new Operation.Register("pipe_read", 4, "pipe_read"),
                new Operation.Register("pipe_read", 4, "pipe_read_v2"),
                new Operation.Activate("pipe_read", 4, 2),
                new Operation.SetRule("pipe_read", 4, "pipe_adaptation_handler", null),
                new Operation.SetRule("pipe_write", 4, null, 0L),
                new Operation.SetHook(HookKind.PRE_ACTIVATION, "kswapd", 1, 2, "kswapd_ll_pre_ambulation_hook"),
                new Operation.SetHook(HookKind.POST_ACTIVATION, "kswapd", 1, 1, "kswapd_post"),
                new Operation.SetHook(HookKind.PRE_REMOVAL, "restart_binary", 2, 2, "epckpt_cleanup"),
                new Operation.Deregister("pipe_write", 4, 0, null),
                new Operation.Call("epckpt_init"));
        assertThat(steps.get(1).source()).contains("pipe_read_v2");
    }

    @Test
    void parsesSubcommandLinesWithBareOrQuotedNames() {
        String script = """
                register get_pid 1 alloc_pid
                dynamos register "get_pid" 1 dynamos_example_get_pid:alloc_pid_v2
                activate get_pid 1 2
                hook post-removal get_pid 1 2 done_hook
                hook pre-activation get_pid 1 2 --clear
                rule get_pid 1 --address 0xffffffffc0001000
                rule get_pid 1 --clear
                rule get_pid 1 pick
                deregister get_pid 1 0 --timeout 2.5
                call init_fn
                """;
        List<Operation> ops = ControlScript.parse(script).stream().map(ControlScript.Step::operation).toList();
        assertThat(ops).containsExactly(
                new Operation.Register("get_pid", 1, "alloc_pid"),
                new Operation.Register("get_pid", 1, "dynamos_example_get_pid:alloc_pid_v2"),
                new Operation.Activate("get_pid", 1, 2),
                new Operation.SetHook(HookKind.POST_REMOVAL, "get_pid", 1, 2, "done_hook"),
                new Operation.SetHook(HookKind.PRE_ACTIVATION, "get_pid", 1, 2, null),
                new Operation.SetRule("get_pid", 1, null, 0xffffffffc0001000L),
                new Operation.SetRule("get_pid", 1, null, null),
                new Operation.SetRule("get_pid", 1, "pick", null),
                new Operation.Deregister("get_pid", 1, 0, 2.5),
                new Operation.Call("init_fn"));
        assertThat(ops.get(8).describe()).isEqualTo("deregister get_pid 1 0 --timeout 2.5");
    }

    @Test
    void parsesTheTargetModuleHooksAsSubcommandsAndMacros() {
        List<Operation> ops = ControlScript.parse("""
                hook target-coming t 1 2 mod:coming
                hook target_going t 1 2 --clear
                DYNREPLACE_SET_TARGET_COMING_HOOK_BY_NAME("t", 1, 2, "mod:coming2")
                DYNREPLACE_SET_TARGET_GOING_HOOK_BY_NAME("t", 1, 2, "mod:going")
                """).stream().map(ControlScript.Step::operation).toList();
        assertThat(ops).containsExactly(
                new Operation.SetHook(HookKind.TARGET_COMING, "t", 1, 2, "mod:coming"),
                new Operation.SetHook(HookKind.TARGET_GOING, "t", 1, 2, null),
                new Operation.SetHook(HookKind.TARGET_COMING, "t", 1, 2, "mod:coming2"),
                new Operation.SetHook(HookKind.TARGET_GOING, "t", 1, 2, "mod:going"));
        assertThat(ops.get(0).describe()).isEqualTo("hook target-coming t 1 2 mod:coming");
        assertThatThrownBy(() -> ControlScript.parse("hook target-leaving t 1 2 f"))
                .hasMessageContaining("target-coming or target-going");
    }

    @Test
    void errorsNameTheLineAndTheProblem() {
        assertThatThrownBy(() -> ControlScript.parse("\n\nregister a 1\n"))
                .isInstanceOf(ScriptSyntaxException.class).hasMessageStartingWith("line 3: register takes 3 arguments");
        assertThatThrownBy(() -> ControlScript.parse("activate a -1 2"))
                .hasMessageContaining("update id '-1'");
        assertThatThrownBy(() -> ControlScript.parse("activate a 1 0"))
                .hasMessageContaining("version of 1 or more");
        assertThatThrownBy(() -> ControlScript.parse("register a 1 'foo;bar'"))
                .hasMessageContaining("not a function name");
        assertThatThrownBy(() -> ControlScript.parse("hook sometimes a 1 2 f"))
                .hasMessageContaining("unknown hook kind");
        assertThatThrownBy(() -> ControlScript.parse("DYNREPLACE_ACTIVATE_FUNCTION(\"a\", 1)"))
                .hasMessageContaining("takes (update_name, id, version)");
        assertThatThrownBy(() -> ControlScript.parse("DYNREPLACE_FROB(1)")).hasMessageContaining("unknown macro");
        assertThatThrownBy(() -> ControlScript.parse("insmod x.ko")).hasMessageContaining("unknown command 'insmod'");
        assertThatThrownBy(() -> ControlScript.parse("register \"a b\" 1 f")).hasMessageContaining("update name");
        assertThatThrownBy(() -> ControlScript.parse("register \"abc 1 f")).hasMessageContaining("unterminated quote");
        assertThatThrownBy(() -> ControlScript.parse("deregister a 1 2 --timeout 0")).hasMessageContaining("timeout");
        assertThatThrownBy(() -> ControlScript.parse("register a 1 f@0")).isInstanceOf(ScriptSyntaxException.class)
                .hasMessageContaining("the position after @ is a number from 1");
        assertThatThrownBy(() -> ControlScript.parse("register a 1 m:f@2")).isInstanceOf(ScriptSyntaxException.class)
                .hasMessageContaining("module functions are named by module:symbol only");
    }

    @Test
    void aNamesakeIsRegisteredByPositionInCommandsAndMacros() {
        assertThat(ControlScript.parse("register elf 1 load_elf_binary@2\n"
                + "DYNREPLACE_REGISTER_INTUITIVELY(\"elf\", 2, load_elf_binary@1);").stream().map(ControlScript.Step::operation))
                .containsExactly(new Operation.Register("elf", 1, "load_elf_binary", 2),
                        new Operation.Register("elf", 2, "load_elf_binary", 1));
    }

    @Test
    void describeRoundTripsThroughTheParser() {
        List<Operation> ops = List.of(
                new Operation.Register("n", 3, "m:f"),
                new Operation.Register("n", 3, "load_elf_binary", 2),
                new Operation.Register("n", 3, "vmlinux:load_elf_binary", 1),
                new Operation.Deregister("n", 3, 2, null),
                new Operation.Activate("n", 3, 1),
                new Operation.SetHook(HookKind.POST_ACTIVATION, "n", 3, 2, "h"),
                new Operation.SetHook(HookKind.PRE_REMOVAL, "n", 3, 2, null),
                new Operation.SetRule("n", 3, "r", null),
                new Operation.SetRule("n", 3, null, 0x1234L),
                new Operation.SetRule("n", 3, null, null),
                new Operation.Call("c"));
        for (Operation op : ops) {
            assertThat(ControlScript.parse(op.describe()).getFirst().operation()).isEqualTo(op);
        }
    }
}
