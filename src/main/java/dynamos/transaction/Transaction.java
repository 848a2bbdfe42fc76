package dynamos.transaction;

import dynamos.framework.Framework;
import java.io.PrintStream;

/**
 * Carries out steps against one framework connection as a unit: each step done is reported and
 * journaled, and {@link #rollBack} takes them all back after a failure. Control scripts and
 * apply/revert of updates both run through it.
 */
public final class Transaction {
    private final Framework framework;
    private final PrintStream out;
    private final Journal journal = new Journal();

    public Transaction(Framework framework, PrintStream out) {
        this.framework = framework;
        this.out = out;
    }

    /**
     * Carries out {@code op}, prints {@code label} and its message, and journals its undo under
     * {@code step}. If the framework refuses it, the exception propagates and nothing is journaled.
     */
    public Applied perform(String step, String label, Operation op) {
        Applied a = op.apply(framework);
        out.println(label + a.message());
        journal.record(step, label, a.undo());
        return a;
    }

    /**
     * A step outside the framework (loading a module): runs {@code action}, prints {@code message} and
     * journals {@code undo}. If {@code action} throws, nothing is journaled.
     */
    public void perform(String step, String label, Runnable action, String message, Undo undo) {
        action.run();
        out.println(label + message);
        journal.record(step, label, undo);
    }

    /** How many steps are done (and would be rolled back). */
    public int done() {
        return journal.size();
    }

    /** Takes every done step back, newest first; see {@link Journal#rollBack}. */
    public Journal.Rollback rollBack(String verb) {
        return journal.rollBack(framework, out, verb);
    }
}
