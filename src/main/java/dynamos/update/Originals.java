package dynamos.update;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which kernel function each replaced original of an update is. Static functions of one name in several
 * files of the core kernel ("namesakes") cannot be told apart by name: the update's source picks one with
 * {@code DYNAMOS_SYMBOL(name, N)}, the same declaration that binds the symbols the update uses, counted
 * from 1 over the name's {@code /proc/kallsyms} entries (core kernel first, in address order). Apply
 * registers the original with that position (the kernel checks the address it stands for).
 */
final class Originals {
    private Originals() {}

    /**
     * The position of each id's original that needs or has one (absent: found by name).
     *
     * @param where describes a kallsyms entry for the user (e.g. its neighbouring global functions), used
     *     only for error messages
     * @throws UpdateException naming every ambiguous original without a position (with the candidates and
     *     the {@code DYNAMOS_SYMBOL} line to add) and every position out of range, all at once
     */
    static Map<Long, Integer> positions(UpdateDeclaration d, Kallsyms kallsyms, Function<Kallsyms.Entry, String> where) {
        Map<Long, Integer> out = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (long id : d.ids()) {
            String original = d.original(id);
            if (original.contains(":") && !original.startsWith("vmlinux:")) {
                continue; // module functions are named module:symbol
            }
            String name = original.startsWith("vmlinux:") ? original.substring("vmlinux:".length()) : original;
            List<Kallsyms.Entry> core = kallsyms.named(name).stream().filter(e -> e.module() == null).toList();
            Integer position = d.symbolPositions().get(name);
            if (position == null) {
                if (core.size() > 1) { // the kernel counts every entry of the name, data too
                    problems.add("the replaced function " + name + " is ambiguous: the kernel has " + core.size()
                            + " entries of that name (statics in several files):" + list(core, where)
                            + "\n      add DYNAMOS_SYMBOL(" + name + ", N) to the update's source for the one to"
                            + " replace (it also binds the update's own uses of " + name + ")");
                }
            } else if (position > core.size()) {
                problems.add("DYNAMOS_SYMBOL(" + name + ", " + position + "): the core kernel has only " + core.size()
                        + " entr" + (core.size() == 1 ? "y" : "ies") + " named " + name
                        + (core.isEmpty() ? "" : ":" + list(core, where)));
            } else if (!core.get(position - 1).isText()) {
                problems.add("DYNAMOS_SYMBOL(" + name + ", " + position + ") picks " + core.get(position - 1)
                        + ", which is not a function; the functions of that name are at positions "
                        + textPositions(core));
            } else {
                out.put(id, position);
            }
        }
        if (!problems.isEmpty()) {
            throw new UpdateException("cannot tell which kernel function the update replaces:\n    "
                    + String.join("\n    ", problems) + "\n    (dynamos analyze NAME explains each; nothing was changed)");
        }
        return out;
    }

    private static String list(List<Kallsyms.Entry> entries, Function<Kallsyms.Entry, String> where) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < entries.size(); i++) {
            Kallsyms.Entry e = entries.get(i);
            String w = e.isText() ? where.apply(e) : "not a function";
            b.append("\n        ").append(i + 1).append(": ").append(e).append(w == null || w.isEmpty() ? "" : "  (" + w + ")");
        }
        return b.toString();
    }

    private static String textPositions(List<Kallsyms.Entry> entries) {
        List<String> p = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).isText()) {
                p.add(String.valueOf(i + 1));
            }
        }
        return String.join(", ", p);
    }

    /** {@link #neighbours} in the running kernel's full kallsyms, read at the first use (only for errors). */
    static Function<Kallsyms.Entry, String> runningKernelNeighbours() {
        return new Function<>() {
            private Function<Kallsyms.Entry, String> found;

            @Override
            public String apply(Kallsyms.Entry e) {
                if (found == null) {
                    try {
                        found = neighbours(Kallsyms.parse(java.nio.file.Files.readAllLines(Kallsyms.PROC)));
                    } catch (java.io.IOException x) {
                        found = entry -> "";
                    }
                }
                return found.apply(e);
            }
        };
    }

    /**
     * Describes an entry by the nearest global functions before and after it in {@code all} (a full
     * kallsyms): the link order follows the source files, so they hint at its file.
     */
    static Function<Kallsyms.Entry, String> neighbours(Kallsyms all) {
        List<Kallsyms.Entry> globals = all.entries().stream()
                .filter(e -> e.module() == null && e.type() == 'T' && !e.name().startsWith("__"))
                .sorted((a, b) -> Long.compareUnsigned(a.address(), b.address())).toList();
        return e -> {
            Kallsyms.Entry before = null;
            Kallsyms.Entry after = null;
            for (Kallsyms.Entry g : globals) {
                if (Long.compareUnsigned(g.address(), e.address()) < 0) {
                    before = g;
                } else if (Long.compareUnsigned(g.address(), e.address()) > 0) {
                    after = g;
                    break;
                }
            }
            return "after " + (before == null ? "the start of the text" : before.name()) + " and before "
                    + (after == null ? "the end of the text" : after.name());
        };
    }
}
