package dynamos.framework;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HookKindTest {
    @Test
    void everyKindHasTheKernelHeadersNumber() throws Exception {
        String header = Files.readString(Path.of("kernel/include/uapi/dynamos.h"));
        for (HookKind k : HookKind.values()) {
            Matcher m = Pattern.compile("#define DYNAMOS_HOOK_" + k.name() + "\\s+(\\d+)").matcher(header);
            assertThat(m.find()).as(k.name()).isTrue();
            assertThat(k.abi()).as(k.name()).isEqualTo(Integer.parseInt(m.group(1)));
        }
        Matcher nr = Pattern.compile("#define DYNAMOS_NR_HOOKS\\s+(\\d+)").matcher(header);
        assertThat(nr.find()).isTrue();
        assertThat(HookKind.values()).hasSize(Integer.parseInt(nr.group(1)));
    }

    @Test
    void parsesEverySpellingOfTheTargetModuleKinds() {
        assertThat(HookKind.parse("target-coming")).isEqualTo(HookKind.TARGET_COMING);
        assertThat(HookKind.parse("TARGET_GOING")).isEqualTo(HookKind.TARGET_GOING);
        assertThat(HookKind.TARGET_COMING.cliName()).isEqualTo("target-coming");
        assertThat(HookKind.TARGET_GOING.tableName()).isEqualTo("target_going");
        assertThatThrownBy(() -> HookKind.parse("target")).hasMessageContaining(HookKind.CLI_NAMES);
    }
}
