package dynamos.installed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The boot-time apply (the {@code dynamos} systemd unit): the installed updates built for the running kernel,
 * in install order, each as {@code dynamos apply} would; an update for another kernel, one whose file changed
 * since it was installed, or one already applied is skipped, saying why. One failure does not stop the
 * others (an update that needs a failed one fails by itself when it loads). Every line goes to {@code log},
 * which the unit's journal keeps.
 */
public final class BootApply {
    /** What the boot-time apply does to the running kernel; {@code dynamos.cli} gives the real one. */
    public interface Kernel {
        String release();

        /** The names of the updates applied now (none while the framework is stopped). */
        Set<String> appliedUpdates();

        /** Starts the framework unless it is started. */
        void startFramework();

        /** Applies the update module {@code module} (fails with an exception that says why). */
        void apply(Path module);
    }

    /** What happened to one installed update. */
    public enum Result { APPLIED, ALREADY_APPLIED, OTHER_KERNEL, CHANGED, FAILED }

    public record Outcome(InstalledUpdate update, Result result, String reason) {}

    private BootApply() {}

    public static List<Outcome> run(InstalledUpdates store, Kernel kernel, Consumer<String> log) {
        String release = kernel.release();
        List<InstalledUpdate> all = store.list();
        log.accept(all.size() + " installed update(s) in " + store.updatesDir() + "; running kernel " + release);
        List<Outcome> outcomes = new ArrayList<>();
        List<InstalledUpdate> mine = new ArrayList<>();
        for (InstalledUpdate u : all) {
            if (!u.kernel().equals(release)) {
                outcomes.add(skip(log, u, Result.OTHER_KERNEL, "built for kernel " + u.kernel() + ", not " + release));
            } else if (!store.intact(u)) {
                outcomes.add(skip(log, u, Result.CHANGED, u.modulePath(store.updatesDir())
                        + " is missing or changed since it was installed (SHA-256 differs); install it again"));
            } else {
                mine.add(u);
            }
        }
        if (!mine.isEmpty()) {
            try {
                kernel.startFramework();
            } catch (RuntimeException e) {
                for (InstalledUpdate u : mine) {
                    outcomes.add(fail(log, u, "the framework did not start: " + e.getMessage()));
                }
                mine.clear();
            }
        }
        Set<String> applied = mine.isEmpty() ? Set.of() : kernel.appliedUpdates();
        for (InstalledUpdate u : mine) {
            if (applied.contains(u.name())) {
                outcomes.add(skip(log, u, Result.ALREADY_APPLIED, "already applied"));
                continue;
            }
            log.accept("apply " + label(u) + ": " + u.modulePath(store.updatesDir()));
            try {
                kernel.apply(u.modulePath(store.updatesDir()));
                log.accept("applied " + u.name());
                outcomes.add(new Outcome(u, Result.APPLIED, ""));
            } catch (RuntimeException e) {
                outcomes.add(fail(log, u, e.getMessage()));
            }
        }
        log.accept(count(outcomes, Result.APPLIED) + " applied, " + count(outcomes, Result.ALREADY_APPLIED)
                + " already applied, " + (count(outcomes, Result.OTHER_KERNEL) + count(outcomes, Result.CHANGED))
                + " skipped, " + count(outcomes, Result.FAILED) + " failed");
        return outcomes;
    }

    /** Whether every update meant for this kernel is applied now (the unit fails otherwise). */
    public static boolean succeeded(List<Outcome> outcomes) {
        return outcomes.stream().noneMatch(o -> o.result() == Result.FAILED || o.result() == Result.CHANGED);
    }

    private static Outcome skip(Consumer<String> log, InstalledUpdate u, Result r, String why) {
        log.accept("skip " + label(u) + ": " + why);
        return new Outcome(u, r, why);
    }

    private static Outcome fail(Consumer<String> log, InstalledUpdate u, String why) {
        log.accept("FAILED " + label(u) + ": " + why);
        return new Outcome(u, Result.FAILED, why);
    }

    private static String label(InstalledUpdate u) {
        return u.name() + " (#" + u.order() + ")";
    }

    private static long count(List<Outcome> outcomes, Result r) {
        return outcomes.stream().filter(o -> o.result() == r).count();
    }
}
