package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KernelFactsTest {
    private final KernelFacts facts = SyntheticKernel.facts(CallGraph.UNKNOWN);

    private TextSymbol symbol(String key) {
        return facts.symbols().stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void keepsTheCoreKernelsTextSymbolsInAddressOrder() {
        assertThat(facts.symbols()).hasSize(SyntheticKernel.TEXT_SYMBOLS);
        assertThat(facts.symbols()).extracting(TextSymbol::key)
                .doesNotContain("some_data", "modfn", "fixed_percpu_data", "__init_begin", "__init_end");
        for (int i = 1; i < facts.symbols().size(); i++) {
            assertThat(Long.compareUnsigned(facts.symbols().get(i - 1).address(), facts.symbols().get(i).address()))
                    .isLessThanOrEqualTo(0);
        }
    }

    @Test
    void matchesFtraceSitesInAddressOrderToNamesakes() {
        Set<String> withSite = facts.symbols().stream().filter(TextSymbol::ftraceSite).map(TextSymbol::key)
                .collect(Collectors.toSet());
        assertThat(withSite).containsExactlyInAnyOrder("direct_fn", "foo#1", "foo#2", "bar.isra.0", "__memcpy");
        assertThat(facts.ftraceSites()).isEqualTo(5);
        assertThat(facts.ftraceInvalid()).isEqualTo(1);
        assertThat(facts.ftraceUnmatched()).isZero();
    }

    @Test
    void namesakePositionsCountAVariableOfTheNameAsDynamosSymbolDoes() {
        KernelFacts f = KernelFacts.of("t", List.of(
                "ffffffff81000000 T _stext",
                "ffffffff81001000 t p_start",
                "ffffffff81001100 t other",
                "ffffffff81002000 d p_start",
                "ffffffff81003000 t p_start",
                "ffffffff81004000 T _etext"), List.of("p_start", "p_start"), Set.of(), CallGraph.UNKNOWN);
        assertThat(f.symbols()).filteredOn(t -> t.fullName().equals("p_start")).extracting(TextSymbol::position)
                .as("kallsyms order: function, variable, function").containsExactly(1, 3);
        KernelFacts alone = KernelFacts.of("t", List.of(
                "ffffffff81000000 T _stext",
                "ffffffff81001000 d only_var_shares",
                "ffffffff81001100 t only_var_shares",
                "ffffffff81004000 T _etext"), List.of("only_var_shares"), Set.of(), CallGraph.UNKNOWN);
        TextSymbol shared = alone.symbols().stream().filter(t -> t.fullName().equals("only_var_shares")).findFirst().orElseThrow();
        assertThat(shared.ambiguous()).as("the kernel refuses the name: a variable has it too").isTrue();
        assertThat(shared.key()).isEqualTo("only_var_shares#2");
    }

    @Test
    void aSiteOutOfOrderOrOfAnUnknownNameIsCountedAsUnmatched() {
        KernelFacts f = KernelFacts.of("t", SyntheticKernel.KALLSYMS, List.of("helper", "direct_fn", "no_such_fn"),
                Set.of(), CallGraph.UNKNOWN);
        assertThat(f.ftraceUnmatched()).as("direct_fn lies below helper; no_such_fn is no symbol").isEqualTo(2);
    }

    @Test
    void sizesRunToTheNextAddressAndNamesakesArePositioned() {
        assertThat(symbol("direct_fn").size()).isEqualTo(0x100);
        assertThat(symbol("memcpy").size()).as("aliases share a size; data symbols bound nothing").isEqualTo(0x400);
        assertThat(symbol("__memcpy").size()).isEqualTo(0x400);
        assertThat(symbol("foo#1").position()).isEqualTo(1);
        assertThat(symbol("foo#2").position()).isEqualTo(2);
        assertThat(symbol("foo#2").namesakes()).as("module functions are not namesakes").isEqualTo(2);
        assertThat(symbol("helper").ambiguous()).isFalse();
        assertThat(symbol("direct_fn").global()).isTrue();
    }

    @Test
    void regionsComeFromTheLinkerScriptMarkers() {
        assertThat(symbol("direct_fn").region()).isEqualTo(TextRegion.TEXT);
        assertThat(symbol("noinstr_fn").region()).isEqualTo(TextRegion.NOINSTR);
        assertThat(symbol("entry_SYSCALL_64").region()).isEqualTo(TextRegion.ENTRY);
        assertThat(symbol("__SCT__foo").region()).isEqualTo(TextRegion.STATIC_CALL);
        assertThat(symbol("start_kernel_like").region()).isEqualTo(TextRegion.INIT);
        assertThat(symbol("exit_fn").region()).as("between __init_begin and __init_end").isEqualTo(TextRegion.INIT);
        assertThat(facts.textBase()).isEqualTo(0xffffffff81000000L);
    }

    @Test
    void innermostRangeWins() {
        TextLayout layout = TextLayout.fromMarkers(Map.of("__entry_text_start", 100L, "__entry_text_end", 200L,
                "__irqentry_text_start", 120L, "__irqentry_text_end", 140L, "_stext", 0L, "_etext", 1000L));
        assertThat(layout.regionOf(130)).isEqualTo(TextRegion.IRQENTRY);
        assertThat(layout.regionOf(150)).isEqualTo(TextRegion.ENTRY);
        assertThat(layout.regionOf(500)).isEqualTo(TextRegion.TEXT);
        assertThat(layout.regionOf(5000)).isEqualTo(TextRegion.OTHER);
        assertThat(TextLayout.isMarker("__irqentry_text_start")).isTrue();
        assertThat(TextLayout.isMarker("entry_SYSCALL_64")).isFalse();
    }

    @Test
    void hiddenAddressesAreRefusedWithTheFix() {
        assertThatThrownBy(() -> KernelFacts.of("t", List.of("0000000000000000 T a", "0000000000000000 t b"), List.of(),
                Set.of(), CallGraph.UNKNOWN)).isInstanceOf(AnalysisException.class).hasMessageContaining("as root");
    }
}
