package dynamos.elf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModuleInfoTest {
    @Test
    void parsesNulSeparatedKeyValueStringsSkippingPadding() {
        byte[] section = "license=GPL\0\0\0description=a test\0alias=x\0alias=y\0vermagic=6.1.0-56-amd64 SMP mod_unload \0flag\0"
                .getBytes(StandardCharsets.UTF_8);
        ModuleInfo info = ModuleInfo.parse(section);

        assertThat(info.license()).hasValue("GPL");
        assertThat(info.vermagic()).hasValue("6.1.0-56-amd64 SMP mod_unload ");
        assertThat(info.get("description")).hasValue("a test");
        assertThat(info.getAll("alias")).containsExactly("x", "y");
        assertThat(info.get("flag")).hasValue("");
        assertThat(info.name()).isEmpty();
        assertThat(info.entries()).hasSize(6);
    }

    @Test
    void valuesMayContainEqualsSigns() {
        ModuleInfo info = ModuleInfo.parse("parm=debug:level=1 (int)".getBytes(StandardCharsets.UTF_8));
        assertThat(info.get("parm")).hasValue("debug:level=1 (int)");
    }

    @Test
    void anEmptySectionHasNoEntries() {
        assertThat(ModuleInfo.parse(new byte[0]).entries()).isEmpty();
        assertThat(ModuleInfo.parse(new byte[8]).entries()).isEmpty();
    }
}
