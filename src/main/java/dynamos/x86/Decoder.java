package dynamos.x86;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * An x86-64 instruction decoder (Zydis 4 through FFM). One decoder holds its code, copied once into
 * native memory ({@link #load}), and decodes one instruction at a time ({@link #decode(int, long)}),
 * leaving the facts in the decoder to read without allocating ({@link #length()}, {@link #branch()},
 * {@link #target()} ...); {@link #instruction()} makes a record of them. Operands are decoded only when
 * asked for ({@link #memoryOperands()}). Not thread-safe: one decoder per thread.
 *
 * <p>Throws {@link DecoderUnavailableException} when Zydis 4 is not installed.
 */
public final class Decoder implements AutoCloseable {
    private static volatile String[] mnemonicNames = new String[0];
    private static volatile String[] registerNames = new String[0];

    private final Zydis z;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment decoder;
    private final MemorySegment context;
    private final MemorySegment insn;
    private final MemorySegment operands;
    private MemorySegment code = MemorySegment.NULL;
    private long codeAddress;
    private int codeLength;

    private long address;
    private int length;
    private boolean operandsDone;
    private int memoryCount;
    private final Memory[] memory = new Memory[Zydis.MAX_OPERAND_COUNT];
    private int branchRegister;

    public Decoder() {
        z = Zydis.get();
        decoder = arena.allocate(Zydis.DECODER_SIZE, 8);
        context = arena.allocate(Zydis.CONTEXT_SIZE, 8);
        insn = arena.allocate(Zydis.INSN_SIZE, 8);
        operands = arena.allocate((long) Zydis.OPERAND_SIZE * Zydis.MAX_OPERAND_COUNT, 8);
        int status;
        try {
            status = (int) z.decoderInit.invokeExact(decoder, Zydis.MACHINE_MODE_LONG_64, Zydis.STACK_WIDTH_64);
        } catch (Throwable e) {
            throw new IllegalStateException("ZydisDecoderInit failed: " + e, e);
        }
        if (status < 0) {
            throw new IllegalStateException(String.format("ZydisDecoderInit failed with status %#x", status));
        }
    }

    /** Whether Zydis 4 is installed (a decoder can be made). */
    public static boolean available() {
        return Zydis.available();
    }

    /** Makes {@code bytes[from, from+len)} the code to decode, its first byte at {@code address}. */
    public void load(byte[] bytes, int from, int len, long address) {
        if (code.byteSize() < len) {
            code = arena.allocate(Math.max(len, 2 * code.byteSize()), 16);
        }
        MemorySegment.copy(bytes, from, code, ValueLayout.JAVA_BYTE, 0, len);
        codeAddress = address;
        codeLength = len;
    }

    /** The same for all of {@code bytes}. */
    public void load(byte[] bytes, long address) {
        load(bytes, 0, bytes.length, address);
    }

    /** The address of the loaded code's first byte. */
    public long codeAddress() {
        return codeAddress;
    }

    public int codeLength() {
        return codeLength;
    }

    /**
     * Decodes the instruction at {@code offset} of the loaded code, reading at most up to {@code end}.
     *
     * @return its length, or 0 if the bytes there are no valid instruction (or run past {@code end})
     */
    public int decode(int offset, int end) {
        if (offset < 0 || offset >= end || end > codeLength) {
            throw new IndexOutOfBoundsException("offset " + offset + " end " + end + " of " + codeLength + " bytes");
        }
        int status;
        try {
            status = (int) z.decodeInstruction.invokeExact(decoder, context, code.address() + offset,
                    (long) (end - offset), insn);
        } catch (Throwable e) {
            throw new IllegalStateException("ZydisDecoderDecodeInstruction failed: " + e, e);
        }
        operandsDone = false;
        address = codeAddress + offset;
        length = status < 0 ? 0 : insn.get(ValueLayout.JAVA_BYTE, Zydis.INSN_LENGTH) & 0xff;
        return length;
    }

    /** {@link #decode(int, int)} up to the end of the loaded code. */
    public int decode(int offset) {
        return decode(offset, codeLength);
    }

    public long address() {
        return address;
    }

    public int length() {
        return length;
    }

    /** Zydis's mnemonic number of the last instruction. */
    public int mnemonicId() {
        return insn.get(ValueLayout.JAVA_INT, Zydis.INSN_MNEMONIC);
    }

    public Mnemonic mnemonic() {
        return switch (mnemonicId()) {
            case Zydis.MNEMONIC_CALL -> Mnemonic.CALL;
            case Zydis.MNEMONIC_JMP -> Mnemonic.JMP;
            case Zydis.MNEMONIC_RET -> Mnemonic.RET;
            case Zydis.MNEMONIC_NOP -> Mnemonic.NOP;
            case Zydis.MNEMONIC_INT3 -> Mnemonic.INT3;
            case Zydis.MNEMONIC_UD2 -> Mnemonic.UD2;
            case Zydis.MNEMONIC_LEA -> Mnemonic.LEA;
            case Zydis.MNEMONIC_MOV -> Mnemonic.MOV;
            case Zydis.MNEMONIC_PUSH -> Mnemonic.PUSH;
            default -> branch() == BranchKind.JCC ? Mnemonic.JCC : Mnemonic.OTHER;
        };
    }

    public BranchKind branch() {
        return switch (insn.get(ValueLayout.JAVA_INT, Zydis.INSN_CATEGORY)) {
            case Zydis.CATEGORY_CALL -> BranchKind.CALL;
            case Zydis.CATEGORY_UNCOND_BR -> BranchKind.JMP;
            case Zydis.CATEGORY_COND_BR -> BranchKind.JCC;
            case Zydis.CATEGORY_RET -> BranchKind.RET;
            default -> BranchKind.NONE;
        };
    }

    /** Whether the last instruction is a branch with a PC-relative target. */
    public boolean direct() {
        return branch() != BranchKind.NONE && branch() != BranchKind.RET
                && insn.get(ValueLayout.JAVA_BYTE, Zydis.INSN_IMM0_IS_RELATIVE) != 0;
    }

    /** The target of a direct branch ({@link #direct()}). */
    public long target() {
        return address + length + insn.get(ValueLayout.JAVA_LONG, Zydis.INSN_IMM0_VALUE);
    }

    /** The width in bits of the last instruction's operands (16, 32 or 64). */
    public int operandWidth() {
        return insn.get(ValueLayout.JAVA_BYTE, Zydis.INSN_OPERAND_WIDTH) & 0xff;
    }

    /** How many immediates (0 to 2) the last instruction has, branch displacements included. */
    public int immediateCount() {
        if (insn.get(ValueLayout.JAVA_BYTE, Zydis.INSN_IMM0_SIZE) == 0) {
            return 0;
        }
        return insn.get(ValueLayout.JAVA_BYTE, Zydis.INSN_IMM1_SIZE) == 0 ? 1 : 2;
    }

    /** Immediate {@code i}, sign-extended if the instruction treats it as signed. */
    public long immediate(int i) {
        return insn.get(ValueLayout.JAVA_LONG, i == 0 ? Zydis.INSN_IMM0_VALUE : Zydis.INSN_IMM1_VALUE);
    }

    /** Its size in bits. */
    public int immediateSize(int i) {
        return insn.get(ValueLayout.JAVA_BYTE, i == 0 ? Zydis.INSN_IMM0_SIZE : Zydis.INSN_IMM1_SIZE) & 0xff;
    }

    /** Whether the last instruction has a ModRM byte that names memory (so operands are worth decoding). */
    public boolean mayAccessMemory() {
        return (insn.get(ValueLayout.JAVA_LONG, Zydis.INSN_ATTRIBUTES) & Zydis.ATTRIB_HAS_MODRM) != 0
                && insn.get(ValueLayout.JAVA_BYTE, Zydis.INSN_MODRM_MOD) != 3;
    }

    /** The number of visible memory operands of the last instruction (decodes its operands). */
    public int memoryOperands() {
        operands();
        return memoryCount;
    }

    /** Memory operand {@code i} of the last instruction, {@code 0 <= i < memoryOperands()}. */
    public Memory memory(int i) {
        operands();
        return memory[i];
    }

    /**
     * A memory operand as Zydis's register numbers ({@link Zydis#REGISTER_NONE} when absent): what the
     * analysis's hot loop compares; {@link #instruction()} gives the named form.
     */
    public record Memory(int base, int index, int scale, long displacement, boolean addressOnly) {
        /** {@code disp(%rip)}. */
        public boolean ripRelative() {
            return base == Zydis.REGISTER_RIP;
        }
    }

    /** For an indirect branch through a register, Zydis's register number; else {@code 0} (none). */
    public int branchRegister() {
        operands();
        return branchRegister;
    }

    /** Decodes the first {@code n} operands of the last instruction into {@code operands}. */
    private void decodeOperands(int n) {
        int status;
        try {
            status = (int) z.decodeOperands.invokeExact(decoder, context, insn, operands, (byte) n);
        } catch (Throwable e) {
            throw new IllegalStateException("ZydisDecoderDecodeOperands failed: " + e, e);
        }
        if (status < 0) {
            throw new IllegalStateException(String.format("ZydisDecoderDecodeOperands failed with status %#x at %#x",
                    status, address));
        }
    }

    private void operands() {
        if (operandsDone) {
            return;
        }
        operandsDone = true;
        memoryCount = 0;
        branchRegister = Zydis.REGISTER_NONE;
        if (length == 0) {
            return;
        }
        int n = insn.get(ValueLayout.JAVA_BYTE, Zydis.INSN_OPERAND_COUNT_VISIBLE) & 0xff;
        if (n == 0) {
            return;
        }
        decodeOperands(n);
        boolean indirectBranch = branch() != BranchKind.NONE && branch() != BranchKind.RET && !direct();
        for (int i = 0; i < n; i++) {
            long o = (long) i * Zydis.OPERAND_SIZE;
            int type = operands.get(ValueLayout.JAVA_INT, o + Zydis.OPERAND_TYPE);
            if (type == Zydis.OPERAND_TYPE_MEMORY) {
                boolean hasDisp = operands.get(ValueLayout.JAVA_BYTE, o + Zydis.OPERAND_MEM_HAS_DISP) != 0;
                memory[memoryCount] = new Memory(operands.get(ValueLayout.JAVA_INT, o + Zydis.OPERAND_MEM_BASE),
                        operands.get(ValueLayout.JAVA_INT, o + Zydis.OPERAND_MEM_INDEX),
                        operands.get(ValueLayout.JAVA_BYTE, o + Zydis.OPERAND_MEM_SCALE) & 0xff,
                        hasDisp ? operands.get(ValueLayout.JAVA_LONG, o + Zydis.OPERAND_MEM_DISP) : 0,
                        operands.get(ValueLayout.JAVA_INT, o + Zydis.OPERAND_MEM_TYPE) == Zydis.MEMOP_TYPE_AGEN);
                memoryCount++;
            } else if (type == Zydis.OPERAND_TYPE_REGISTER && indirectBranch && i == 0) {
                branchRegister = operands.get(ValueLayout.JAVA_INT, o + Zydis.OPERAND_REG);
            }
        }
    }

    /**
     * The registers the last instruction writes or may write, hidden operands included (e.g. {@code rsp} of a
     * {@code push}, {@code rsi} of {@code rep movsb}), by Zydis's names ({@code esi}, {@code rsi}, ...); flags
     * registers too. Empty for an invalid instruction.
     */
    public List<String> writtenRegisters() {
        List<String> out = new ArrayList<>();
        if (length == 0) {
            return out;
        }
        int n = insn.get(ValueLayout.JAVA_BYTE, Zydis.INSN_OPERAND_COUNT) & 0xff;
        if (n == 0) {
            return out;
        }
        decodeOperands(n);
        for (int i = 0; i < n; i++) {
            long o = (long) i * Zydis.OPERAND_SIZE;
            int actions = operands.get(ValueLayout.JAVA_BYTE, o + Zydis.OPERAND_ACTIONS) & 0xff;
            if (operands.get(ValueLayout.JAVA_INT, o + Zydis.OPERAND_TYPE) == Zydis.OPERAND_TYPE_REGISTER
                    && (actions & Zydis.OPERAND_ACTION_MASK_WRITE) != 0) {
                out.add(registerName(operands.get(ValueLayout.JAVA_INT, o + Zydis.OPERAND_REG)));
            }
        }
        // The visible operands decoded above now sit in the same buffer: decode them again when asked.
        operandsDone = false;
        return out;
    }

    /** The last instruction as a record, or null if it was invalid. */
    public Instruction instruction() {
        if (length == 0) {
            return null;
        }
        List<MemoryOperand> mem = new ArrayList<>();
        for (int i = 0; i < memoryOperands(); i++) {
            Memory m = memory[i];
            mem.add(new MemoryOperand(registerName(m.base()), registerName(m.index()), m.scale(), m.displacement(),
                    m.addressOnly()));
        }
        List<Long> imms = new ArrayList<>();
        boolean direct = direct();
        for (int i = direct ? 1 : 0; i < immediateCount(); i++) {
            imms.add(immediate(i));
        }
        return new Instruction(address, length, mnemonic(), mnemonicName(mnemonicId()), branch(),
                direct ? target() : null, mem, registerName(branchRegister()), imms);
    }

    /** Decodes {@code bytes} at {@code address} as one instruction: a record, or null if they are invalid. */
    public Instruction decode(byte[] bytes, long address) {
        load(bytes, address);
        decode(0);
        return instruction();
    }

    /** Zydis's name of a mnemonic, e.g. {@code jmp}. */
    public String mnemonicName(int id) {
        String[] names = mnemonicNames;
        if (id < names.length && names[id] != null) {
            return names[id];
        }
        String s = string(z.mnemonicString, id);
        synchronized (Decoder.class) {
            String[] grown = java.util.Arrays.copyOf(mnemonicNames, Math.max(mnemonicNames.length, id + 1));
            grown[id] = s;
            mnemonicNames = grown;
        }
        return s;
    }

    /** Zydis's name of a register, e.g. {@code rax}; null for none. */
    public String registerName(int id) {
        if (id == Zydis.REGISTER_NONE) {
            return null;
        }
        String[] names = registerNames;
        if (id < names.length && names[id] != null) {
            return names[id];
        }
        String s = string(z.registerString, id);
        synchronized (Decoder.class) {
            String[] grown = java.util.Arrays.copyOf(registerNames, Math.max(registerNames.length, id + 1));
            grown[id] = s;
            registerNames = grown;
        }
        return s;
    }

    private static String string(java.lang.invoke.MethodHandle h, int id) {
        try {
            MemorySegment p = (MemorySegment) h.invokeExact(id);
            return p.equals(MemorySegment.NULL) ? "#" + id : p.reinterpret(64).getString(0);
        } catch (Throwable e) {
            throw new IllegalStateException("Zydis name of " + id + ": " + e, e);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
