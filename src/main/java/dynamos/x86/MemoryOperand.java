package dynamos.x86;

/**
 * A memory operand: {@code displacement(base, index, scale)}; registers by their Zydis names (lower case),
 * null when absent.
 *
 * @param addressOnly the address is computed, not read ({@code lea})
 */
public record MemoryOperand(String base, String index, int scale, long displacement, boolean addressOnly) {
    /** {@code disp(%rip)}: the operand's address is the next instruction's plus the displacement. */
    public boolean ripRelative() {
        return "rip".equals(base);
    }

    /** {@code disp(,%reg,scale)}: an absolute table indexed by a register (a jump table when jumped through). */
    public boolean absoluteTable() {
        return base == null && index != null;
    }

    /** The address the operand names when it does not depend on registers, or null. */
    public Long fixedAddress(Instruction insn) {
        if (ripRelative() && index == null) {
            return insn.address() + insn.length() + displacement;
        }
        if (base == null && index == null) {
            return displacement;
        }
        return null;
    }
}
