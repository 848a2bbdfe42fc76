package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The byte scan over made-up code and data of {@link SyntheticKernel}, at addresses shifted as KASLR shifts them. */
class CodeScanTest {
    static final long TEXT = 0xffffffff81000000L;
    /** The image's addresses are this much below the kallsyms ones. */
    static final long DELTA = 0x200000L; // link addresses stay in the top 2 GiB, as the kernel's do

    private final KernelFacts facts = SyntheticKernel.facts(CallGraph.UNKNOWN);

    private static long at(String hex) {
        return Long.parseUnsignedLong(hex, 16);
    }

    /** Code from direct_fn (0x...1000) to 0x...1400, int3-filled, with the instructions put in. */
    private static byte[] code() {
        ByteBuffer b = ByteBuffer.allocate(0x400).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 0x400; i++) {
            b.put(i, (byte) 0xcc);
        }
        // direct_fn+0x10: call helper (0x1200)
        b.put(0x10, (byte) 0xe8).putInt(0x11, 0x1200 - 0x1015);
        // direct_fn+0x20: lea taken(%rip), %rax: the address of taken
        b.put(0x20, (byte) 0x48).put(0x21, (byte) 0x8d).put(0x22, (byte) 0x05).putInt(0x23, 0x1500 - 0x1027);
        // foo#2 (0x1300)+0x10: jmp deep (0x1400): a tail call
        b.put(0x310, (byte) 0xe9).putInt(0x311, 0x1400 - 0x1315);
        // foo#1 (0x1100)+0x10: jne cyc_b (0x1700): a conditional tail call
        b.put(0x110, (byte) 0x0f).put(0x111, (byte) 0x85).putInt(0x112, 0x1700 - 0x1116);
        // helper (0x1200)+0xf0: nopw %cs:0(%rax,%rax), padding that ends right at foo#2's start (0x1300)
        byte[] nop = {0x66, 0x2e, 0x0f, 0x1f, (byte) 0x84, 0, 0, 0, 0, 0};
        for (int i = 0; i < nop.length; i++) {
            b.put(0x2f6 + i, nop[i]);
        }
        // helper+0x10: mov $cyc_a, %edi (sign-extended 32-bit absolute, image address)
        b.put(0x210, (byte) 0x48).put(0x211, (byte) 0xc7).put(0x212, (byte) 0xc7)
                .putInt(0x213, (int) (at("ffffffff81001600") - DELTA));
        return b.array();
    }

    /** Data holding a pointer to bootonly (an ops table) and, in ftrace's site list, one to direct_fn. */
    private static byte[] data() {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(8, at("ffffffff81001800") - DELTA);
        return b.array();
    }

    private CallGraph scan() {
        return CodeScan.scan(facts, List.of(
                new CodeScan.Chunk(".text", at("ffffffff81001000") - DELTA, code(), true),
                new CodeScan.Chunk(".data", at("ffffffff83000000") - DELTA, data(), false)), DELTA);
    }

    @Test
    void callsAndTailCallsAreEdgesFromTheFunctionHoldingThem() {
        CallGraph g = scan();
        assertThat(g.known()).isTrue();
        assertThat(g.callersOf("helper")).containsExactly("direct_fn");
        assertThat(g.callersOf("deep")).containsExactly("foo#2");
        assertThat(g.callersOf("cyc_b")).containsExactly("foo#1");
    }

    @Test
    void jumpsToAnotherFunctionAreTailCalls() {
        CallGraph g = scan();
        assertThat(g.tailCallsOf("foo#2")).containsExactly("deep");
        assertThat(g.tailCallsOf("foo#1")).containsExactly("cyc_b");
        assertThat(g.tailCallsOf("direct_fn")).as("a call is no tail call").isEmpty();
    }

    @Test
    void aShortJumpInTheLastTwoBytesOfTheCodeIsSeen() {
        // The last two bytes of a section, inside taken (0x...1500): jmp cyc_a (0x...1600) = 0x1582 + 2 + 0x7c.
        byte[] code = {(byte) 0xeb, 0x7c};
        CallGraph g = CodeScan.scan(facts, List.of(new CodeScan.Chunk(".text", at("ffffffff81001582") - DELTA, code, true)),
                DELTA);
        assertThat(g.tailCallsOf("taken")).containsExactly("cyc_a");
        assertThat(g.callersOf("cyc_a")).containsExactly("taken");
    }

    @Test
    void referencesInCodeAndDataTakeTheAddress() {
        CallGraph g = scan();
        assertThat(g.addressTaken()).contains("taken", "cyc_a", "bootonly");
        assertThat(g.callersOf("taken")).as("a lea is no call").isEmpty();
    }

    @Test
    void paddingAndUnrelatedBytesAreNotReferences() {
        CallGraph g = scan();
        assertThat(g.addressTaken()).doesNotContain("foo#2", "helper", "deep", "direct_fn", "cyc_b");
    }

    @Test
    void exportedFunctionsCountAsTaken() {
        KernelFacts withExport = KernelFacts.of("t", new java.util.ArrayList<>(SyntheticKernel.KALLSYMS) {
            {
                add("ffffffff82000800 r __ksymtab_helper");
            }
        }, SyntheticKernel.FTRACE, SyntheticKernel.BTF, CallGraph.UNKNOWN);
        CallGraph g = CodeScan.scan(withExport, List.of(), 0);
        assertThat(g.addressTaken()).containsExactly("helper");
    }

    @Test
    void ftracesSiteListIsNoPointerTable() {
        KernelFacts withList = KernelFacts.of("t", new java.util.ArrayList<>(SyntheticKernel.KALLSYMS) {
            {
                add("ffffffff83000000 D __start_mcount_loc");
                add("ffffffff83000010 D __stop_mcount_loc");
            }
        }, SyntheticKernel.FTRACE, SyntheticKernel.BTF, CallGraph.UNKNOWN);
        byte[] sites = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(0, at("ffffffff81001000") - DELTA).putLong(8, at("ffffffff81001800") - DELTA).array();
        CallGraph g = CodeScan.scan(withList, List.of(new CodeScan.Chunk(".init.data", at("ffffffff83000000") - DELTA,
                sites, false)), DELTA);
        assertThat(g.addressTaken()).isEmpty();
    }

    @Test
    void theScannedGraphDecidesThroughCallers() {
        List<Classification> all = Classifier.classify(facts.withCallGraph(scan()));
        Classification helper = all.stream().filter(c -> c.key().equals("helper")).findFirst().orElseThrow();
        assertThat(helper.category()).isEqualTo(Category.THROUGH_CALLERS);
        assertThat(helper.callers()).containsExactly("direct_fn");
        Classification taken = all.stream().filter(c -> c.key().equals("taken")).findFirst().orElseThrow();
        assertThat(taken.category()).isEqualTo(Category.NOT_UPDATABLE);
        assertThat(TEXT).isEqualTo(facts.textBase());
    }
}
