package dynamos.generate;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfRelocation;
import dynamos.elf.ElfSection;
import dynamos.elf.ElfSymbol;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hooks a patch declares with kpatch's macros ({@code KPATCH_LOAD_HOOK(fn)} ...), as our
 * {@code kernel/include/patch/kpatch-macros.h} records them: a pointer to the function in a section
 * {@code .dynamos.patch_hook.KIND}. Each becomes a hook of the update at the matching moment.
 */
final class PatchHooks {
    static final String SECTION_PREFIX = ".dynamos.patch_hook.";

    /**
     * A hook.
     *
     * @param kind the macro's kind: {@code pre_patch}, {@code post_patch}, {@code load}, {@code pre_unpatch},
     *     {@code unload}, {@code post_unpatch}
     * @param function the function's symbol in the patched object
     */
    record Hook(String kind, String function) {
        /** The moment of an update it runs at ({@code DYNAMOS_HOOK}'s kind). */
        String moment() {
            return MOMENTS.get(kind);
        }

        /** Whether the function takes the (NULL) object argument of livepatch's callbacks. */
        boolean takesObject() {
            return !kind.equals("load") && !kind.equals("unload");
        }

        /** Whether its result can refuse the update. */
        boolean returnsResult() {
            return kind.equals("pre_patch");
        }
    }

    private static final Map<String, String> MOMENTS = Map.of("pre_patch", "pre_activation",
            "post_patch", "post_activation", "load", "post_activation", "pre_unpatch", "pre_removal",
            "unload", "pre_removal", "post_unpatch", "post_removal");

    private PatchHooks() {}

    /** The hooks {@code patched} declares, in section order. */
    static List<Hook> find(ElfObject patched) {
        List<Hook> out = new ArrayList<>();
        for (ElfSection s : patched.sections()) {
            if (!s.name().startsWith(SECTION_PREFIX)) {
                continue;
            }
            String kind = s.name().substring(SECTION_PREFIX.length());
            if (!MOMENTS.containsKey(kind)) {
                throw new GenerateException(s.name() + " in " + patched.origin() + " is no hook kind kpatch-macros.h"
                        + " defines");
            }
            for (ElfRelocation r : patched.relocations(s)) {
                out.add(new Hook(kind, functionAt(patched, r)));
            }
        }
        return out;
    }

    private static String functionAt(ElfObject o, ElfRelocation r) {
        ElfSymbol s = r.symbol();
        if (s.type() != ElfSymbol.STT_SECTION) {
            return s.name();
        }
        return o.symbols().stream().filter(f -> f.type() == ElfSymbol.STT_FUNC && f.sectionIndex() == s.sectionIndex()
                && f.value() == r.addend()).map(ElfSymbol::name).findFirst()
                .orElseThrow(() -> new GenerateException("a hook record in " + o.origin() + " points to no function"));
    }
}
