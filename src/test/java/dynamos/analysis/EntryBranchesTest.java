package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class EntryBranchesTest {
    private final KernelFacts facts = SyntheticKernel.facts(CallGraph.UNKNOWN);

    @Test
    void aJumpBackIntoTheFirstFiveBytesIsFound() {
        // Code of direct_fn (0x...1000) and helper (0x...1200), int3-filled.
        byte[] code = new byte[0x300];
        java.util.Arrays.fill(code, (byte) 0xcc);
        // helper+0x20: jmp helper+2 (short): lands inside a patch of the entry.
        code[0x220] = (byte) 0xeb;
        code[0x221] = (byte) (0x1202 - 0x1222);
        // direct_fn+0x20: jne direct_fn+8 (near): past the patch.
        code[0x20] = 0x0f;
        code[0x21] = (byte) 0x85;
        java.nio.ByteBuffer.wrap(code).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(0x22, 0x1008 - 0x1026);
        // direct_fn+1: a jump that starts inside the first bytes itself (an instruction of the entry, not one into it).
        code[0x01] = (byte) 0xeb;
        code[0x02] = 0x00;
        long at = Long.parseUnsignedLong("ffffffff81001000", 16);
        assertThat(EntryBranches.find(facts, List.of(new CodeScan.Chunk(".text", at, code, true)), 0))
                .containsExactly("helper");
    }
}
