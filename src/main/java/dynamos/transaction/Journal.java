package dynamos.transaction;

import dynamos.framework.Framework;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The undo journal: the steps done so far, each with how to take it back, so that a failure part-way
 * can put the kernel back as it was, newest step first.
 */
public final class Journal {
    /**
     * One done step: {@code step} names it in problem reports, {@code label} starts its note lines
     * (e.g. {@code "line 3: "}), {@code undo} takes it back (null: nothing to take back).
     */
    private record Entry(String step, String label, Undo undo) {}

    /** How a roll-back ended: the steps taken back and, per step that could not be, why. */
    public record Rollback(int undone, List<String> problems) {}

    private final Deque<Entry> entries = new ArrayDeque<>();

    public void record(String step, String label, Undo undo) {
        entries.push(new Entry(step, label, undo));
    }

    /** The steps recorded and not yet rolled back, including those with nothing to undo. */
    public int size() {
        return entries.size();
    }

    /**
     * Takes every recorded step back, newest first, printing a note per step on {@code out} under the
     * heading "{@code verb} N step(s), newest first:". A step whose undo fails is reported and the
     * older ones are still taken back. The journal is empty afterwards.
     */
    public Rollback rollBack(Framework fw, PrintStream out, String verb) {
        if (!entries.isEmpty()) {
            out.println(verb + " " + entries.size() + " step(s), newest first:");
        }
        List<String> problems = new ArrayList<>();
        int undone = 0;
        while (!entries.isEmpty()) {
            Entry e = entries.pop();
            if (e.undo() == null) {
                continue;
            }
            try {
                out.println("  " + e.label() + e.undo().run(fw));
                undone++;
            } catch (RuntimeException ex) {
                String problem = e.step() + ": " + ex.getMessage();
                problems.add(problem);
                out.println("  could not undo " + problem);
            }
        }
        return new Rollback(undone, List.copyOf(problems));
    }
}
