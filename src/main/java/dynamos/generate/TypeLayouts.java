package dynamos.generate;

import dynamos.btf.Btf;
import dynamos.btf.BtfType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a patch changes the layout of a structure or union the unit already had. Objects of such a type exist in
 * the running kernel (on the heap, on stacks, in other structures), laid out the old way; code compiled with the new
 * layout would misread every one of them, and no redirection can convert them. The layouts come from the unit's
 * debugging information before and after the patch (BTF encoded by pahole).
 */
final class TypeLayouts {
    private TypeLayouts() {}

    /** One refusal per named structure or union of {@code before} whose layout {@code after} changes. */
    static List<PatchPlan.Problem> changes(String unit, Btf before, Btf after) {
        Map<String, BtfType> old = aggregates(before);
        Map<String, BtfType> now = aggregates(after);
        List<PatchPlan.Problem> out = new ArrayList<>();
        for (Map.Entry<String, BtfType> e : old.entrySet()) {
            BtfType then = e.getValue();
            BtfType later = now.get(e.getKey());
            if (later == null) {
                continue; // no longer used by the unit: its objects elsewhere are not this unit's concern
            }
            String why = difference(before, then, after, later);
            if (why != null) {
                out.add(new PatchPlan.Problem(unit, e.getKey(), "type-layout-changed", e.getKey() + " " + why
                        + ": objects of the old layout exist in the running kernel and code of the new one would "
                        + "misread them; keep the layout and put new fields in shadow data (klp_shadow_*)"));
            }
        }
        return out;
    }

    /** Named structures and unions by "struct NAME" / "union NAME"; a name defined twice keeps its first. */
    private static Map<String, BtfType> aggregates(Btf btf) {
        Map<String, BtfType> out = new LinkedHashMap<>();
        for (BtfType t : btf.types()) {
            if (t instanceof BtfType.Struct s && !s.name().isEmpty()) {
                out.putIfAbsent("struct " + s.name(), t);
            } else if (t instanceof BtfType.Union u && !u.name().isEmpty()) {
                out.putIfAbsent("union " + u.name(), t);
            }
        }
        return out;
    }

    private static String difference(Btf a, BtfType x, Btf b, BtfType y) {
        long sizeX = size(x);
        long sizeY = size(y);
        List<BtfType.Member> mx = members(x);
        List<BtfType.Member> my = members(y);
        for (int i = 0; i < Math.max(mx.size(), my.size()); i++) {
            if (i >= mx.size()) {
                return "gains member " + my.get(i).name() + " (size " + sizeX + " -> " + sizeY + " bytes)";
            }
            if (i >= my.size()) {
                return "loses member " + mx.get(i).name() + " (size " + sizeX + " -> " + sizeY + " bytes)";
            }
            BtfType.Member p = mx.get(i);
            BtfType.Member q = my.get(i);
            if (!p.name().equals(q.name()) || p.bitOffset() != q.bitOffset() || p.bitfieldSize() != q.bitfieldSize()
                    || !Objects.equals(a.render(p.type()), b.render(q.type()))) {
                return "changes member " + (p.name().isEmpty() ? "#" + i : p.name()) + ": " + describe(a, p) + " -> "
                        + describe(b, q);
            }
        }
        return sizeX != sizeY ? "changes size " + sizeX + " -> " + sizeY + " bytes" : null;
    }

    private static String describe(Btf btf, BtfType.Member m) {
        return btf.declaration(m.type(), m.name()) + " at bit " + m.bitOffset()
                + (m.bitfieldSize() > 0 ? " (" + m.bitfieldSize() + " bits)" : "");
    }

    private static long size(BtfType t) {
        return t instanceof BtfType.Struct s ? s.size() : ((BtfType.Union) t).size();
    }

    private static List<BtfType.Member> members(BtfType t) {
        return t instanceof BtfType.Struct s ? s.members() : ((BtfType.Union) t).members();
    }
}
