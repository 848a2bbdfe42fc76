package dynamos.update;

import dynamos.elf.ElfObject;
import dynamos.elf.ModuleInfo;
import dynamos.framework.HookKind;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What an update module says it does, as recorded by the {@code DYNAMOS_*} declaration macros of
 * {@code dynamos.h} in its ELF section {@code .dynamos.update}: NUL-terminated {@code key=value} strings
 * whose values are space-separated words (symbol names and numbers never contain spaces).
 * {@code replaces} names the applied updates a cumulative update takes the place of
 * ({@code DYNAMOS_REPLACES("name")}, fact {@code replaces=name}); {@code replacesAll}: every applied update
 * ({@code DYNAMOS_REPLACES_ALL()}, fact {@code replaces=*}).
 */
public record UpdateDeclaration(
        String name,
        List<Replacement> replacements,
        Map<Long, Integer> activate,
        Map<Long, String> handlers,
        List<Hook> hooks,
        List<String> inits,
        Map<String, Integer> symbolPositions,
        List<Use> uses,
        List<String> replaces,
        boolean replacesAll) {

    public static final String SECTION = ".dynamos.update";
    private static final String NAME_PATTERN = "[A-Za-z0-9_.-]{1," + dynamos.device.Limits.MAX_NAME_CHARS + "}";

    /** {@code function} in the module becomes version {@code version} (>= 2) of {@code <name, id>}, which replaces {@code original}. */
    public record Replacement(long id, int version, String original, String function) {}

    public record Hook(HookKind kind, long id, int version, String function) {}

    /**
     * The module uses symbols exported by update {@code update}, whose module is {@code module}: written
     * by {@code dynamos build --uses} (fact {@code uses=UPDATE MODULE}), so that apply can say which
     * update to apply first.
     */
    public record Use(String update, String module) {}

    /** What {@code DYNAMOS_REPLACES_ALL()} records: the update replaces every applied update. */
    public static final String ALL = "*";

    /** A declaration that uses no other update's exports and replaces no other update. */
    public UpdateDeclaration(String name, List<Replacement> replacements, Map<Long, Integer> activate,
            Map<Long, String> handlers, List<Hook> hooks, List<String> inits, Map<String, Integer> symbolPositions) {
        this(name, replacements, activate, handlers, hooks, inits, symbolPositions, List.of(), List.of(), false);
    }

    /** A declaration that replaces no other update. */
    public UpdateDeclaration(String name, List<Replacement> replacements, Map<Long, Integer> activate,
            Map<Long, String> handlers, List<Hook> hooks, List<String> inits, Map<String, Integer> symbolPositions,
            List<Use> uses) {
        this(name, replacements, activate, handlers, hooks, inits, symbolPositions, uses, List.of(), false);
    }

    /** A declaration that uses no other update's exports. */
    public UpdateDeclaration(String name, List<Replacement> replacements, Map<Long, Integer> activate,
            Map<Long, String> handlers, List<Hook> hooks, List<String> inits, Map<String, Integer> symbolPositions,
            List<String> replaces, boolean replacesAll) {
        this(name, replacements, activate, handlers, hooks, inits, symbolPositions, List.of(), replaces, replacesAll);
    }

    public UpdateDeclaration {
        replaces = List.copyOf(replaces);
        replacements = List.copyOf(replacements);
        activate = Map.copyOf(activate);
        handlers = Map.copyOf(handlers);
        hooks = List.copyOf(hooks);
        inits = List.copyOf(inits);
        symbolPositions = Map.copyOf(symbolPositions);
        uses = List.copyOf(uses);
    }

    /** Reads the declaration of a built update module. */
    public static UpdateDeclaration of(ElfObject module) {
        byte[] section = module.contents(SECTION).orElseThrow(() -> new UpdateException(module.origin()
                + " declares no update: it has no " + SECTION + " section. Declare what it replaces in its source with"
                + " the macros of <dynamos.h>, e.g. DYNAMOS_UPDATE(\"my_fix\"); DYNAMOS_REPLACE(1, kernel_fn, kernel_fn_v2);"));
        return parse(section, module.origin());
    }

    /** Parses the section's contents; {@code origin} names the module in errors. */
    public static UpdateDeclaration parse(byte[] section, String origin) {
        List<String> problems = new ArrayList<>();
        String name = null;
        List<Replacement> replacements = new ArrayList<>();
        Map<Long, Integer> activate = new TreeMap<>();
        Map<Long, String> handlers = new TreeMap<>();
        List<Hook> hooks = new ArrayList<>();
        List<String> inits = new ArrayList<>();
        Map<String, Integer> positions = new TreeMap<>();
        List<String> replaces = new ArrayList<>();
        boolean replacesAll = false;
        // Every compilation unit of the module carries the --uses facts: the same fact repeats.
        java.util.Set<Use> uses = new java.util.LinkedHashSet<>();
        // .modinfo and .dynamos.update share the format: NUL-separated key=value strings.
        for (ModuleInfo.Entry fact : ModuleInfo.parse(section).entries()) {
            String[] w = fact.value().trim().split("\\s+");
            String where = "'" + fact.key() + "=" + fact.value() + "'";
            try {
                switch (fact.key()) {
                    case "update" -> {
                        if (name != null && !name.equals(fact.value())) {
                            problems.add("two update names: '" + name + "' and '" + fact.value() + "'");
                        }
                        name = fact.value();
                    }
                    case "replace" -> {
                        words(w, 4, where);
                        replacements.add(new Replacement(id(w[0]), version(w[1]), unquote(w[2]), w[3]));
                    }
                    case "activate" -> {
                        words(w, 2, where);
                        if (activate.put(id(w[0]), version(w[1])) != null) {
                            problems.add("id " + w[0] + " has two DYNAMOS_ACTIVATE declarations");
                        }
                    }
                    case "handler" -> {
                        words(w, 2, where);
                        if (handlers.put(id(w[0]), w[1]) != null) {
                            problems.add("id " + w[0] + " has two adaptation handlers (at most one per <name, id>)");
                        }
                    }
                    case "hook" -> {
                        words(w, 4, where);
                        hooks.add(new Hook(HookKind.parse(w[0]), id(w[1]), version(w[2]), w[3]));
                    }
                    case "replaces" -> {
                        words(w, 1, where);
                        if (w[0].equals(ALL)) {
                            replacesAll = true;
                        } else if (!w[0].matches(NAME_PATTERN)) {
                            problems.add("DYNAMOS_REPLACES(\"" + w[0] + "\"): not an update name (1 to "
                                    + dynamos.device.Limits.MAX_NAME_CHARS + " letters, digits, '_', '.' or '-')");
                        } else if (!replaces.contains(w[0])) { // a header included twice repeats it
                            replaces.add(w[0]);
                        }
                    }
                    case "init" -> {
                        words(w, 1, where);
                        inits.add(w[0]);
                    }
                    case "symbol" -> {
                        words(w, 2, where);
                        int position = Integer.parseInt(w[1]);
                        if (position < 1) {
                            throw new IllegalArgumentException("position " + position + " (counted from 1)");
                        }
                        positions.put(w[0], position);
                    }
                    case "uses" -> {
                        words(w, 2, where);
                        uses.add(new Use(w[0], w[1]));
                    }
                    default -> problems.add("unknown declaration " + where + " (from a newer dynamos.h?)");
                }
            } catch (IllegalArgumentException e) {
                problems.add("bad declaration " + where + ": " + e.getMessage());
            }
        }
        if (name == null) {
            problems.add("no DYNAMOS_UPDATE(\"name\") declaration");
        } else if (!name.matches(NAME_PATTERN)) {
            problems.add("update name '" + name + "' must be 1 to " + dynamos.device.Limits.MAX_NAME_CHARS + " letters, digits, '_', '.' or '-'");
        }
        if (replacements.isEmpty()) {
            problems.add("no DYNAMOS_REPLACE declaration: the update replaces nothing");
        }
        if (name != null && replaces.contains(name)) {
            problems.add("DYNAMOS_REPLACES(\"" + name + "\") names the update itself; an update cannot replace an "
                    + "applied update of its own name (revert that one first, or give the new one another name)");
        }
        if (replacesAll && !replaces.isEmpty()) {
            problems.add("DYNAMOS_REPLACES_ALL() already replaces every applied update; drop DYNAMOS_REPLACES(\""
                    + String.join("\"), DYNAMOS_REPLACES(\"", replaces) + "\")");
        }
        replacements.sort(Comparator.comparingLong(Replacement::id).thenComparingInt(Replacement::version));
        checkConsistency(replacements, activate, handlers, hooks, problems);
        if (!problems.isEmpty()) {
            throw new UpdateException("the update declaration of " + origin + " is invalid:\n    "
                    + String.join("\n    ", problems));
        }
        return new UpdateDeclaration(name, replacements, activate, handlers, hooks, inits, positions,
                List.copyOf(uses), replaces, replacesAll);
    }

    private static void checkConsistency(List<Replacement> replacements, Map<Long, Integer> activate,
            Map<Long, String> handlers, List<Hook> hooks, List<String> problems) {
        Map<Long, List<Replacement>> byId = new LinkedHashMap<>();
        replacements.forEach(r -> byId.computeIfAbsent(r.id(), k -> new ArrayList<>()).add(r));
        byId.forEach((id, versions) -> {
            String original = versions.getFirst().original();
            int expected = 2;
            for (Replacement r : versions) {
                if (!r.original().equals(original)) {
                    problems.add("id " + id + " replaces two functions, " + original + " and " + r.original()
                            + ": give each replaced function its own id");
                }
                if (r.version() != expected) {
                    problems.add("id " + id + ": version " + r.version() + " (" + r.function() + ") "
                            + (r.version() < expected ? "is declared twice" : "leaves a gap; versions count up from 2 without gaps"));
                }
                expected = r.version() + 1;
            }
        });
        activate.forEach((id, v) -> {
            if (!byId.containsKey(id)) {
                problems.add("DYNAMOS_ACTIVATE(" + id + ", " + v + "): id " + id + " replaces nothing");
            } else if (v < 1 || v > byId.get(id).size() + 1) {
                problems.add("DYNAMOS_ACTIVATE(" + id + ", " + v + "): id " + id + " has versions 1 to " + (byId.get(id).size() + 1));
            }
        });
        handlers.keySet().stream().filter(id -> !byId.containsKey(id))
                .forEach(id -> problems.add("DYNAMOS_HANDLER for id " + id + ", which replaces nothing"));
        for (Hook h : hooks) {
            List<Replacement> versions = byId.get(h.id());
            if (versions == null || h.version() > versions.size() + 1) {
                problems.add("DYNAMOS_HOOK(" + h.kind().tableName() + ", " + h.id() + ", " + h.version() + ", "
                        + h.function() + "): no such version");
            }
        }
    }

    private static void words(String[] w, int n, String where) {
        if (w.length != n || w[0].isEmpty()) {
            throw new IllegalArgumentException("expected " + n + " word(s)");
        }
    }

    private static long id(String s) {
        long id = Long.decode(s);
        if (id < 0 || id > 0xffffffffL) {
            throw new IllegalArgumentException("id " + s + " is out of range (0 to 4294967295)");
        }
        return id;
    }

    private static int version(String s) {
        int v = Integer.parseInt(s);
        if (v < 1 || v > dynamos.device.Limits.MAX_VERSIONS) {
            throw new IllegalArgumentException("version " + s + " is out of range (1 to " + dynamos.device.Limits.MAX_VERSIONS + ")");
        }
        return v;
    }

    /** {@code DYNAMOS_REPLACE(1, "mod:fn", ...)} stringifies the quotes too. */
    private static String unquote(String s) {
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

    /** Whether applying this update replaces others (DYNAMOS_REPLACES or DYNAMOS_REPLACES_ALL). */
    public boolean cumulative() {
        return replacesAll || !replaces.isEmpty();
    }

    /** The ids in ascending order. */
    public List<Long> ids() {
        return List.copyOf(new TreeSet<>(replacements.stream().map(Replacement::id).toList()));
    }

    /** The kernel function that {@code id} replaces. */
    public String original(long id) {
        return versions(id).getFirst().original();
    }

    /** The new versions of {@code id} (2, 3, ...), in order. */
    public List<Replacement> versions(long id) {
        return replacements.stream().filter(r -> r.id() == id).toList();
    }

    /** The version that apply activates for {@code id}: DYNAMOS_ACTIVATE's, else 2. */
    public int activeVersion(long id) {
        return activate.getOrDefault(id, 2);
    }

    public Optional<String> handler(long id) {
        return Optional.ofNullable(handlers.get(id));
    }

    /** Every function of the module that the declaration names: versions, handlers, hooks, inits. */
    public List<String> moduleFunctions() {
        List<String> out = new ArrayList<>();
        replacements.forEach(r -> out.add(r.function()));
        out.addAll(handlers.values());
        hooks.forEach(h -> out.add(h.function()));
        out.addAll(inits);
        return out.stream().distinct().toList();
    }
}
