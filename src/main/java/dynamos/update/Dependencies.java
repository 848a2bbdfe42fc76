package dynamos.update;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The modules an update's module depends on ({@code depends=} in its {@code .modinfo}, written by
 * modpost for every module whose exports it uses) must be loaded before it is: otherwise the kernel
 * refuses it with "Unknown symbol". Apply checks this before it changes anything and names the update
 * to apply first ({@code uses=} facts of {@code dynamos build --uses}).
 */
public final class Dependencies {
    private Dependencies() {}

    /** The running kernel's view: a module is loaded when {@code /sys/module/NAME} exists. */
    public static boolean loaded(String module) {
        return Files.isDirectory(Path.of("/sys/module", module));
    }

    /** The modules {@code update}'s module depends on, in modinfo order. */
    public static List<String> of(UpdateModule update) {
        List<String> out = new ArrayList<>();
        Optional<String> depends = update.elf().moduleInfo().flatMap(i -> i.get("depends"));
        for (String m : depends.orElse("").split(",")) {
            if (!m.isBlank()) {
                out.add(m.strip());
            }
        }
        return out;
    }

    /**
     * Checks that every module {@code update} depends on is {@code loaded}.
     *
     * @throws UpdateException naming each missing one: for another update's module, the update to apply
     *     first; for any other module, the module to load first
     */
    public static void require(UpdateModule update, Predicate<String> loaded) {
        List<String> problems = new ArrayList<>();
        String name = update.declaration().name();
        for (String m : of(update)) {
            if (loaded.test(m)) {
                continue;
            }
            Optional<UpdateDeclaration.Use> use = update.declaration().uses().stream()
                    .filter(u -> u.module().equals(m)).findFirst();
            problems.add(use.isPresent()
                    ? name + " uses symbols of update " + use.get().update() + " (module " + m + "): apply "
                            + use.get().update() + " first"
                    : name + " uses symbols of module " + m + ", which is not loaded: load " + m + " first");
        }
        if (!problems.isEmpty()) {
            throw new UpdateException(String.join("\n    ", problems) + "; nothing was changed");
        }
    }
}
