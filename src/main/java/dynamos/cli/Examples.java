package dynamos.cli;

import dynamos.host.Installation;
import dynamos.kernel.KernelRelease;
import dynamos.update.UpdateBuilder;
import java.nio.file.Path;
import java.util.List;

/**
 * The example updates (examples/, or the package's copy), built against a kernel into
 * target/kmod/RELEASE/examples/ (the cache's kmod/ when packaged).
 */
final class Examples {
    private Examples() {}

    static List<Path> build(String name, KernelRelease kernel) {
        return UpdateBuilder.compile(Installation.examples().resolve(name),
                Installation.buildRoot().resolve(kernel.version()).resolve("examples").resolve(name), kernel);
    }
}
