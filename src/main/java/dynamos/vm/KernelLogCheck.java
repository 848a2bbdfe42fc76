package dynamos.vm;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/** Finds the kernel log lines that mean something went wrong in the kernel. */
public final class KernelLogCheck {
    /**
     * Oopses, BUG reports, WARN splats, GP faults, lockdep reports, panics, RCU stalls and hung tasks.
     * {@code \bBUG\b} so that words like DEBUG do not match.
     */
    static final Pattern PROBLEM = Pattern.compile(
            "Oops|\\bBUG\\b|WARNING|general protection|lockdep|possible circular locking|Kernel panic"
                    + "|rcu_.*stall|blocked for more than");

    private KernelLogCheck() {}

    public static List<String> problems(String log) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (String line : log.lines().toList()) {
            if (PROBLEM.matcher(line).find()) {
                out.add(line.strip());
            }
        }
        return List.copyOf(out);
    }
}
