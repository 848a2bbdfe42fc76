package dynamos.objdiff;

import java.util.List;
import java.util.Optional;

/**
 * The comparison of two compiles of one translation unit, before and after a patch, function by function and data
 * object by data object ({@link ObjectComparison#compare} makes one).
 *
 * @param before the object before, for messages
 * @param after the object after
 * @param functions every function of either object, by name
 * @param data every data object of either object, by key
 * @param refusals what a live update cannot carry; empty when the patch can be applied live
 */
public record ObjectDiff(String before, String after, List<FunctionDiff> functions, List<DataDiff> data,
        List<Refusal> refusals) {
    public ObjectDiff {
        functions = List.copyOf(functions);
        data = List.copyOf(data);
        refusals = List.copyOf(refusals);
    }

    public Optional<FunctionDiff> function(String name) {
        return functions.stream().filter(f -> f.name().equals(name)).findFirst();
    }

    /** The data object called {@code name} (before or after), or matched under key {@code name}. */
    public Optional<DataDiff> datum(String name) {
        return data.stream().filter(d -> d.name().equals(name) || d.key().equals(name)).findFirst();
    }

    /** The functions with {@code status}, by name. */
    public List<String> functions(Status status) {
        return functions.stream().filter(f -> f.status() == status).map(FunctionDiff::name).toList();
    }

    /** The data objects with {@code status}, by name. */
    public List<String> data(Status status) {
        return data.stream().filter(d -> d.status() == status).map(DataDiff::name).toList();
    }

    /** Whether the patch changes anything a live update would have to carry (changed, new or lost code or data). */
    public boolean changesAnything() {
        return functions.stream().anyMatch(f -> f.status() != Status.UNCHANGED && f.status() != Status.LINE_NUMBERS_ONLY)
                || data.stream().anyMatch(d -> d.status() != Status.UNCHANGED && d.status() != Status.LINE_NUMBERS_ONLY)
                || !refusals.isEmpty();
    }
}
