package dynamos.analysis;

import dynamos.elf.ElfObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What {@code dynamos build} tells about the new versions themselves: the functions a version leaves
 * by a tail call and the parts GCC split off it ({@code .cold}). Code of a version runs there with no
 * frame of the version on the stack; that is safe because the framework's removal check covers it
 * (kernel/removal.c: a version's parts, and its module's whole text when the module's last version
 * goes), and the note says so, so that the author knows where the version's code runs.
 */
public final class VersionAdvice {
    private VersionAdvice() {}

    /** Notes on {@code versions} (function names) of the update module {@code ko} named {@code module}. */
    public static List<String> notes(String module, ElfObject ko, List<String> versions) {
        try {
            return notes(ModuleFacts.of(module, ko, Set.of()), versions);
        } catch (RuntimeException e) {
            return List.of("the analysis of " + module + " was skipped: " + e.getMessage()); // advice only
        }
    }

    /** The notes from the facts of the update module. */
    static List<String> notes(KernelFacts facts, List<String> versions) {
        List<Classification> all = Classifier.classifyModule(facts);
        List<String> out = new ArrayList<>();
        for (String version : new TreeSet<>(versions)) {
            for (Classification c : all) {
                if (!c.symbol().fullName().equals(version)) {
                    continue;
                }
                Set<String> tail = new TreeSet<>(facts.callGraph().tailCallsOf(c.key()));
                List<String> where = new ArrayList<>();
                if (!tail.isEmpty()) {
                    where.add("tail-calls " + String.join(", ", tail));
                }
                if (!c.parts().isEmpty()) {
                    where.add("has part" + (c.parts().size() > 1 ? "s " : " ") + String.join(", ", c.parts()));
                }
                if (!where.isEmpty()) {
                    out.add("version " + version + " " + String.join(" and ", where) + ": its code runs there with"
                            + " no frame of " + version + " on the stack; removal waits for tasks there too (the"
                            + " framework checks a version's parts, and its module's whole text when the module's"
                            + " last version goes)");
                }
            }
        }
        return out;
    }
}
