package dynamos.analysis;

import java.util.Map;
import java.util.Set;

/**
 * Who calls whom among the kernel's text symbols, by {@link TextSymbol#key()}, as decoding the machine
 * code finds it (direct calls and tail calls), and which functions have their address taken (reached by
 * indirect calls, tables or static calls, which no caller update covers). {@link #UNKNOWN} when the code
 * was not decoded: then no function is updatable through its callers.
 *
 * @param known whether the code was decoded (an empty graph that is known means: no calls)
 * @param callers per callee key, the keys of the functions that call or tail-call it
 * @param addressTaken keys of functions whose address the code or data holds
 * @param tailCalls per function key, the keys of the functions it jumps to (tail calls)
 */
public record CallGraph(boolean known, Map<String, Set<String>> callers, Set<String> addressTaken,
        Map<String, Set<String>> tailCalls) {
    public static final CallGraph UNKNOWN = new CallGraph(false, Map.of(), Set.of());

    public CallGraph {
        callers = Map.copyOf(callers);
        addressTaken = Set.copyOf(addressTaken);
        tailCalls = Map.copyOf(tailCalls);
    }

    /** A graph without tail-call detail. */
    public CallGraph(boolean known, Map<String, Set<String>> callers, Set<String> addressTaken) {
        this(known, callers, addressTaken, Map.of());
    }

    /** The functions {@code key} leaves by a jump (a tail call): what a removal check must follow. */
    public Set<String> tailCallsOf(String key) {
        return tailCalls.getOrDefault(key, Set.of());
    }

    public Set<String> callersOf(String key) {
        return callers.getOrDefault(key, Set.of());
    }
}
