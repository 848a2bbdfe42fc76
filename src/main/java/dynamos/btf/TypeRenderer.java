package dynamos.btf;

import dynamos.btf.BtfType.Array;
import dynamos.btf.BtfType.Const;
import dynamos.btf.BtfType.Datasec;
import dynamos.btf.BtfType.DeclTag;
import dynamos.btf.BtfType.Enum;
import dynamos.btf.BtfType.Enum64;
import dynamos.btf.BtfType.Float;
import dynamos.btf.BtfType.Func;
import dynamos.btf.BtfType.FuncProto;
import dynamos.btf.BtfType.Fwd;
import dynamos.btf.BtfType.Int;
import dynamos.btf.BtfType.Param;
import dynamos.btf.BtfType.Ptr;
import dynamos.btf.BtfType.Restrict;
import dynamos.btf.BtfType.Struct;
import dynamos.btf.BtfType.TypeTag;
import dynamos.btf.BtfType.Typedef;
import dynamos.btf.BtfType.Union;
import dynamos.btf.BtfType.Var;
import dynamos.btf.BtfType.VoidType;
import dynamos.btf.BtfType.Volatile;
import java.util.ArrayList;
import java.util.List;

/**
 * Renders BTF types as C declarations. C declarators grow inside out: a pointer prefixes {@code *} to the
 * declarator, an array or function suffixes {@code [n]} or {@code (params)} (parenthesizing a pointer
 * declarator first), and the innermost named type is written in front. Typedefs are kept as written,
 * so {@code pid_t} and {@code int} render differently. Type tags (such as {@code __user}) are not
 * rendered: C has no spelling for them and they do not change the calling convention.
 */
final class TypeRenderer {
    /** Longer chains of pointers and qualifiers than this mean the BTF has a cycle. */
    private static final int MAXIMUM_DEPTH = 256;

    private final Btf btf;

    TypeRenderer(Btf btf) {
        this.btf = btf;
    }

    /** The type as an abstract declarator, e.g. {@code struct pid *}. */
    String render(int id) {
        return declaration(id, "");
    }

    /** A declaration of {@code name}; nested function types list parameter types only. */
    String declaration(int id, String name) {
        return declaration(id, name, false);
    }

    /**
     * As {@link #declaration(int, String)}; with {@code namedParameters}, a function type at the top
     * level also names its parameters: {@code int f(int x)}.
     */
    String declaration(int id, String name, boolean namedParameters) {
        return declarator(id, name, namedParameters, 0);
    }

    private String declarator(int id, String inner, boolean namedParameters, int depth) {
        if (depth > MAXIMUM_DEPTH) {
            throw BtfHeader.corrupt(btf.origin(), "type " + id + " is part of a chain deeper than "
                    + MAXIMUM_DEPTH + " (a cycle)");
        }
        int next = depth + 1;
        return switch (btf.type(id)) {
            case VoidType v -> join("void", inner);
            case Int t -> join(t.name(), inner);
            case Float t -> join(t.name(), inner);
            case Typedef t -> join(t.name(), inner);
            case Struct t -> join("struct " + named(t.name()), inner);
            case Union t -> join("union " + named(t.name()), inner);
            case Enum t -> join("enum " + named(t.name()), inner);
            case Enum64 t -> join("enum " + named(t.name()), inner);
            case Fwd t -> join((t.union() ? "union " : "struct ") + t.name(), inner);
            case Ptr t -> declarator(t.type(), "*" + inner, false, next);
            case Const t -> qualified("const", t.type(), inner, next);
            case Volatile t -> qualified("volatile", t.type(), inner, next);
            case Restrict t -> qualified("restrict", t.type(), inner, next);
            case TypeTag t -> declarator(t.type(), inner, namedParameters, next);
            case Array t -> declarator(t.elementType(),
                    parenthesized(inner) + "[" + (t.elements() == 0 ? "" : Long.toString(t.elements())) + "]",
                    false, next);
            case FuncProto t -> declarator(t.returnType(),
                    parenthesized(inner) + "(" + parameters(t, namedParameters) + ")", false, next);
            case Func t -> declarator(t.type(), inner.isEmpty() ? t.name() : inner, namedParameters, next);
            case Var t -> declarator(t.type(), inner.isEmpty() ? t.name() : inner, false, next);
            case Datasec t -> throw notACType(t);
            case DeclTag t -> throw notACType(t);
        };
    }

    /**
     * A qualifier of a pointer follows its {@code *} ({@code int *const p}); any other qualifier is written
     * in front of the type ({@code const char *}).
     */
    private String qualified(String qualifier, int target, String inner, int depth) {
        if (btf.type(target) instanceof Ptr) {
            return declarator(target, join(qualifier, inner), false, depth);
        }
        return qualifier + " " + declarator(target, inner, false, depth);
    }

    private String parameters(FuncProto proto, boolean named) {
        List<String> rendered = new ArrayList<>();
        for (Param p : proto.params()) {
            rendered.add(declarator(p.type(), named ? p.name() : "", false, 0));
        }
        if (proto.variadic()) {
            rendered.add("...");
        }
        return rendered.isEmpty() ? "void" : String.join(", ", rendered);
    }

    private static String parenthesized(String inner) {
        return inner.startsWith("*") ? "(" + inner + ")" : inner;
    }

    private static String join(String type, String inner) {
        return inner.isEmpty() ? type : type + " " + inner;
    }

    private static String named(String name) {
        return name.isEmpty() ? "{...}" : name;
    }

    private BtfException notACType(BtfType t) {
        return new BtfException(btf.origin() + ": type " + t.id() + " is a " + t.kind()
                + ", which is not a C type; render the type it refers to instead");
    }
}
