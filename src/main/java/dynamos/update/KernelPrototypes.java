package dynamos.update;

import dynamos.btf.Btf;
import dynamos.btf.BtfException;
import dynamos.btf.FunctionPrototype;
import dynamos.btf.KernelBtf;
import dynamos.btf.ModuleBtf;
import dynamos.kernel.KernelRelease;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The prototype check of {@link UpdateCheck}: a version must have the C prototype of the kernel
 * function it replaces, as the target kernel's BTF and the module's BTF (generated with pahole)
 * render them. Types are compared by their C names, so a module's own copy of a private kernel
 * struct (e.g. {@code struct nameidata}) matches the kernel's.
 */
public final class KernelPrototypes implements UpdateCheck.Prototypes {
    private final Btf kernel;
    private final Btf module;
    private final String kernelName;

    KernelPrototypes(Btf kernel, Btf module, String kernelName) {
        this.kernel = kernel;
        this.module = module;
        this.kernelName = kernelName;
    }

    /** The check for versions in {@code module}, built for {@code kernel}. */
    public static UpdateCheck.Prototypes forModule(KernelRelease kernel, Path module) {
        Path baseFile = KernelBtf.file(kernel);
        Btf base = Btf.read(baseFile);
        return new KernelPrototypes(base, ModuleBtf.generate(module, base, baseFile), kernel.version());
    }

    /**
     * Prototypes of the functions {@code object} (a relocatable object with DWARF, e.g. a unit compiled after a
     * patch) defines, against {@code kernel}'s: checked by their names in that object.
     */
    public static KernelPrototypes forObject(KernelRelease kernel, Path object) {
        // Standalone: on top of the kernel's BTF, a function of the same prototype would be merged into the
        // kernel's and be missing from the object's own types.
        return new KernelPrototypes(Btf.read(KernelBtf.file(kernel)), ModuleBtf.generateStandalone(object),
                kernel.version());
    }

    @Override
    public List<UpdateCheck.PrototypeProblem> check(String original, String function) {
        String symbol = original.contains(":") ? original.substring(original.indexOf(':') + 1) : original;
        if (original.contains(":") && !original.startsWith("vmlinux:")) {
            // Functions of modules are described by the modules' own BTF, not vmlinux's.
            return List.of();
        }
        Optional<FunctionPrototype> theirs;
        Optional<FunctionPrototype> mine;
        try {
            theirs = kernel.prototype(symbol);
            mine = module.functions(function).stream()
                    .filter(f -> f.id() >= module.firstTypeId()).findFirst().map(module::prototype);
        } catch (BtfException e) {
            return List.of(new UpdateCheck.PrototypeProblem(false, e.getMessage()));
        }
        if (theirs.isEmpty()) {
            return List.of(new UpdateCheck.PrototypeProblem(false, symbol + " is not a function of kernel " + kernelName
                    + " (its BTF has no such function: misspelt, inlined everywhere, or compiled away)"));
        }
        if (mine.isEmpty()) {
            return List.of(new UpdateCheck.PrototypeProblem(false, "the module's BTF has no function " + function
                    + " (was it inlined or removed by the compiler? declare it noinline)"));
        }
        return mine.get().mismatchWith(theirs.get()).map(m -> List.of(new UpdateCheck.PrototypeProblem(true,
                "prototype mismatch: version " + function + ": " + mine.get().typeSignature()
                        + "\n      but kernel function " + symbol + ": " + theirs.get().typeSignature()
                        + "\n      (" + m + ")"))).orElse(List.of());
    }
}
