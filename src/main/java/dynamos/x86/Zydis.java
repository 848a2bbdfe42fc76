package dynamos.x86;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The binding of Debian's Zydis 4.0 ({@code libzydis4.0}, headers in {@code libzydis-dev}) through the FFM API: the
 * library, its four functions we call, and the sizes, field offsets and enum values of its structs that
 * {@link Decoder} reads. They are those of Zydis 4.0.0 on x86-64; {@code ZydisLayoutTest} compiles a C
 * program against the installed headers and compares, so another Zydis fails loudly there instead of
 * decoding garbage here. Nothing outside this package sees a Zydis struct.
 */
final class Zydis {
    /** What {@code ZYDIS_VERSION} is for 4.0.0 (major, minor, patch, build in 16 bits each). */
    static final long VERSION = 0x0004_0000_0000_0000L;

    static final int DECODER_SIZE = 20;
    static final int CONTEXT_SIZE = 32;
    static final int INSN_SIZE = 328;
    static final int INSN_MNEMONIC = 4;
    static final int INSN_LENGTH = 8;
    static final int INSN_OPERAND_WIDTH = 22;
    static final int INSN_OPERAND_COUNT = 24;
    static final int INSN_OPERAND_COUNT_VISIBLE = 25;
    static final int INSN_ATTRIBUTES = 32;
    static final int INSN_CATEGORY = 92;
    static final int INSN_MODRM_MOD = 255;
    static final int INSN_IMM0_IS_RELATIVE = 281;
    static final int INSN_IMM0_VALUE = 288;
    static final int INSN_IMM0_SIZE = 296;
    static final int INSN_IMM1_VALUE = 312;
    static final int INSN_IMM1_SIZE = 320;
    static final int OPERAND_SIZE = 80;
    static final int OPERAND_TYPE = 32;
    static final int OPERAND_VISIBILITY = 4;
    static final int OPERAND_ACTIONS = 8;
    static final int OPERAND_ACTION_MASK_WRITE = 10;
    static final int OPERAND_REG = 40;
    static final int OPERAND_MEM_TYPE = 40;
    static final int OPERAND_MEM_BASE = 48;
    static final int OPERAND_MEM_INDEX = 52;
    static final int OPERAND_MEM_SCALE = 56;
    static final int OPERAND_MEM_HAS_DISP = 64;
    static final int OPERAND_MEM_DISP = 72;
    static final int OPERAND_IMM_IS_RELATIVE = 41;
    static final int OPERAND_IMM_VALUE = 48;
    static final int MAX_OPERAND_COUNT = 10;
    static final int MACHINE_MODE_LONG_64 = 0;
    static final int STACK_WIDTH_64 = 2;
    static final long ATTRIB_HAS_MODRM = 1;
    static final int CATEGORY_CALL = 20;
    static final int CATEGORY_COND_BR = 28;
    static final int CATEGORY_UNCOND_BR = 96;
    static final int CATEGORY_RET = 75;
    static final int OPERAND_TYPE_REGISTER = 1;
    static final int OPERAND_TYPE_MEMORY = 2;
    static final int OPERAND_TYPE_IMMEDIATE = 4;
    static final int OPERAND_VISIBILITY_HIDDEN = 3;
    static final int MEMOP_TYPE_AGEN = 2;
    static final int REGISTER_NONE = 0;
    static final int REGISTER_RIP = 197;
    static final int MNEMONIC_CALL = 67;
    static final int MNEMONIC_JMP = 307;
    static final int MNEMONIC_RET = 682;
    static final int MNEMONIC_NOP = 483;
    static final int MNEMONIC_INT3 = 287;
    static final int MNEMONIC_UD2 = 801;
    static final int MNEMONIC_LEA = 392;
    static final int MNEMONIC_MOV = 432;
    static final int MNEMONIC_PUSH = 657;

    /** The library's file names, the runtime package's first. */
    static final String[] LIBRARIES = {"libZydis.so.4.0", "libZydis.so.4", "libZydis.so"};

    static final String INSTALL_HINT = "install Debian's Zydis: apt-get install libzydis-dev";

    private static volatile Zydis instance;
    private static volatile String failure;

    final MethodHandle decoderInit;
    final MethodHandle decodeInstruction;
    final MethodHandle decodeOperands;
    final MethodHandle mnemonicString;
    final MethodHandle registerString;
    final long version;

    private Zydis(SymbolLookup lib) throws Throwable {
        Linker linker = Linker.nativeLinker();
        ValueLayout addr = ValueLayout.ADDRESS;
        ValueLayout i32 = ValueLayout.JAVA_INT;
        ValueLayout i64 = ValueLayout.JAVA_LONG;
        // Zydis neither blocks nor calls back: the calls may be "critical" (no thread-state change).
        Linker.Option critical = Linker.Option.critical(false);
        decoderInit = linker.downcallHandle(find(lib, "ZydisDecoderInit"), FunctionDescriptor.of(i32, addr, i32, i32));
        // The code buffer is passed as a 64-bit address (a long): on x86-64 a pointer argument is one, and
        // the hot loop then needs no MemorySegment per instruction.
        decodeInstruction = linker.downcallHandle(find(lib, "ZydisDecoderDecodeInstruction"),
                FunctionDescriptor.of(i32, addr, addr, i64, i64, addr), critical);
        decodeOperands = linker.downcallHandle(find(lib, "ZydisDecoderDecodeOperands"),
                FunctionDescriptor.of(i32, addr, addr, addr, addr, ValueLayout.JAVA_BYTE), critical);
        mnemonicString = linker.downcallHandle(find(lib, "ZydisMnemonicGetString"), FunctionDescriptor.of(addr, i32));
        registerString = linker.downcallHandle(find(lib, "ZydisRegisterGetString"), FunctionDescriptor.of(addr, i32));
        MethodHandle getVersion = linker.downcallHandle(find(lib, "ZydisGetVersion"), FunctionDescriptor.of(i64));
        version = (long) getVersion.invokeExact();
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new DecoderUnavailableException("the Zydis library has no " + name
                + ": it is not Zydis 4; " + INSTALL_HINT));
    }

    /** The loaded library; throws {@link DecoderUnavailableException} (naming the package to install) if it is missing. */
    static Zydis get() {
        Zydis z = instance;
        if (z != null) {
            return z;
        }
        synchronized (Zydis.class) {
            if (instance != null) {
                return instance;
            }
            if (failure != null) {
                throw new DecoderUnavailableException(failure);
            }
            try {
                instance = load(LIBRARIES);
                return instance;
            } catch (DecoderUnavailableException e) {
                failure = e.getMessage();
                throw e;
            }
        }
    }

    /** Loads and binds the first of {@code names} that the dynamic linker finds; not cached. */
    static Zydis load(String... names) {
        StringBuilder tried = new StringBuilder();
        for (String name : names) {
            SymbolLookup lib;
            try {
                lib = SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                tried.append(tried.isEmpty() ? "" : ", ").append(name);
                continue;
            }
            Zydis z;
            try {
                z = new Zydis(lib);
            } catch (DecoderUnavailableException e) {
                throw e;
            } catch (Throwable e) {
                throw new DecoderUnavailableException("cannot bind " + name + ": " + e, e);
            }
            if ((z.version & 0xffff_0000_0000_0000L) != (VERSION & 0xffff_0000_0000_0000L)) {
                throw new DecoderUnavailableException(String.format("%s is Zydis %d, not 4 (the struct layouts "
                        + "differ); %s", name, z.version >>> 48, INSTALL_HINT));
            }
            return z;
        }
        throw new DecoderUnavailableException("the x86 decoder library Zydis 4 is not installed (looked for " + tried
                + "); " + INSTALL_HINT);
    }

    /** Whether Zydis 4 can be loaded. */
    static boolean available() {
        try {
            get();
            return true;
        } catch (DecoderUnavailableException e) {
            return false;
        }
    }

    /** The constants above by their C name (without the {@code ZYDIS_} prefix), for the layout test. */
    static Map<String, Long> constants() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (var f : Zydis.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (java.lang.reflect.Modifier.isStatic(mod) && java.lang.reflect.Modifier.isFinal(mod)
                    && (f.getType() == int.class || f.getType() == long.class)) {
                try {
                    m.put(f.getName(), ((Number) f.get(null)).longValue());
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return m;
    }
}
