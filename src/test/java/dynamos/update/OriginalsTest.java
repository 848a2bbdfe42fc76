package dynamos.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class OriginalsTest {
    private static final Kallsyms KALLSYMS = Kallsyms.parse(List.of(
            "ffffffffb07e0000 T show_fd_locks",
            "ffffffffb07e5e20 t load_elf_binary",
            "ffffffffb07e7000 T elf_core_dump_helper",
            "ffffffffb07e8b70 t load_elf_binary",
            "ffffffffb07f0000 T posix_acl_init",
            "ffffffffb2005578 d p_start",
            "ffffffffb07f1000 t p_start",
            "ffffffffb07f2000 T vfs_read",
            "ffffffffc0001000 t load_elf_binary\t[some_module]"));
    private static final Function<Kallsyms.Entry, String> WHERE = Originals.neighbours(KALLSYMS);

    private static UpdateDeclaration replacing(String original, Map<String, Integer> positions) {
        return new UpdateDeclaration("u", List.of(new UpdateDeclaration.Replacement(1, 2, original, "v2")),
                Map.of(), Map.of(), List.of(), List.of(), positions);
    }

    @Test
    void anAmbiguousOriginalWithoutAPositionNamesTheCandidatesTheirNeighboursAndTheFix() {
        assertThatThrownBy(() -> Originals.positions(replacing("load_elf_binary", Map.of()), KALLSYMS, WHERE))
                .isInstanceOf(UpdateException.class)
                .hasMessageContaining("the replaced function load_elf_binary is ambiguous: the kernel has 2 entries")
                .hasMessageContaining("1: ffffffffb07e5e20 t load_elf_binary  (after show_fd_locks and before elf_core_dump_helper)")
                .hasMessageContaining("2: ffffffffb07e8b70 t load_elf_binary  (after elf_core_dump_helper and before posix_acl_init)")
                .hasMessageContaining("add DYNAMOS_SYMBOL(load_elf_binary, N) to the update's source")
                .hasMessageContaining("nothing was changed");
    }

    @Test
    void aPositionPicksOneAndOutOfRangeOrDataIsRefused() {
        assertThat(Originals.positions(replacing("load_elf_binary", Map.of("load_elf_binary", 2)), KALLSYMS, WHERE))
                .isEqualTo(Map.of(1L, 2));
        assertThat(Originals.positions(replacing("vmlinux:load_elf_binary", Map.of("load_elf_binary", 1)), KALLSYMS,
                WHERE)).isEqualTo(Map.of(1L, 1));
        assertThatThrownBy(() -> Originals.positions(replacing("load_elf_binary", Map.of("load_elf_binary", 3)),
                KALLSYMS, WHERE)).isInstanceOf(UpdateException.class)
                .hasMessageContaining("DYNAMOS_SYMBOL(load_elf_binary, 3): the core kernel has only 2 entries named"
                        + " load_elf_binary");
        assertThatThrownBy(() -> Originals.positions(replacing("p_start", Map.of("p_start", 1)), KALLSYMS, WHERE))
                .isInstanceOf(UpdateException.class)
                .hasMessageContaining("which is not a function; the functions of that name are at positions 2");
    }

    @Test
    void uniqueAndModuleOriginalsNeedNoPosition() {
        assertThat(Originals.positions(replacing("vfs_read", Map.of()), KALLSYMS, WHERE)).isEmpty();
        assertThat(Originals.positions(replacing("some_module:load_elf_binary", Map.of()), KALLSYMS, WHERE)).isEmpty();
        // The kernel finds data symbols by name too: a variable of the function's name makes it ambiguous.
        assertThatThrownBy(() -> Originals.positions(replacing("p_start", Map.of()), KALLSYMS, WHERE))
                .isInstanceOf(UpdateException.class).hasMessageContaining("2: ffffffffb07f1000 t p_start");
    }
}
