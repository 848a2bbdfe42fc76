package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClassifierTest {
    private static Map<String, Classification> byKey(List<Classification> all) {
        return all.stream().collect(Collectors.toMap(Classification::key, Function.identity()));
    }

    @Test
    void everySymbolGetsItsKnownCategoryAndReason() {
        List<Classification> all = Classifier.classify(SyntheticKernel.facts(SyntheticKernel.CALLS));
        assertThat(all).hasSize(SyntheticKernel.TEXT_SYMBOLS);
        Map<String, Classification> got = byKey(all);
        assertThat(got.keySet()).isEqualTo(SyntheticKernel.EXPECTED.keySet());
        SyntheticKernel.EXPECTED.forEach((key, expected) -> {
            assertThat(got.get(key).category()).as(key).isEqualTo(expected[0]);
            assertThat(got.get(key).reason()).as(key).isEqualTo(expected[1]);
        });
        Map<Category, Integer> counts = new EnumMap<>(Category.class);
        all.forEach(c -> counts.merge(c.category(), 1, Integer::sum));
        assertThat(counts.keySet()).as("every category is present").containsExactlyInAnyOrder(Category.values());
    }

    @Test
    void inAModuleATracedNamesakeIsNotUpdatableSinceModuleFunctionsAreFoundByName() {
        KernelFacts f = SyntheticKernel.facts(SyntheticKernel.CALLS);
        assertThat(byKey(Classifier.classify(f)).get("foo#2").category()).isEqualTo(Category.DIRECT);
        Classification inModule = byKey(Classifier.classifyModule(f)).get("foo#2");
        assertThat(inModule.category()).isEqualTo(Category.NOT_UPDATABLE);
        assertThat(inModule.reason()).isEqualTo(Reason.NAMESAKE_IN_MODULE);
        assertThat(byKey(Classifier.classifyModule(f)).get("direct_fn").category()).isEqualTo(Category.DIRECT);
    }

    @Test
    void partsKnowTheirFunctionAndFunctionsTheirParts() {
        Map<String, Classification> got = byKey(Classifier.classify(SyntheticKernel.facts(SyntheticKernel.CALLS)));
        assertThat(got.get("foo.cold").parent()).as("the namesake at its position").isEqualTo("foo#1");
        assertThat(got.get("foo#1").parts()).containsExactly("foo.cold");
        assertThat(got.get("foo#2").parts()).isEmpty();
        assertThat(got.get("bar.isra.0.cold").parent()).isEqualTo("bar.isra.0");
        assertThat(got.get("memcpy").parent()).as("the alias ftrace does not name").isEqualTo("__memcpy");
        assertThat(got.get("__memcpy").parts()).containsExactly("memcpy");
        assertThat(got.get("bar.isra.0").compilerCopy()).isTrue();
        assertThat(got.get("direct_fn").compilerCopy()).isFalse();
        assertThat(got.get("foo#1").copies()).as("its namesake").containsExactly("foo#2");
        assertThat(got.get("helper").btfRecord()).isTrue();
        assertThat(got.get("asm_thing").btfRecord()).isFalse();
    }

    @Test
    void throughCallersNamesTheCallersToUpdate() {
        Map<String, Classification> got = byKey(Classifier.classify(SyntheticKernel.facts(SyntheticKernel.CALLS)));
        assertThat(got.get("helper").callers()).containsExactly("direct_fn", "foo#2");
        assertThat(got.get("deep").callers()).as("a cold caller counts as its function")
                .containsExactly("foo#1", "helper");
        assertThat(got.get("taken").callers()).as("address taken: calls bypass any caller").isEmpty();
        assertThat(got.get("bootonly").callers()).as("its only caller is gone after boot").isEmpty();
    }

    @Test
    void withoutACallGraphNothingIsUpdatableThroughCallers() {
        Map<String, Classification> got = byKey(Classifier.classify(SyntheticKernel.facts(CallGraph.UNKNOWN)));
        assertThat(got.get("helper").category()).isEqualTo(Category.NOT_UPDATABLE);
        assertThat(got.get("helper").reason()).isEqualTo(Reason.NOTRACE);
        assertThat(got.get("deep").category()).isEqualTo(Category.NOT_UPDATABLE);
        assertThat(got.get("direct_fn").category()).isEqualTo(Category.DIRECT);
    }

    @Test
    void aCallerThatIsNotUpdatableSpoilsIt() {
        CallGraph g = new CallGraph(true, Map.of("helper", java.util.Set.of("direct_fn", "asm_thing")), java.util.Set.of());
        Map<String, Classification> got = byKey(Classifier.classify(SyntheticKernel.facts(g)));
        assertThat(got.get("helper").category()).isEqualTo(Category.NOT_UPDATABLE);
    }

    @Test
    void theSummaryAddsUpAndComparesWithThePaper() {
        List<Classification> all = Classifier.classify(SyntheticKernel.facts(SyntheticKernel.CALLS));
        Summary s = Summary.of("t", all, true);
        assertThat(s.total()).isEqualTo(SyntheticKernel.TEXT_SYMBOLS);
        assertThat(s.categories().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(s.total());
        assertThat(s.count(Category.DIRECT)).isEqualTo(5);
        assertThat(s.count(Category.THROUGH_CALLERS)).isEqualTo(2);
        assertThat(s.count(Category.NOT_UPDATABLE)).isEqualTo(9);
        assertThat(s.liveFunctions()).isEqualTo(16);
        assertThat(s.updatable()).isEqualTo(7);
        assertThat(s.goalMet()).isFalse();
        Summary.Row direct = s.rows().get(1);
        assertThat(direct.count()).isEqualTo(5);
        assertThat(s.rows().get(3).label()).startsWith("of which namesakes");
        assertThat(s.rows().get(3).count()).as("foo#1 and foo#2").isEqualTo(2);
        assertThat(direct.paper()[0]).as("the paper's 2.4.27 gcc figure").isCloseTo(83.01, org.assertj.core.data.Offset.offset(0.01));
        int notUpdatable = s.rows().indexOf(s.rows().stream().filter(r -> r.label().equals("not updatable"))
                .findFirst().orElseThrow());
        int reasons = s.rows().subList(notUpdatable + 1, notUpdatable + 1 + Reason.values().length).stream()
                .mapToInt(Summary.Row::count).sum();
        assertThat(reasons).as("the reason rows split the not-updatable row").isEqualTo(9);
    }
}
