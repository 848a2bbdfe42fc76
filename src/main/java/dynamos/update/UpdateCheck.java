package dynamos.update;

import dynamos.elf.ElfSymbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What {@code dynamos build} checks of a built update module before anyone applies it: the declaration
 * is valid and names functions the module defines; each version's prototype equals the original's in
 * the target kernel's BTF (unless a signature change is allowed); and which kernel symbols are not
 * exported, so that apply will bind them from the running kernel's kallsyms.
 */
public final class UpdateCheck {
    /** The findings: {@code errors} make the build fail; {@code notes} are for the user. */
    public record Report(List<String> errors, List<String> notes) {
        public boolean ok() {
            return errors.isEmpty();
        }
    }

    /** A problem with a version's prototype; {@code mismatch}: the prototypes differ (a signature change). */
    public record PrototypeProblem(boolean mismatch, String message) {}

    /** Compares versions with the originals, from the target kernel's and the module's BTF. */
    public interface Prototypes {
        /** Problems found with version {@code function} of kernel function {@code original}. */
        List<PrototypeProblem> check(String original, String function);
    }

    private UpdateCheck() {}

    public static Report check(UpdateModule module, Prototypes prototypes, boolean allowSignatureChange) {
        List<String> errors = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> missing = module.missingFunctions();
        if (!missing.isEmpty()) {
            errors.add("the declaration names functions the module does not define: " + missing);
        }
        for (UpdateDeclaration.Replacement r : module.declaration().replacements()) {
            if (missing.contains(r.function()) || prototypes == null) {
                continue;
            }
            for (PrototypeProblem p : prototypes.check(r.original(), r.function())) {
                if (allowSignatureChange && p.mismatch()) {
                    notes.add("allowed signature change (--allow-signature-change): " + p.message());
                } else {
                    errors.add(p.message() + (p.mismatch() ? "\n      (a deliberate signature change must be"
                            + " allowed with --allow-signature-change)" : ""));
                }
            }
        }
        Set<String> versioned = SymbolResolver.versionedSymbols(module.elf());
        List<String> unexported = module.elf().undefinedSymbols().stream().map(ElfSymbol::name)
                .filter(n -> !n.isEmpty() && !versioned.contains(n)).distinct().sorted().toList();
        if (!unexported.isEmpty()) {
            notes.add("not exported, bound at apply time from the running kernel's /proc/kallsyms: "
                    + String.join(", ", unexported));
        }
        return new Report(errors, notes);
    }
}
