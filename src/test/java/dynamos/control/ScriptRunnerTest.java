package dynamos.control;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.framework.VersionTable;
import dynamos.testing.FakeFramework;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Running control scripts against a fake framework: results, stops on failure, roll-back. */
class ScriptRunnerTest {
    private static final String SCRIPT = """
            DYNREPLACE_REGISTER_INTUITIVELY("get_pid", 1, alloc_pid)
            register get_pid 1 upd:alloc_pid_v2
            # a comment
            hook post-activation get_pid 1 2 upd:post
            activate get_pid 1 2
            call upd:init
            """;

    private final FakeFramework fw = new FakeFramework();
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();

    private ScriptRunner.Outcome run(String script, boolean rollback) {
        return new ScriptRunner(fw, new PrintStream(printed, true, StandardCharsets.UTF_8), rollback)
                .run(ControlScript.parse(script));
    }

    private String output() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aScriptThatSucceedsReportsEachLine() {
        ScriptRunner.Outcome o = run(SCRIPT, true);
        assertThat(o.ok()).isTrue();
        assertThat(o.done()).isEqualTo(5);
        assertThat(output()).isEqualTo("""
                line 1: registered alloc_pid as the original (version 1) of get_pid 1; redirection installed
                line 2: registered upd:alloc_pid_v2 as version 2 of get_pid 1
                line 4: set post-activation hook of get_pid 1 version 2 to upd:post
                line 5: activated get_pid 1 version 2
                line 6: called upd:init: returned 0
                """);
        assertThat(fw.table().activeVersion("get_pid", 1)).contains(2);
    }

    @Test
    void aFailureStopsTheScriptAndUndoesItsStepsNewestFirst() {
        fw.failOn("call upd:init", "no symbol upd:init");
        ScriptRunner.Outcome o = run(SCRIPT + "activate get_pid 1 1\n", true);
        assertThat(o.ok()).isFalse();
        assertThat(o.failed().line()).isEqualTo(6);
        assertThat(o.reason()).isEqualTo("no symbol upd:init");
        assertThat(o.done()).isEqualTo(4);
        assertThat(o.undone()).isEqualTo(4);
        assertThat(o.undoProblems()).isEmpty();
        assertThat(output()).endsWith("""
                line 6: FAILED: call upd:init
                    no symbol upd:init
                rolling back 4 step(s), newest first:
                  line 5: activated get_pid 1 version 1 again
                  line 4: cleared post-activation hook of get_pid 1 version 2
                  line 2: deregistered get_pid 1 version 2
                  line 1: deregistered get_pid 1 (all versions)
                """);
        assertThat(fw.table().rows()).isEmpty();
        assertThat(fw.calls()).endsWith("activate get_pid 1 1", "hook post-activation get_pid 1 2 --clear",
                "deregister get_pid 1 2", "deregister get_pid 1 0");
    }

    @Test
    void anUndoThatFailsIsReportedAndTheOlderStepsAreStillUndone() {
        fw.failOn("call", "no symbol upd:init").failOn("hook post-activation get_pid 1 2 --clear", "hook busy");
        ScriptRunner.Outcome o = run(SCRIPT, true);
        assertThat(o.undone()).isEqualTo(3);
        assertThat(o.undoProblems()).containsExactly("line 4 (hook post-activation get_pid 1 2 upd:post): hook busy");
        assertThat(output()).contains("  could not undo line 4 (hook post-activation get_pid 1 2 upd:post): hook busy\n"
                + "  line 2: deregistered get_pid 1 version 2\n");
        assertThat(fw.table().rows()).isEmpty();
    }

    @Test
    void noRollbackLeavesTheStepsDoneInPlace() {
        fw.failOn("activate", "pre-activation hook failed");
        ScriptRunner.Outcome o = run(SCRIPT, false);
        assertThat(o.failed().line()).isEqualTo(5);
        assertThat(o.done()).isEqualTo(3);
        assertThat(o.undone()).isZero();
        assertThat(output()).endsWith("not rolling back (--no-rollback): 3 step(s) stay applied\n");
        VersionTable t = fw.table();
        assertThat(t.versionsOf("get_pid", 1)).hasSize(2);
        assertThat(t.row("get_pid", 1, 2).orElseThrow().hooks()).isNotEmpty();
    }

    @Test
    void aFailingFirstStepHasNothingToRollBack() {
        fw.failOn("register", "no such function");
        ScriptRunner.Outcome o = run(SCRIPT, true);
        assertThat(o.failed().line()).isEqualTo(1);
        assertThat(o.done()).isZero();
        assertThat(output()).isEqualTo("line 1: FAILED: DYNREPLACE_REGISTER_INTUITIVELY(\"get_pid\", 1, alloc_pid)\n"
                + "    no such function\n");
    }
}
