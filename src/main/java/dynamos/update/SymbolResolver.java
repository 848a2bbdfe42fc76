package dynamos.update;

import dynamos.elf.ElfObject;
import dynamos.elf.ElfSymbol;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binds an update module's references to kernel symbols that are not exported (manual §2.8): each
 * undefined symbol that neither the kernel nor a loaded module exports is looked up in the running
 * kernel's kallsyms and becomes an absolute symbol at that address. Exported symbols are left to the
 * kernel's module loader, which checks their versions.
 */
public final class SymbolResolver {
    /** The {@code __versions} entries modpost writes: 8-byte CRC, 56-byte NUL-padded name. */
    private static final int VERSION_ENTRY = 64;

    private SymbolResolver() {}

    /** A symbol to bind: its name, the kallsyms entry chosen and why. */
    public record Binding(String name, Kallsyms.Entry entry) {}

    /**
     * The bindings for {@code module}'s non-exported undefined symbols.
     *
     * @throws UpdateException listing every symbol that is unknown (with compiler-renamed variants that do
     *     exist) or ambiguous (with the candidates and how to choose), all at once
     */
    public static List<Binding> resolve(ElfObject module, UpdateDeclaration declaration, Kallsyms kallsyms) {
        Set<String> versioned = versionedSymbols(module);
        List<String> problems = new ArrayList<>();
        Map<String, Binding> out = new LinkedHashMap<>();
        for (ElfSymbol s : module.undefinedSymbols()) {
            String name = s.name();
            if (name.isEmpty() || out.containsKey(name) || versioned.contains(name) || kallsyms.exported(name)) {
                continue;
            }
            List<Kallsyms.Entry> candidates = kallsyms.named(name);
            Integer position = declaration == null ? null : declaration.symbolPositions().get(name);
            if (candidates.isEmpty()) {
                List<Kallsyms.Entry> variants = kallsyms.variantsOf(name);
                problems.add("unknown symbol " + name + ": the running kernel has no such symbol in /proc/kallsyms"
                        + (variants.isEmpty()
                                ? " (misspelt, inlined by the compiler, or in a module that is not loaded)"
                                : "; the compiler renamed or split it, and a renamed copy may take other arguments: "
                                        + variants.stream().map(Kallsyms.Entry::name).distinct().toList()
                                        + ". Copy the function into the update instead"));
            } else if (position != null) {
                if (position > candidates.size()) {
                    problems.add("DYNAMOS_SYMBOL(" + name + ", " + position + "): kallsyms lists " + name + " only "
                            + candidates.size() + " time(s):" + list(candidates));
                } else {
                    out.put(name, new Binding(name, candidates.get(position - 1)));
                }
            } else if (candidates.size() > 1) {
                problems.add("ambiguous symbol " + name + ": kallsyms lists it " + candidates.size()
                        + " times (statics of the same name in several files):" + list(candidates)
                        + "\n      choose one in the update's source with DYNAMOS_SYMBOL(" + name + ", POSITION)");
            } else {
                out.put(name, new Binding(name, candidates.getFirst()));
            }
        }
        if (!problems.isEmpty()) {
            throw new UpdateException("cannot resolve the kernel symbols that " + module.origin() + " uses:\n    "
                    + String.join("\n    ", problems));
        }
        return List.copyOf(out.values());
    }

    private static String list(List<Kallsyms.Entry> candidates) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < candidates.size(); i++) {
            b.append("\n        ").append(i + 1).append(": ").append(candidates.get(i));
        }
        return b.toString();
    }

    /**
     * The undefined symbols modpost found exported when the module was built (it records their CRCs in
     * {@code __versions}); the loader resolves these itself.
     */
    static Set<String> versionedSymbols(ElfObject module) {
        Set<String> names = new HashSet<>();
        byte[] versions = module.contents("__versions").orElse(new byte[0]);
        for (int at = 0; at + VERSION_ENTRY <= versions.length; at += VERSION_ENTRY) {
            int end = at + 8;
            while (end < at + VERSION_ENTRY && versions[end] != 0) {
                end++;
            }
            names.add(new String(versions, at + 8, end - at - 8, StandardCharsets.US_ASCII));
        }
        return names;
    }
}
