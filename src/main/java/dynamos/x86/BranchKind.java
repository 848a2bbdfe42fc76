package dynamos.x86;

/** What an instruction does to the flow of control. */
public enum BranchKind {
    /** Falls through to the next instruction (or stops, like {@code ud2}). */
    NONE,
    CALL,
    /** An unconditional jump. */
    JMP,
    /** A conditional jump ({@code jcc}, {@code jrcxz}, {@code loop}). */
    JCC,
    RET
}
