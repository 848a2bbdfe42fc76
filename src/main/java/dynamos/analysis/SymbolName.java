package dynamos.analysis;

import java.util.ArrayList;
import java.util.List;

/**
 * A kernel symbol's name split into the source function's name and GCC's suffixes:
 * {@code do_thing.constprop.0.isra.0.cold} is {@code do_thing} with {@code constprop.0}, {@code isra.0}
 * and {@code cold}. The {@link #parent()} of a part is the symbol it was split from
 * ({@code do_thing.constprop.0.isra.0} for the cold part above).
 *
 * @param name the whole symbol name
 * @param base the name before the first dot: the function of the source
 * @param suffixes GCC's suffixes in order, numbers kept ({@code isra.0}); empty for an original
 */
public record SymbolName(String name, String base, List<String> suffixes) {
    public SymbolName {
        suffixes = List.copyOf(suffixes);
    }

    /** Splits {@code name}; a leading dot (not a C name) is kept in the base. */
    public static SymbolName parse(String name) {
        int dot = name.indexOf('.', 1);
        if (dot < 0) {
            return new SymbolName(name, name, List.of());
        }
        String base = name.substring(0, dot);
        String[] tokens = name.substring(dot + 1).split("\\.");
        ArrayList<String> suffixes = new ArrayList<>();
        for (String t : tokens) {
            if (!suffixes.isEmpty() && !t.isEmpty() && t.chars().allMatch(Character::isDigit)) {
                suffixes.set(suffixes.size() - 1, suffixes.getLast() + "." + t);
            } else {
                suffixes.add(t);
            }
        }
        return new SymbolName(name, base, suffixes);
    }

    /** What the last suffix makes of the symbol. */
    public PartKind kind() {
        if (suffixes.isEmpty()) {
            return PartKind.ORIGINAL;
        }
        String last = word(suffixes.getLast());
        return switch (last) {
            case "cold" -> PartKind.COLD;
            case "localalias" -> PartKind.ALIAS;
            case "part" -> PartKind.PART;
            case "isra", "constprop" -> suffixes.stream().anyMatch(s -> word(s).equals("part"))
                    ? PartKind.PART : PartKind.CLONE;
            default -> PartKind.OTHER;
        };
    }

    /** The symbol this one was made from by its last suffix ({@code fn.isra.0} for {@code fn.isra.0.cold}). */
    public String parent() {
        if (suffixes.isEmpty()) {
            return name;
        }
        return name.substring(0, name.length() - suffixes.getLast().length() - 1);
    }

    private static String word(String suffix) {
        int dot = suffix.indexOf('.');
        return dot < 0 ? suffix : suffix.substring(0, dot);
    }
}
