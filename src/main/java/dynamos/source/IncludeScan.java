package dynamos.source;

import dynamos.host.Exec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which files of a kernel tree include a header, directly or through other headers, found by reading their
 * {@code #include} lines (gcc's search order: a quoted name first beside the including file, then the kernel's
 * include directories for x86). Unlike kbuild's dependency lists it needs no build of the tree; it may list a unit
 * this configuration does not build, which compiling the unit then tells.
 */
public final class IncludeScan {
    /** The directories {@code <name>} is looked up in, as kbuild's -I options give them for x86. */
    private static final List<String> INCLUDE_DIRS = List.of("arch/x86/include", "arch/x86/include/generated",
            "include", "arch/x86/include/uapi", "arch/x86/include/generated/uapi", "include/uapi",
            "include/generated/uapi");
    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s*([<\"])([^\">]+)[\">]");
    /** Not kernel code, or another architecture's. */
    private static final List<String> SKIPPED = List.of("tools", "scripts", "Documentation", "samples", "usr");

    /**
     * What includes a header.
     *
     * @param units the C files, sorted
     * @param assembly the assembly files, sorted
     * @param headers the headers through which it is included (the header itself first)
     * @param overLimit whether the search stopped at its limit (then the lists are incomplete)
     */
    public record Includers(List<String> units, List<String> assembly, List<String> headers, boolean overLimit) {}

    private IncludeScan() {}

    /** The files of {@code tree} that include {@code header} (a path in the tree); stops past {@code limit} units. */
    public static Includers of(Path tree, String header, int limit) {
        Set<String> headers = new LinkedHashSet<>(List.of(header));
        TreeSet<String> units = new TreeSet<>();
        TreeSet<String> assembly = new TreeSet<>();
        List<String> level = List.of(header);
        while (!level.isEmpty()) {
            List<String> next = new ArrayList<>();
            for (String file : candidates(tree, level)) {
                for (String included : includedBy(tree, file)) {
                    if (!level.contains(included)) {
                        continue;
                    }
                    if (file.endsWith(".c")) {
                        units.add(file);
                    } else if (file.endsWith(".S")) {
                        assembly.add(file);
                    } else if (headers.add(file)) {
                        next.add(file);
                    }
                }
                if (units.size() > limit || headers.size() > 8 * limit) {
                    return new Includers(List.copyOf(units), List.copyOf(assembly), List.copyOf(headers), true);
                }
            }
            level = next;
        }
        return new Includers(List.copyOf(units), List.copyOf(assembly), List.copyOf(headers), false);
    }

    /** Files whose include lines name a file called as one of {@code headers} (grep: fast, over-inclusive). */
    private static List<String> candidates(Path tree, List<String> headers) {
        StringBuilder names = new StringBuilder();
        for (String h : headers) {
            String base = h.substring(h.lastIndexOf('/') + 1);
            names.append(names.isEmpty() ? "" : "|").append(base.replaceAll("([.+\\[\\]()^$|?*{}\\\\])", "\\\\$1"));
        }
        List<String> command = new ArrayList<>(List.of("grep", "-rlE", "--include=*.c", "--include=*.h",
                "--include=*.S"));
        SKIPPED.forEach(d -> command.add("--exclude-dir=" + d));
        command.add("^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"]([^\">]*/)?(" + names + ")[\">]");
        command.add(".");
        Exec.Result r = Exec.capture(command, tree, Map.of());
        if (r.exitCode() > 1) {
            throw new SourceException("cannot search " + tree + " for includes: " + Exec.tail(r.output(), 5));
        }
        List<String> out = new ArrayList<>();
        for (String line : r.output().split("\n")) {
            String file = line.startsWith("./") ? line.substring(2) : line;
            if (!file.isBlank() && (!file.startsWith("arch/") || file.startsWith("arch/x86/"))) {
                out.add(file);
            }
        }
        return out;
    }

    /** The tree paths {@code file}'s include lines resolve to (those that exist). */
    static List<String> includedBy(Path tree, String file) {
        List<String> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(tree.resolve(file), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new SourceException("cannot read " + tree.resolve(file) + ": " + e.getMessage(), e);
        }
        Path dir = Path.of(file).getParent();
        for (String line : lines) {
            Matcher m = INCLUDE.matcher(line);
            if (!m.find()) {
                continue;
            }
            String name = m.group(2).strip();
            List<String> tries = new ArrayList<>();
            if (m.group(1).equals("\"")) {
                tries.add((dir == null ? Path.of(name) : dir.resolve(name)).normalize().toString());
            }
            INCLUDE_DIRS.forEach(d -> tries.add(Path.of(d).resolve(name).normalize().toString()));
            tries.stream().filter(t -> Files.isRegularFile(tree.resolve(t))).findFirst().ifPresent(out::add);
        }
        return out;
    }
}
