package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The image's tables of code locations, made up for {@link SyntheticKernel}, attributed to its functions. */
class CodeTablesTest {
    static final long DELTA = 0x200000L;
    static final long TABLES = 0xffffffff83000000L; // kallsyms address of the made-up tables

    private static long at(String hex) {
        return Long.parseUnsignedLong(hex, 16);
    }

    /** A table of {@code size}-byte entries, each starting with the displacement to one of {@code sites}. */
    private static CodeScan.Chunk table(String name, long address, int size, long... sites) {
        ByteBuffer b = ByteBuffer.allocate(size * sites.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < sites.length; i++) {
            b.putInt(i * size, (int) (sites[i] - (address + (long) i * size)));
        }
        return new CodeScan.Chunk(name, address - DELTA, b.array(), false);
    }

    @Test
    void eachEntryCountsForTheFunctionHoldingItsSite() {
        List<String> kallsyms = new ArrayList<>(SyntheticKernel.KALLSYMS);
        kallsyms.add("ffffffff83001000 D __start___jump_table");
        kallsyms.add("ffffffff83001020 D __stop___jump_table");
        KernelFacts facts = KernelFacts.of("t", kallsyms, SyntheticKernel.FTRACE, SyntheticKernel.BTF, CallGraph.UNKNOWN);
        long direct = at("ffffffff81001000");
        long helper = at("ffffffff81001200");
        // The code: at direct_fn+0x10 a call through a thunk (e8), at direct_fn+0x20 a jump through one (e9).
        byte[] code = new byte[0x400];
        code[0x10] = (byte) 0xe8;
        code[0x20] = (byte) 0xe9;
        List<CodeScan.Chunk> chunks = List.of(
                new CodeScan.Chunk(".text", direct - DELTA, code, true),
                table("__ex_table", TABLES, 12, direct + 0x30, direct + 0x31, helper + 4),
                table(".altinstructions", TABLES + 0x100, 12, helper + 8),
                table(".retpoline_sites", TABLES + 0x200, 4, direct + 0x10, direct + 0x20),
                table("__bug_table", TABLES + 0x300, 12, at("ffffffff81001c08")),
                table(".data", TABLES + 0x1000, 16, helper, helper + 0x20));
        Map<String, FunctionProperties> p = CodeTables.read(facts, chunks, DELTA);
        assertThat(p.get("direct_fn")).isEqualTo(new FunctionProperties(2, 0, 1, 1, 0, 0, 0));
        assertThat(p.get("helper")).isEqualTo(new FunctionProperties(1, 1, 0, 0, 0, 2, 0));
        assertThat(p.get("__memcpy").bugSites()).as("of two aliases, the last at the address holds it").isEqualTo(1);
        assertThat(p).doesNotContainKey("deep");
        assertThat(p.get("direct_fn").describe()).isEqualTo("2 exception entries, 1 indirect call, 1 indirect jump");
    }
}
