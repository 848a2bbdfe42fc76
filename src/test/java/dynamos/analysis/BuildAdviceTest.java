package dynamos.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BuildAdviceTest {
    private final KernelFacts facts = SyntheticKernel.facts(SyntheticKernel.CALLS);
    private final List<Classification> all = Classifier.classify(facts);

    private List<String> notes(String... originals) {
        return BuildAdvice.notes(all, facts, List.of(originals));
    }

    @Test
    void aDirectlyUpdatableFunctionNeedsNoNote() {
        assertThat(notes("direct_fn", "vmlinux:direct_fn", "some_module:whatever")).isEmpty();
    }

    @Test
    void aFunctionWithoutAnFtraceSiteIsAWarning() {
        assertThat(notes("helper")).containsExactly("warning: helper: updatable through its callers (notrace: a C"
                + " function compiled without an ftrace site (the notrace attribute, or its file is built without"
                + " ftrace)): registering it will be refused; update its callers instead (dynamos analyze helper)");
    }

    @Test
    void namesakesPartsAndCopiesAreNamed() {
        assertThat(notes("foo")).containsExactly(
                "foo#1 has parts foo.cold: the removal check covers them with the function",
                "error: 2 functions are named foo: add DYNAMOS_SYMBOL(foo, N) for the one to replace:",
                "  DYNAMOS_SYMBOL(foo, 1); /* after direct_fn and before memcpy */",
                "  DYNAMOS_SYMBOL(foo, 2); /* after direct_fn and before memcpy */");
        assertThat(notes("foo@2")).contains("DYNAMOS_SYMBOL(foo, 2): replaces foo#2, which lies after direct_fn and"
                + " before memcpy").noneMatch(n -> n.startsWith("error: "));
        assertThat(notes("bar")).singleElement().asString().startsWith("warning: bar has no symbol of its own in the"
                + " kernel's text: GCC replaced it by bar.isra.0");
        assertThat(notes("may_create_in_sticky")).singleElement().asString().contains("inlined into all its callers");
    }
}
