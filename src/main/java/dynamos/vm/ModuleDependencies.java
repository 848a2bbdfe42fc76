package dynamos.vm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The dependency graph of a kernel's modules, from depmod's {@code modules.dep}, used to load just the
 * modules the guest needs, in an order that satisfies their dependencies.
 */
public final class ModuleDependencies {
    /** Module name (dashes as underscores) → path relative to lib/modules/VERSION. */
    private final Map<String, String> paths = new HashMap<>();
    /** Path → the paths it depends on. */
    private final Map<String, List<String>> deps = new HashMap<>();

    public static ModuleDependencies parse(String modulesDep) {
        ModuleDependencies d = new ModuleDependencies();
        for (String line : modulesDep.lines().toList()) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String path = line.substring(0, colon).trim();
            String rest = line.substring(colon + 1).trim();
            d.paths.put(nameOf(path), path);
            d.deps.put(path, rest.isEmpty() ? List.of() : List.of(rest.split("\\s+")));
        }
        return d;
    }

    /** {@code kernel/fs/9p/9p.ko} → {@code 9p}; {@code foo-bar.ko.xz} → {@code foo_bar}. */
    static String nameOf(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        int ko = base.indexOf(".ko");
        if (ko >= 0) {
            base = base.substring(0, ko);
        }
        return base.replace('-', '_');
    }

    /** Paths of {@code roots} and everything they need, each after all of its dependencies. */
    public List<String> loadOrder(List<String> roots) {
        Set<String> done = new LinkedHashSet<>();
        for (String root : roots) {
            String path = paths.get(root.replace('-', '_'));
            if (path == null) {
                throw new IllegalArgumentException("no module " + root + " in modules.dep");
            }
            visit(path, done, new LinkedHashSet<>());
        }
        return new ArrayList<>(done);
    }

    private void visit(String path, Set<String> done, Set<String> onPath) {
        if (done.contains(path)) {
            return;
        }
        if (!onPath.add(path)) {
            throw new IllegalArgumentException("dependency cycle through " + path);
        }
        for (String dep : deps.getOrDefault(path, List.of())) {
            visit(dep, done, onPath);
        }
        onPath.remove(path);
        done.add(path);
    }
}
