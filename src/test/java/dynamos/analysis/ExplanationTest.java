package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExplanationTest {
    private final KernelFacts facts = SyntheticKernel.facts(SyntheticKernel.CALLS);
    private final List<Classification> all = Classifier.classify(facts);

    @Test
    void aDirectFunctionGetsItsReplaceLine() {
        Explanation e = Explanation.of("direct_fn", all, facts);
        assertThat(e.updatable()).isTrue();
        assertThat(e.verdict()).contains("updatable directly");
        assertThat(e.declarations()).containsExactly("DYNAMOS_REPLACE(1, direct_fn, direct_fn_v2);");
    }

    @Test
    void namesakesAreListedWithTheirSymbolPositions() {
        Explanation e = Explanation.of("foo", all, facts);
        assertThat(e.symbols()).extracting(Classification::key).containsExactly("foo#1", "foo#2");
        assertThat(e.related()).extracting(Classification::key).containsExactly("foo.cold");
        assertThat(e.declarations()).containsExactly(
                "/* foo#1, after direct_fn and before memcpy: */", "DYNAMOS_REPLACE(1, foo, foo_v2);", "DYNAMOS_SYMBOL(foo, 1);",
                "/* foo#2, after direct_fn and before memcpy: */", "DYNAMOS_REPLACE(1, foo, foo_v2);", "DYNAMOS_SYMBOL(foo, 2);");
        assertThat(e.notes()).anyMatch(n -> n.contains("an update replaces one of them, chosen with DYNAMOS_SYMBOL(foo,"
                        + " POSITION)"))
                .contains("foo#1 lies after direct_fn and before memcpy (the link order follows the source files)",
                        "foo#2 lies after direct_fn and before memcpy (the link order follows the source files)");
    }

    @Test
    void aNotraceFunctionNamesTheCallersToUpdate() {
        Explanation e = Explanation.of("helper", all, facts);
        assertThat(e.updatable()).isTrue();
        assertThat(e.verdict()).contains("notrace").contains("through its 2 caller(s)");
        // foo#2 is one of two functions named foo: without its position apply would refuse the name.
        assertThat(e.declarations()).containsExactly("DYNAMOS_REPLACE(1, direct_fn, direct_fn_v2);",
                "DYNAMOS_REPLACE(2, foo, foo_v2);", "DYNAMOS_SYMBOL(foo, 2);");
    }

    @Test
    void aFunctionOnlyGccsCopiesRepresentIsExplained() {
        Explanation e = Explanation.of("bar", all, facts);
        assertThat(e.symbols()).isEmpty();
        assertThat(e.verdict()).contains("no symbol of its own").contains("bar.isra.0");
        assertThat(e.updatable()).isFalse();
    }

    @Test
    void anAbsentFunctionIsInlinedOrNotBuilt() {
        Explanation e = Explanation.of("may_create_in_sticky", all, facts);
        assertThat(e.symbols()).isEmpty();
        assertThat(e.btfRecord()).isFalse();
        assertThat(e.verdict()).contains("inlined into all its callers");
    }

    @Test
    void aNotUpdatableFunctionSaysWhy() {
        Explanation e = Explanation.of("noinstr_fn", all, facts);
        assertThat(e.updatable()).isFalse();
        assertThat(e.verdict()).contains("not updatable: noinstr");
        assertThat(e.declarations()).isEmpty();
        assertThat(Explanation.of("memcpy", all, facts).verdict()).contains("part of __memcpy");
    }
}
