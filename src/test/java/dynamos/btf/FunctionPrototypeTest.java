package dynamos.btf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.btf.FunctionPrototype.Parameter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionPrototypeTest {
    /** {@code parameters}: type, name pairs. */
    static FunctionPrototype prototype(String returnType, String name, boolean variadic, String... parameters) {
        List<Parameter> list = new ArrayList<>();
        List<String> declared = new ArrayList<>();
        for (int i = 0; i < parameters.length; i += 2) {
            String type = parameters[i];
            String declaration = type.endsWith("*") ? type + parameters[i + 1] : type + " " + parameters[i + 1];
            list.add(new Parameter(parameters[i + 1], type, declaration));
            declared.add(declaration);
        }
        if (variadic) {
            declared.add("...");
        }
        String head = returnType.endsWith("*") ? returnType + name : returnType + " " + name;
        return new FunctionPrototype(name, returnType, list, variadic,
                head + "(" + (declared.isEmpty() ? "void" : String.join(", ", declared)) + ")");
    }

    static final FunctionPrototype ALLOC_PID = prototype("struct pid *", "alloc_pid", false,
            "struct pid_namespace *", "ns", "pid_t *", "set_tid", "size_t", "set_tid_size");

    @Test
    void parameterNamesDoNotMatter() {
        FunctionPrototype renamed = prototype("struct pid *", "alloc_pid_v2", false,
                "struct pid_namespace *", "namespace", "pid_t *", "tids", "size_t", "count");
        assertThat(renamed.hasSameTypesAs(ALLOC_PID)).isTrue();
        assertThat(renamed.mismatchWith(ALLOC_PID)).isEmpty();
        renamed.requireSameTypesAs(ALLOC_PID);
    }

    @Test
    void aMissingParameterIsNamedWithBothPrototypes() {
        FunctionPrototype shorter = prototype("struct pid *", "alloc_pid_v2", false,
                "struct pid_namespace *", "ns", "pid_t *", "set_tid");
        assertThat(shorter.mismatchWith(ALLOC_PID)).hasValue(
                "struct pid *alloc_pid_v2(struct pid_namespace *ns, pid_t *set_tid) does not match "
                        + "struct pid *alloc_pid(struct pid_namespace *ns, pid_t *set_tid, size_t set_tid_size): "
                        + "it has 2 parameters instead of 3");
        assertThatThrownBy(() -> shorter.requireSameTypesAs(ALLOC_PID)).isInstanceOf(BtfException.class)
                .hasMessageEndingWith("; a new version must have the original's prototype");
    }

    @Test
    void theFirstDifferingTypeIsNamed() {
        FunctionPrototype typedefDropped = prototype("struct pid *", "alloc_pid_v2", false,
                "struct pid_namespace *", "ns", "int *", "set_tid", "size_t", "set_tid_size");
        assertThat(typedefDropped.mismatchWith(ALLOC_PID).orElseThrow())
                .endsWith(": parameter 2 is int * instead of pid_t *");

        FunctionPrototype returnsInt = prototype("int", "alloc_pid_v2", false,
                "struct pid_namespace *", "ns", "pid_t *", "set_tid", "size_t", "set_tid_size");
        assertThat(returnsInt.mismatchWith(ALLOC_PID).orElseThrow())
                .startsWith("int alloc_pid_v2(struct pid_namespace *ns, pid_t *set_tid, size_t set_tid_size) does not match")
                .endsWith(": it returns int instead of struct pid *");

        FunctionPrototype printk = prototype("int", "_printk", true, "const char *", "fmt");
        FunctionPrototype notVariadic = prototype("int", "my_printk", false, "const char *", "fmt");
        assertThat(notVariadic.mismatchWith(printk).orElseThrow()).endsWith("the original is variadic and it is not");
        assertThat(printk.mismatchWith(notVariadic).orElseThrow()).endsWith("it is variadic and the original is not");
    }

    @Test
    void parameterCountsReadNaturally() {
        FunctionPrototype one = prototype("void", "g", false, "int", "x");
        FunctionPrototype none = prototype("void", "h", false);
        assertThat(none.mismatchWith(one).orElseThrow()).endsWith("it has 0 parameters instead of 1");
        assertThat(one.mismatchWith(none).orElseThrow()).endsWith("it has 1 parameter instead of 0");
        assertThat(none.toString()).isEqualTo("void h(void)");
        assertThat(none.typeSignature()).isEqualTo("void (void)");
    }
}
