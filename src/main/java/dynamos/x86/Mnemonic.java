package dynamos.x86;

/** The instructions the analysis tells apart; everything else is {@link #OTHER} (its Zydis name is in {@link Instruction#name()}). */
public enum Mnemonic {
    CALL, JMP, JCC, RET, NOP, INT3, UD2, LEA, MOV, PUSH, OTHER
}
