package dynamos.x86;

import java.util.List;

/**
 * One decoded instruction.
 *
 * @param address where it is
 * @param length its bytes
 * @param mnemonic what the analysis needs to know of it
 * @param name Zydis's mnemonic, e.g. {@code jnz}
 * @param branch its effect on control flow
 * @param target for a direct (PC-relative) branch, its target; otherwise null
 * @param memory its visible memory operands
 * @param register for an indirect branch through a register, that register; otherwise null
 * @param immediates its immediate operands that are not branch displacements, sign-extended where the
 *     instruction sign-extends them
 */
public record Instruction(long address, int length, Mnemonic mnemonic, String name, BranchKind branch, Long target,
        List<MemoryOperand> memory, String register, List<Long> immediates) {
    public Instruction {
        memory = List.copyOf(memory);
        immediates = List.copyOf(immediates);
    }

    /** A call or jump whose target is computed at run time (through a register or memory). */
    public boolean indirect() {
        return (branch == BranchKind.CALL || branch == BranchKind.JMP || branch == BranchKind.JCC) && target == null;
    }
}
