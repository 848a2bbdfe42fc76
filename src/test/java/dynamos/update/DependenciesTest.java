package dynamos.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dynamos.elf.ElfObject;
import dynamos.elf.NativeTools;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Apply's check that the modules an update's module depends on are loaded, before anything changes. */
class DependenciesTest {
    @TempDir
    Path dir;

    /** An object with the .modinfo and .dynamos.update strings of an update module. */
    UpdateModule module(String depends, String... facts) throws Exception {
        assumeThat(NativeTools.available("gcc")).as("gcc").isTrue();
        StringBuilder src = new StringBuilder("static const char i0[] __attribute__((used, section(\".modinfo\")))"
                + " = \"name=dynamos_consumer\";\n");
        if (depends != null) {
            src.append("static const char i1[] __attribute__((used, section(\".modinfo\"))) = \"depends=")
                    .append(depends).append("\";\n");
        }
        String[] all = java.util.stream.Stream.concat(java.util.stream.Stream.of("update=consumer", "replace=1 2 f f_v2"),
                java.util.Arrays.stream(facts)).toArray(String[]::new);
        for (int i = 0; i < all.length; i++) {
            src.append("static const char d").append(i).append("[] __attribute__((used, section(\".dynamos.update\"),")
                    .append(" aligned(1))) = \"").append(all[i].replace("\"", "\\\"")).append("\";\n");
        }
        src.append("int f_v2(void) { return 2; }\n");
        Path o = NativeTools.compile(dir, "consumer", src.toString(), "-O2");
        ElfObject elf = ElfObject.read(o);
        return new UpdateModule(o, elf, "dynamos_consumer", UpdateDeclaration.of(elf));
    }

    @Test
    void readsTheModulesDependedOn() throws Exception {
        assertThat(Dependencies.of(module("dynamos_provider,dynamos"))).containsExactly("dynamos_provider", "dynamos");
        assertThat(Dependencies.of(module(""))).isEmpty();
        assertThat(Dependencies.of(module(null))).isEmpty();
    }

    @Test
    void anUpdateUsingAnUnappliedUpdateIsRefusedNamingIt() throws Exception {
        UpdateModule m = module("dynamos_provider,dynamos", "uses=provider dynamos_provider");
        assertThatThrownBy(() -> Dependencies.require(m, Set.of("dynamos")::contains))
                .isInstanceOf(UpdateException.class)
                .hasMessage("consumer uses symbols of update provider (module dynamos_provider): apply provider first;"
                        + " nothing was changed");
        Dependencies.require(m, Set.of("dynamos", "dynamos_provider")::contains);
    }

    @Test
    void aMissingModuleThatIsNoUpdateIsNamedToo() throws Exception {
        UpdateModule m = module("dynamos_target,dynamos_provider", "uses=provider dynamos_provider");
        assertThatThrownBy(() -> Dependencies.require(m, n -> false))
                .hasMessageContaining("consumer uses symbols of module dynamos_target, which is not loaded: load"
                        + " dynamos_target first")
                .hasMessageContaining("apply provider first");
    }
}
