package dynamos.control;

import dynamos.framework.Framework;
import dynamos.transaction.Journal;
import dynamos.transaction.Transaction;
import java.io.PrintStream;
import java.util.List;

/**
 * Runs a control script step by step as one {@link Transaction}, checking every result. On the first
 * failure it stops, reports the line and the reason, and (unless told not to) undoes what the script
 * had done, newest first.
 */
public final class ScriptRunner {
    /** How a run ended: the failing step (null on success) and its reason. */
    public record Outcome(ControlScript.Step failed, String reason, int done, int undone, List<String> undoProblems) {
        public boolean ok() {
            return failed == null;
        }
    }

    private final Framework framework;
    private final PrintStream out;
    private final boolean rollback;

    public ScriptRunner(Framework framework, PrintStream out, boolean rollback) {
        this.framework = framework;
        this.out = out;
        this.rollback = rollback;
    }

    public Outcome run(List<ControlScript.Step> steps) {
        Transaction tx = new Transaction(framework, out);
        for (ControlScript.Step step : steps) {
            try {
                tx.perform("line " + step.line() + " (" + step.source() + ")", "line " + step.line() + ": ", step.operation());
            } catch (RuntimeException e) {
                String reason = e.getMessage();
                out.println("line " + step.line() + ": FAILED: " + step.source());
                out.println("    " + reason);
                int done = tx.done();
                if (!rollback) {
                    out.println("not rolling back (--no-rollback): " + done + " step(s) stay applied");
                    return new Outcome(step, reason, done, 0, List.of());
                }
                Journal.Rollback r = tx.rollBack("rolling back");
                return new Outcome(step, reason, done, r.undone(), r.problems());
            }
        }
        return new Outcome(null, null, tx.done(), 0, List.of());
    }
}
