package dynamos.cli;

import dynamos.host.Installation;
import dynamos.kernel.KernelRelease;
import dynamos.update.UpdateBuilder;
import java.nio.file.Path;
import java.util.List;

/** The example updates under examples/, built against a kernel into target/kmod/RELEASE/examples/. */
final class Examples {
    private Examples() {}

    static List<Path> build(String name, KernelRelease kernel) {
        Path repo = Installation.repo();
        return UpdateBuilder.compile(repo.resolve("examples").resolve(name),
                repo.resolve("target/kmod").resolve(kernel.version()).resolve("examples").resolve(name), kernel);
    }
}
