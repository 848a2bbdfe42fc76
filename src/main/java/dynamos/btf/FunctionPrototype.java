package dynamos.btf;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A function's prototype rendered as C, for comparing a new version of a kernel function with the
 * original: types are compared as rendered (typedefs kept), parameter names are ignored.
 *
 * @param returnType e.g. {@code struct pid *}
 * @param declaration the whole prototype with names, e.g.
 *     {@code struct pid *alloc_pid(struct pid_namespace *ns, pid_t *set_tid, size_t set_tid_size)}
 */
public record FunctionPrototype(
        String name, String returnType, List<Parameter> parameters, boolean variadic, String declaration) {

    /**
     * @param name empty when BTF does not record it
     * @param type the type alone, e.g. {@code void (*)(int)}
     * @param declaration the parameter as declared, e.g. {@code void (*callback)(int)}
     */
    public record Parameter(String name, String type, String declaration) {}

    public FunctionPrototype {
        parameters = List.copyOf(parameters);
    }

    /** The parameter types in order. */
    public List<String> parameterTypes() {
        return parameters.stream().map(Parameter::type).toList();
    }

    /** The prototype without names, e.g. {@code struct pid *(struct pid_namespace *, pid_t *, size_t)}. */
    public String typeSignature() {
        List<String> types = new ArrayList<>(parameterTypes());
        if (variadic) {
            types.add("...");
        }
        String joinedReturn = returnType.endsWith("*") ? returnType : returnType + " ";
        return joinedReturn + "(" + (types.isEmpty() ? "void" : String.join(", ", types)) + ")";
    }

    /** Whether a call compiled for one can call the other: equal return and parameter types, names aside. */
    public boolean hasSameTypesAs(FunctionPrototype other) {
        return returnType.equals(other.returnType) && parameterTypes().equals(other.parameterTypes())
                && variadic == other.variadic;
    }

    /**
     * Why this prototype (e.g. a new version) cannot replace {@code original}; empty when the types match.
     * The message names both prototypes and the first difference.
     */
    public Optional<String> mismatchWith(FunctionPrototype original) {
        if (hasSameTypesAs(original)) {
            return Optional.empty();
        }
        return Optional.of(declaration + " does not match " + original.declaration + ": " + firstDifference(original));
    }

    /**
     * @throws BtfException with the {@link #mismatchWith(FunctionPrototype)} message when the types differ
     */
    public void requireSameTypesAs(FunctionPrototype original) {
        mismatchWith(original).ifPresent(message -> {
            throw new BtfException(message + "; a new version must have the original's prototype");
        });
    }

    @Override
    public String toString() {
        return declaration;
    }

    private String firstDifference(FunctionPrototype original) {
        if (!returnType.equals(original.returnType)) {
            return "it returns " + returnType + " instead of " + original.returnType;
        }
        List<String> mine = parameterTypes();
        List<String> theirs = original.parameterTypes();
        for (int i = 0; i < Math.min(mine.size(), theirs.size()); i++) {
            if (!mine.get(i).equals(theirs.get(i))) {
                return "parameter " + (i + 1) + " is " + mine.get(i) + " instead of " + theirs.get(i);
            }
        }
        if (mine.size() != theirs.size()) {
            return "it has " + count(mine.size()) + " instead of " + theirs.size();
        }
        return variadic ? "it is variadic and the original is not" : "the original is variadic and it is not";
    }

    private static String count(int parameters) {
        return parameters + (parameters == 1 ? " parameter" : " parameters");
    }
}
