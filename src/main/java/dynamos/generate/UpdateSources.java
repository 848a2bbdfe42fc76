package dynamos.generate;

import dynamos.device.Limits;
import dynamos.elf.ElfObject;
import dynamos.source.UnitCompiler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Writes the source directory of an update made from a {@link PatchPlan}: per unit, the patched code the update
 * carries as a ready object ({@code carried_N.o_shipped}, which kbuild copies into place), and one C file that
 * declares the update ({@code DYNAMOS_UPDATE}, a version per replaced function, the kallsyms position of every
 * name the kernel has several of). {@code dynamos build} then links the module and checks it as any other update.
 */
public final class UpdateSources {
    /** The C file of the declaration. */
    static final String DECLARATION = "dynamos_generated.c";
    private static final Pattern UPDATE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,"
            + Limits.MAX_NAME_CHARS + "}");
    private static final String VERSION_SUFFIX = "__patched";

    private UpdateSources() {}

    /** @throws IllegalArgumentException when {@code name} cannot name an update */
    public static void checkName(String name) {
        if (!UPDATE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not an update name: 1 to "
                    + Limits.MAX_NAME_CHARS + " letters, digits, '_', '.' or '-'");
        }
    }

    /** The module's name for the update {@code name}: what kbuild and the kernel accept. */
    public static String moduleName(String name) {
        return "dynamos_patch_" + name.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /** The name of the version that replaces the kernel's {@code symbol} (a C identifier: GCC's dots go). */
    static String versionName(String symbol) {
        return symbol.replaceAll("[^A-Za-z0-9_]", "_") + VERSION_SUFFIX;
    }

    /** A version the sources declare: it is {@code symbol} of {@code unit} compiled after the patch. */
    public record Version(String unit, String symbol) {}

    /**
     * Writes the sources of update {@code name} into {@code into} (created); the compiled objects are under
     * {@code workDir} as {@link PatchPlanner#plan} left them. Returns the versions declared, by their names.
     *
     * @throws GenerateException when the plan is not feasible or the code cannot be carried as planned
     */
    public static Map<String, Version> write(PatchPlan plan, Path workDir, String name, Path into) {
        checkName(name);
        if (!plan.feasible()) {
            throw new GenerateException("no update can be made from " + plan.patch() + ": "
                    + (plan.refusals().isEmpty() ? "it changes no code the kernel runs"
                            : plan.refusals().size() + " refusal(s); dynamos generate --plan lists them"));
        }
        Map<String, Integer> positions = new LinkedHashMap<>();
        List<String> replaces = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        List<String> objects = new ArrayList<>();
        Map<String, byte[]> carried = new LinkedHashMap<>();
        Map<String, Version> declared = new LinkedHashMap<>();
        List<PatchHooks.Hook> hooks = new ArrayList<>();
        for (PatchPlan.Unit u : plan.units()) {
            if (u.carried().isEmpty()) {
                continue;
            }
            Map<String, String> renamed = new LinkedHashMap<>();
            for (PatchPlan.Replacement r : u.replaced()) {
                if (!u.carried().contains(r.symbol())) {
                    throw new GenerateException(u.unit() + ": after the patch GCC compiles " + r.function()
                            + " into other pieces (" + r.symbol() + " is gone, e.g. its arguments were optimised"
                            + " differently); the kernel's callers still call " + r.symbol()
                            + " the old way, so it cannot be replaced by redirection");
                }
                renamed.put(r.symbol(), versionName(r.symbol()));
                position(positions, r.symbol(), r.position(), u.unit());
                versions.add(versionName(r.symbol()));
                declared.put(versionName(r.symbol()), new Version(u.unit(), r.symbol()));
                replaces.add("replace=" + (replaces.size() + 1) + " 2 " + r.symbol() + " " + versionName(r.symbol()));
            }
            Map<String, String> bound = new LinkedHashMap<>();
            for (PatchPlan.Binding b : u.bindings()) {
                bound.put(b.referencedAs(), b.symbol());
                position(positions, b.symbol(), b.position(), u.unit());
            }
            ElfObject after = ElfObject.read(UnitCompiler.afterObject(workDir, u.unit()));
            for (PatchHooks.Hook h : PatchHooks.find(after)) {
                String global = h.function().replaceAll("[^A-Za-z0-9_]", "_") + "__hook";
                renamed.put(h.function(), global);
                hooks.add(new PatchHooks.Hook(h.kind(), global));
            }
            byte[] object = CarriedCode.extract(after,
                    new CarriedCode.Selection(new HashSet<>(u.carried()), renamed, bound, added(u)));
            String file = "carried_" + objects.size() + ".o";
            objects.add(file);
            carried.put(file, object);
        }
        String module = moduleName(name);
        StringBuilder c = new StringBuilder();
        c.append("// SPDX-License-Identifier: GPL-2.0\n")
                .append("/*\n * Generated by dynamos generate from ").append(comment(plan.patch())).append(" for ")
                .append(plan.kernel()).append(".\n * The code is in ").append(String.join(", ", objects))
                .append(" (the patched functions, as compiled); this file declares the update.\n */\n")
                .append("#include <linux/module.h>\n#include <dynamos.h>\n\n")
                .append("DYNAMOS_UPDATE(\"").append(name).append("\");\n\n");
        for (int i = 0; i < versions.size(); i++) {
            c.append("extern char ").append(versions.get(i)).append("[];\n")
                    .append("__DYNAMOS_KEEP(").append(versions.get(i)).append(");\n")
                    .append("__DYNAMOS_DECLARE(\"").append(replaces.get(i)).append("\");\n");
        }
        c.append('\n');
        hooks(c, hooks);
        positions.forEach((symbol, position) -> c.append("__DYNAMOS_DECLARE(\"symbol=").append(symbol).append(' ')
                .append(position).append("\");\n"));
        c.append("\nMODULE_LICENSE(\"GPL\");\nMODULE_DESCRIPTION(\"DynAMOS update ").append(name)
                .append(" generated from a source patch\");\n");
        StringBuilder kbuild = new StringBuilder("# Generated by dynamos generate.\n")
                .append("obj-m := ").append(module).append(".o\n")
                .append(module).append("-y := ").append(DECLARATION.replace(".c", ".o")).append(' ')
                .append(String.join(" ", objects)).append("\n\n")
                .append("# The patched code, compiled with the kernel's flags: copied into place with a command file,\n")
                .append("# which modpost reads for every object of the module.\n");
        for (String o : objects) {
            kbuild.append("targets += ").append(o).append("\n$(obj)/").append(o).append(": $(src)/").append(o)
                    .append("_shipped FORCE\n\t$(call if_changed,copy)\n");
        }
        try {
            Files.createDirectories(into);
            Files.writeString(into.resolve("Kbuild"), kbuild.toString());
            Files.writeString(into.resolve(DECLARATION), c.toString());
            for (Map.Entry<String, byte[]> e : carried.entrySet()) {
                Files.write(into.resolve(e.getKey() + "_shipped"), e.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the update's sources to " + into + ": " + e.getMessage(), e);
        }
        return declared;
    }

    /** What the unit adds: every piece of its new functions, and its new data. */
    private static Set<String> added(PatchPlan.Unit u) {
        Set<String> out = new HashSet<>(u.newData());
        for (String f : u.added()) {
            u.carried().stream().filter(c -> c.equals(f) || c.startsWith(f + ".")).forEach(out::add);
        }
        return out;
    }

    /**
     * One hook a moment, of the update's first version, calling the patch's hook functions of that moment in order
     * (kpatch's signatures: the object argument is NULL; a pre-patch result refuses).
     */
    private static void hooks(StringBuilder c, List<PatchHooks.Hook> hooks) {
        Set<String> declared = new HashSet<>();
        Map<String, List<PatchHooks.Hook>> byMoment = new LinkedHashMap<>();
        for (PatchHooks.Hook h : hooks) {
            byMoment.computeIfAbsent(h.moment(), k -> new ArrayList<>()).add(h);
            if (declared.add(h.function())) {
                c.append("extern ").append(h.returnsResult() ? "int " : "void ").append(h.function())
                        .append(h.takesObject() ? "(void *object);\n" : "(void);\n");
            }
        }
        for (Map.Entry<String, List<PatchHooks.Hook>> e : byMoment.entrySet()) {
            String wrapper = "dynamos_patch_" + e.getKey();
            c.append("\nstatic int ").append(wrapper).append("(void)\n{\n");
            for (PatchHooks.Hook h : e.getValue()) {
                String call = h.function() + (h.takesObject() ? "(NULL)" : "()");
                c.append(h.returnsResult() ? "\t{\n\t\tint ret = " + call + ";\n\n\t\tif (ret)\n\t\t\treturn ret;\n\t}\n"
                        : "\t" + call + ";\n");
            }
            c.append("\treturn 0;\n}\nDYNAMOS_HOOK(").append(e.getKey()).append(", 1, 2, ").append(wrapper)
                    .append(");\n");
        }
        if (!hooks.isEmpty()) {
            c.append('\n');
        }
    }

    /** Records which kallsyms entry {@code symbol} means; one name cannot mean two entries in one update. */
    private static void position(Map<String, Integer> positions, String symbol, int position, String unit) {
        Integer before = positions.putIfAbsent(symbol, position);
        if (before != null && before != position) {
            throw new GenerateException(unit + ": the update needs two of the kernel's symbols called " + symbol
                    + " (positions " + before + " and " + position + "), and a declaration names one");
        }
    }

    private static String comment(String text) {
        return text.replace("*/", "* /");
    }
}
