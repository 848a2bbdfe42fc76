package dynamos.update;

import dynamos.kernel.KernelRelease;
import java.nio.file.Path;
import java.util.List;

/** The prototype check of {@link UpdateCheck} against a target kernel's BTF. */
public final class KernelPrototypes {
    private KernelPrototypes() {}

    /** The check for versions in {@code module}, built for {@code kernel}. */
    public static UpdateCheck.Prototypes forModule(KernelRelease kernel, Path module) {
        // Wired to the BTF reader once module BTF generation lands.
        return (original, function) -> List.of();
    }
}
