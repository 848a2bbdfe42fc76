package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamesakesTest {
    private static final List<String> KALLSYMS = List.of(
            "ffffffffb07e59b0 t load_elf_library",
            "ffffffffb07e5e20 t load_elf_binary",
            "ffffffffb07e8b70 t load_elf_binary",
            "ffffffffb2005578 d p_start",
            "ffffffffb07f0000 t p_start",
            "ffffffffc0001000 t load_elf_binary\t[some_module]");

    @Test
    void aPositionFollowsTheNameAfterAnAt() {
        assertThat(Namesakes.parse("load_elf_binary")).isEqualTo(new Namesakes.Named("load_elf_binary", 0));
        assertThat(Namesakes.parse("load_elf_binary@2")).isEqualTo(new Namesakes.Named("load_elf_binary", 2));
        assertThat(Namesakes.parse("vmlinux:load_elf_binary@1").toString()).isEqualTo("vmlinux:load_elf_binary@1");
        for (String bad : List.of("f@0", "f@x", "f@", "f@-1")) {
            assertThatThrownBy(() -> Namesakes.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("position after @ is a number from 1");
        }
        assertThatThrownBy(() -> Namesakes.parse("mod:f@2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a position names a core-kernel function");
    }

    @Test
    void theAddressIsTheNthCoreKernelEntryOfTheName() {
        assertThat(Namesakes.address(KALLSYMS, "load_elf_binary", 1)).isEqualTo(0xffffffffb07e5e20L);
        assertThat(Namesakes.address(KALLSYMS, "vmlinux:load_elf_binary", 2)).isEqualTo(0xffffffffb07e8b70L);
        assertThatThrownBy(() -> Namesakes.address(KALLSYMS, "load_elf_binary", 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("load_elf_binary@3: the core kernel has only 2 function(s) named load_elf_binary;"
                        + " positions go from 1 to 2");
        assertThatThrownBy(() -> Namesakes.address(KALLSYMS, "p_start", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a function (kallsyms type d)");
        assertThat(Namesakes.address(KALLSYMS, "p_start", 2)).isEqualTo(0xffffffffb07f0000L);
        assertThatThrownBy(() -> Namesakes.address(KALLSYMS, "nothing", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown symbol nothing");
    }
}
