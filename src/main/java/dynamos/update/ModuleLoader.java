package dynamos.update;

import java.nio.file.Path;

/** Loads and unloads update modules in the running kernel; an interface so that tests can fake it. */
public interface ModuleLoader {
    /** Loads {@code ko}, whose kernel module name is {@code moduleName}; throws with the kernel's reason. */
    void load(Path ko, String moduleName);

    /** Unloads the module {@code moduleName}; throws with rmmod's reason. */
    void unload(String moduleName);

    /**
     * The loaded modules that use {@code moduleName}'s exports (the kernel's {@code /sys/module/M/holders/}),
     * sorted; empty when none does or the module is not loaded.
     */
    default java.util.List<String> holders(String moduleName) {
        Path dir = Path.of("/sys/module", moduleName, "holders");
        if (!java.nio.file.Files.isDirectory(dir)) {
            return java.util.List.of();
        }
        try (java.util.stream.Stream<Path> s = java.nio.file.Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new UpdateException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The running kernel's loader: insmod and rmmod. */
    static ModuleLoader kernel() {
        return new KernelModuleLoader();
    }
}
