package dynamos.update;

import java.nio.file.Path;

/** Loads and unloads update modules in the running kernel; an interface so that tests can fake it. */
public interface ModuleLoader {
    /** Loads {@code ko}, whose kernel module name is {@code moduleName}; throws with the kernel's reason. */
    void load(Path ko, String moduleName);

    /** Unloads the module {@code moduleName}; throws with rmmod's reason. */
    void unload(String moduleName);

    /** The running kernel's loader: insmod and rmmod. */
    static ModuleLoader kernel() {
        return new KernelModuleLoader();
    }
}
