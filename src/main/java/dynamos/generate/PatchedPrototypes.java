package dynamos.generate;

import dynamos.kernel.KernelRelease;
import dynamos.source.UnitCompiler;
import dynamos.update.KernelPrototypes;
import dynamos.update.UpdateCheck;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The prototype check of a generated update: each version's prototype is read from the debugging information of
 * the unit compiled after the patch (the module carries its code without it) and compared with the running
 * kernel's prototype of the function it replaces. A patch that changes a replaced function's parameters fails here:
 * the kernel's callers would go on passing the old ones.
 */
public final class PatchedPrototypes implements UpdateCheck.Prototypes {
    private final KernelRelease kernel;
    private final Path workDir;
    private final Map<String, UpdateSources.Version> versions;
    private final Map<String, KernelPrototypes> byUnit = new HashMap<>();

    public PatchedPrototypes(KernelRelease kernel, Path workDir, Map<String, UpdateSources.Version> versions) {
        this.kernel = kernel;
        this.workDir = workDir;
        this.versions = Map.copyOf(versions);
    }

    @Override
    public List<UpdateCheck.PrototypeProblem> check(String original, String function) {
        UpdateSources.Version v = versions.get(function);
        if (v == null) {
            return List.of(new UpdateCheck.PrototypeProblem(false, function + " is not a version this update was"
                    + " generated with"));
        }
        KernelPrototypes p = byUnit.computeIfAbsent(v.unit(),
                u -> KernelPrototypes.forObject(kernel, UnitCompiler.afterObject(workDir, u)));
        return p.check(original, v.symbol());
    }
}
