package dynamos.control;

import dynamos.framework.Framework;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Runs a control script step by step, checking every result. On the first failure it stops, reports
 * the line and the reason, and (unless told not to) undoes what the script had done, newest first.
 */
public final class ScriptRunner {
    /** How a run ended: the failing step (null on success) and its reason. */
    public record Outcome(ControlScript.Step failed, String reason, int done, int undone, List<String> undoProblems) {
        public boolean ok() {
            return failed == null;
        }
    }

    private record Done(ControlScript.Step step, Executor.Undo undo) {}

    private final Framework framework;
    private final PrintStream out;
    private final boolean rollback;

    public ScriptRunner(Framework framework, PrintStream out, boolean rollback) {
        this.framework = framework;
        this.out = out;
        this.rollback = rollback;
    }

    public Outcome run(List<ControlScript.Step> steps) {
        Deque<Done> done = new ArrayDeque<>();
        for (ControlScript.Step step : steps) {
            try {
                Executor.Applied a = Executor.apply(framework, step.operation());
                out.println("line " + step.line() + ": " + a.message());
                done.push(new Done(step, a.undo()));
            } catch (RuntimeException e) {
                String reason = e.getMessage();
                out.println("line " + step.line() + ": FAILED: " + step.source());
                out.println("    " + reason);
                if (!rollback) {
                    out.println("not rolling back (--no-rollback): " + done.size() + " step(s) stay applied");
                    return new Outcome(step, reason, done.size(), 0, List.of());
                }
                return undo(step, reason, done);
            }
        }
        return new Outcome(null, null, done.size(), 0, List.of());
    }

    private Outcome undo(ControlScript.Step failed, String reason, Deque<Done> done) {
        int count = done.size();
        if (count > 0) {
            out.println("rolling back " + count + " step(s), newest first:");
        }
        List<String> problems = new java.util.ArrayList<>();
        int undone = 0;
        while (!done.isEmpty()) {
            Done d = done.pop();
            if (d.undo() == null) {
                continue;
            }
            try {
                out.println("  line " + d.step().line() + ": " + d.undo().run(framework));
                undone++;
            } catch (RuntimeException e) {
                String p = "line " + d.step().line() + " (" + d.step().source() + "): " + e.getMessage();
                problems.add(p);
                out.println("  could not undo " + p);
            }
        }
        return new Outcome(failed, reason, count, undone, List.copyOf(problems));
    }
}
