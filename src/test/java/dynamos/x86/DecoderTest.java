package dynamos.x86;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The binding on hand-written instructions with known decodings. */
class DecoderTest {
    static final long AT = 0xffffffff81000000L;
    static Decoder d;

    @BeforeAll
    static void open() {
        assumeTrue(Decoder.available(), "Zydis missing: apt-get install libzydis-dev");
        d = new Decoder();
    }

    @AfterAll
    static void close() {
        if (d != null) {
            d.close();
        }
    }

    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void callRel32() {
        Instruction i = d.decode(bytes(0xe8, 0x10, 0x00, 0x00, 0x00), AT); // call .+0x15
        assertThat(i.length()).isEqualTo(5);
        assertThat(i.mnemonic()).isEqualTo(Mnemonic.CALL);
        assertThat(i.branch()).isEqualTo(BranchKind.CALL);
        assertThat(i.target()).isEqualTo(AT + 0x15);
        assertThat(i.indirect()).isFalse();
        assertThat(i.immediates()).isEmpty();
    }

    @Test
    void backwardCallAndJmpRel8() {
        assertThat(d.decode(bytes(0xe8, 0xfb, 0xff, 0xff, 0xff), AT).target()).isEqualTo(AT); // call to itself
        Instruction j = d.decode(bytes(0xeb, 0xfe), AT); // jmp . (rel8 -2)
        assertThat(j.length()).isEqualTo(2);
        assertThat(j.branch()).isEqualTo(BranchKind.JMP);
        assertThat(j.target()).isEqualTo(AT);
    }

    @Test
    void jccNearAndShort() {
        Instruction jne = d.decode(bytes(0x0f, 0x85, 0x00, 0x01, 0x00, 0x00), AT);
        assertThat(jne.branch()).isEqualTo(BranchKind.JCC);
        assertThat(jne.mnemonic()).isEqualTo(Mnemonic.JCC);
        assertThat(jne.name()).isEqualTo("jnz");
        assertThat(jne.target()).isEqualTo(AT + 6 + 0x100);
        assertThat(d.decode(bytes(0x74, 0x80), AT).target()).isEqualTo(AT + 2 - 128);
    }

    @Test
    void jmpThroughRipRelativeMemory() {
        Instruction i = d.decode(bytes(0xff, 0x25, 0x00, 0x10, 0x00, 0x00), AT); // jmp *0x1000(%rip)
        assertThat(i.length()).isEqualTo(6);
        assertThat(i.branch()).isEqualTo(BranchKind.JMP);
        assertThat(i.indirect()).isTrue();
        assertThat(i.target()).isNull();
        assertThat(i.memory()).hasSize(1);
        MemoryOperand m = i.memory().get(0);
        assertThat(m.ripRelative()).isTrue();
        assertThat(m.fixedAddress(i)).isEqualTo(AT + 6 + 0x1000);
    }

    @Test
    void jmpThroughAJumpTable() {
        // jmp *-0x7e000000(,%rax,8): a table at an absolute (sign-extended) address indexed by %rax
        Instruction i = d.decode(bytes(0xff, 0x24, 0xc5, 0x00, 0x00, 0x00, 0x82), AT);
        assertThat(i.length()).isEqualTo(7);
        assertThat(i.indirect()).isTrue();
        MemoryOperand m = i.memory().get(0);
        assertThat(m.base()).isNull();
        assertThat(m.index()).isEqualTo("rax");
        assertThat(m.scale()).isEqualTo(8);
        assertThat(m.displacement()).isEqualTo(0xffffffff82000000L);
        assertThat(m.absoluteTable()).isTrue();
        assertThat(m.fixedAddress(i)).isNull();
    }

    @Test
    void jmpAndCallThroughARegister() {
        Instruction j = d.decode(bytes(0xff, 0xe0), AT); // jmp *%rax
        assertThat(j.indirect()).isTrue();
        assertThat(j.register()).isEqualTo("rax");
        assertThat(j.memory()).isEmpty();
        Instruction c = d.decode(bytes(0x41, 0xff, 0xd3), AT); // call *%r11
        assertThat(c.branch()).isEqualTo(BranchKind.CALL);
        assertThat(c.register()).isEqualTo("r11");
    }

    @Test
    void retAndPaddingAndTraps() {
        Instruction r = d.decode(bytes(0xc3), AT);
        assertThat(r.branch()).isEqualTo(BranchKind.RET);
        assertThat(r.indirect()).isFalse();
        Instruction nopw = d.decode(bytes(0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00), AT);
        assertThat(nopw.length()).isEqualTo(10);
        assertThat(nopw.mnemonic()).isEqualTo(Mnemonic.NOP);
        assertThat(nopw.branch()).isEqualTo(BranchKind.NONE);
        assertThat(d.decode(bytes(0xcc), AT).mnemonic()).isEqualTo(Mnemonic.INT3);
        Instruction ud2 = d.decode(bytes(0x0f, 0x0b), AT);
        assertThat(ud2.mnemonic()).isEqualTo(Mnemonic.UD2);
        assertThat(ud2.length()).isEqualTo(2);
    }

    @Test
    void leaAndImmediates() {
        Instruction lea = d.decode(bytes(0x48, 0x8d, 0x3d, 0xf9, 0xff, 0xff, 0xff), AT); // lea -7(%rip),%rdi
        assertThat(lea.mnemonic()).isEqualTo(Mnemonic.LEA);
        assertThat(lea.memory().get(0).addressOnly()).isTrue();
        assertThat(lea.memory().get(0).fixedAddress(lea)).isEqualTo(AT);
        Instruction mov = d.decode(bytes(0x48, 0xc7, 0xc7, 0x00, 0x00, 0x00, 0x81), AT); // mov $-0x7f000000,%rdi
        assertThat(mov.mnemonic()).isEqualTo(Mnemonic.MOV);
        assertThat(mov.immediates()).containsExactly(0xffffffff81000000L);
        Instruction movabs = d.decode(bytes(0x48, 0xb8, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11), AT);
        assertThat(movabs.length()).isEqualTo(10);
        assertThat(movabs.immediates()).containsExactly(0x1122334455667788L);
        d.load(bytes(0x25, 0x00, 0x02, 0x00, 0x81), AT); // and $0x81000200,%eax: 32 bits, no address
        assertThat(d.decode(0)).isEqualTo(5);
        assertThat(d.operandWidth()).isEqualTo(32);
        d.load(bytes(0x48, 0xc7, 0xc7, 0x00, 0x00, 0x00, 0x81), AT);
        d.decode(0);
        assertThat(d.operandWidth()).isEqualTo(64);
    }

    @Test
    void invalidAndTruncatedBytes() {
        assertThat(d.decode(bytes(0x06), AT)).isNull(); // push %es: invalid in 64-bit mode
        assertThat(d.decode(bytes(0xe8, 0x00, 0x00), AT)).isNull(); // a call cut short
        d.load(bytes(0x90, 0xe8, 0x01), AT);
        assertThat(d.decode(0)).isEqualTo(1);
        assertThat(d.decode(1)).isZero();
    }

    @Test
    void decodesASequenceWithoutRecords() {
        // push %rbp; mov %rsp,%rbp; call .+5+0x20; pop %rbp; jmp .+5 (a tail call); int3
        byte[] code = bytes(0x55, 0x48, 0x89, 0xe5, 0xe8, 0x20, 0, 0, 0, 0x5d, 0xe9, 0, 0, 0, 0, 0xcc);
        d.load(code, AT);
        int[] lengths = new int[6];
        int n = 0;
        for (int off = 0; off < code.length; off += lengths[n++]) {
            lengths[n] = d.decode(off);
            assertThat(lengths[n]).isPositive();
            if (off == 4) {
                assertThat(d.branch()).isEqualTo(BranchKind.CALL);
                assertThat(d.target()).isEqualTo(AT + 9 + 0x20);
            }
            if (off == 10) {
                assertThat(d.direct()).isTrue();
                assertThat(d.target()).isEqualTo(AT + 15);
            }
        }
        assertThat(lengths).containsExactly(1, 3, 5, 1, 5, 1);
    }

    @Test
    void writtenRegistersIncludeHiddenOperandsButNotSources() {
        d.load(bytes(0xbe, 0x2a, 0x00, 0x00, 0x00), AT); // mov $0x2a,%esi
        d.decode(0);
        assertThat(d.writtenRegisters()).containsExactly("esi");
        assertThat(d.immediate(0)).isEqualTo(0x2a);
        d.load(bytes(0x48, 0x89, 0xc7), AT); // mov %rax,%rdi
        d.decode(0);
        assertThat(d.writtenRegisters()).containsExactly("rdi");
        d.load(bytes(0x56), AT); // push %rsi: writes rsp only
        d.decode(0);
        assertThat(d.writtenRegisters()).containsExactly("rsp");
        d.load(bytes(0xf3, 0xa4), AT); // rep movsb: rsi, rdi and rcx change
        d.decode(0);
        assertThat(d.writtenRegisters()).contains("rsi", "rdi", "rcx");
    }
}
