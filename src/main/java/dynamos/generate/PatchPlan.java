package dynamos.generate;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;
import java.util.stream.Stream;

/**
 * What an update made from a source patch would hold, and why it can or cannot be made.
 *
 * @param kernel the release the update is for
 * @param patch the patch, for messages
 * @param files what the patch changes that no unit's plan covers and stops the update (assembly, headers, added
 *     or removed files), by file
 * @param units one entry per translation unit the patch affects
 */
public record PatchPlan(String kernel, String patch, List<Problem> files, List<Unit> units) {
    public PatchPlan {
        files = List.copyOf(files);
        units = List.copyOf(units);
    }

    /** Whether an update can be made: something to replace or add, and nothing refused. */
    public boolean feasible() {
        return refusals().isEmpty() && units.stream().anyMatch(u -> !u.replaced().isEmpty() || !u.added().isEmpty());
    }

    /** Every refusal: the files' and every unit's. */
    public List<Problem> refusals() {
        return Stream.concat(files.stream(), units.stream().flatMap(u -> u.refusals().stream()))
                .toList();
    }

    /**
     * One translation unit.
     *
     * @param unit its source file, e.g. {@code fs/proc/cmdline.c}
     * @param replaced functions of the running kernel the update replaces
     * @param added new functions the update brings
     * @param newData new data objects the update brings (with their initial values)
     * @param copied constants of the unit the update carries its own copy of instead of binding them: GCC's
     *     function-name strings ({@code __func__.0}), whose address nothing compares
     * @param carried the symbols of the patched object whose code or data the update carries: every piece of the
     *     replaced and added functions, new data, copied constants
     * @param bindings what the new code refers to that stays the running kernel's
     * @param unchanged how many functions the patch leaves as they are (line numbers aside)
     * @param lineNumbersOnly functions whose only change is a source line number (e.g. of a WARN): not replaced
     * @param throughCallers changed functions without an ftrace site, replaced through their callers: every caller
     *     (all in this unit, none through a pointer) is replaced by a copy that calls the new code
     * @param refusals what cannot be done live, with the reason
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class) // as every JSON dynamos prints
    public record Unit(String unit, List<Replacement> replaced, List<String> added, List<String> newData,
            List<String> copied, List<String> carried, List<Binding> bindings, int unchanged, List<String> lineNumbersOnly,
            List<String> throughCallers, List<Problem> refusals) {
        public Unit {
            carried = List.copyOf(carried);
            replaced = List.copyOf(replaced);
            added = List.copyOf(added);
            newData = List.copyOf(newData);
            copied = List.copyOf(copied);
            bindings = List.copyOf(bindings);
            lineNumbersOnly = List.copyOf(lineNumbersOnly);
            throughCallers = List.copyOf(throughCallers);
            refusals = List.copyOf(refusals);
        }

        /** This unit with {@code more} refusals. */
        public Unit withRefusals(List<Problem> more) {
            return new Unit(unit, replaced, added, newData, copied, carried, bindings, unchanged, lineNumbersOnly,
                    throughCallers, Stream.concat(refusals.stream(), more.stream()).toList());
        }
    }

    /**
     * A function of the running kernel that the update replaces.
     *
     * @param function its source name
     * @param symbol the symbol calls are redirected from (GCC may have renamed it, e.g. {@code show.isra.0})
     * @param position which of the kernel's entries of that name it is (1: the first), found by its code
     * @param pieces every symbol of its code in the image, {@code .cold} parts included, all checked
     */
    public record Replacement(String function, String symbol, int position, List<String> pieces) {
        public Replacement {
            pieces = List.copyOf(pieces);
        }
    }

    /**
     * A symbol the update's code uses that stays the running kernel's.
     *
     * @param symbol its name in the running kernel
     * @param referencedAs its name in the patched object (GCC may number a static differently after the patch)
     * @param function whether it is code (else data)
     * @param local whether it is a static of the unit (then found by position, which for code its code decides)
     * @param position which kernel entry of that name (1: the first)
     */
    public record Binding(String symbol, String referencedAs, boolean function, boolean local, int position) {}

    /**
     * Something that stops the update.
     *
     * @param unit the translation unit
     * @param symbol the function, data object or symbol concerned
     * @param kind a stable word for scripts, e.g. {@code toolchain-mismatch}
     * @param reason a sentence for the operator
     */
    public record Problem(String unit, String symbol, String kind, String reason) {}
}
