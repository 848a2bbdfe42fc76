package dynamos.update;

import dynamos.host.Exec;
import java.nio.file.Path;
import java.util.List;

/** {@link ModuleLoader} on the running kernel, with insmod and rmmod. */
final class KernelModuleLoader implements ModuleLoader {
    @Override
    public void load(Path ko, String moduleName) {
        Exec.Result r = Exec.capture(List.of("insmod", ko.toString()));
        if (!r.ok()) {
            throw new UpdateException("the kernel refused to load " + moduleName + ": " + r.output().strip()
                    + "\n    its reason is in the kernel log: " + Exec.tail(dmesgTail(), 5).strip());
        }
    }

    @Override
    public void unload(String moduleName) {
        Exec.Result r = Exec.capture(List.of("rmmod", moduleName));
        if (!r.ok()) {
            throw new UpdateException("cannot unload " + moduleName + ": " + r.output().strip());
        }
    }

    private static String dmesgTail() {
        Exec.Result r = Exec.capture(List.of("dmesg"));
        return r.ok() ? r.output() : "(dmesg unavailable)";
    }
}
