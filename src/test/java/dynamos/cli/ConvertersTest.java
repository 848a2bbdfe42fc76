package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.framework.HookKind;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

class ConvertersTest {
    @Test
    void updateIdsAreUnsigned32BitNumbers() {
        Converters.UpdateId c = new Converters.UpdateId();
        assertThat(c.convert("0")).isZero();
        assertThat(c.convert("4294967295")).isEqualTo(4294967295L);
        for (String bad : new String[] {"-1", "4294967296", "x", "", "1.5"}) {
            assertThatThrownBy(() -> c.convert(bad)).isInstanceOf(TypeConversionException.class)
                    .hasMessage("update id '" + bad + "' is not a number from 0 to 4294967295");
        }
    }

    @Test
    void versionsAreZeroOrMoreAndRunnableVersionsOneOrMore() {
        assertThat(new Converters.Version().convert("0")).isZero();
        assertThat(new Converters.Version().convert("32")).isEqualTo(32);
        assertThatThrownBy(() -> new Converters.Version().convert("-1")).hasMessageContaining("0 or more");
        assertThatThrownBy(() -> new Converters.Version().convert("99999999999")).hasMessageContaining("0 or more");
        assertThat(new Converters.RunnableVersion().convert("1")).isEqualTo(1);
        assertThatThrownBy(() -> new Converters.RunnableVersion().convert("0")).hasMessageContaining("1 or more");
    }

    @Test
    void namesAndFunctionsAreChecked() {
        assertThat(new Converters.UpdateName().convert("pipe_read")).isEqualTo("pipe_read");
        assertThat(new Converters.UpdateName().convert("a".repeat(63))).hasSize(63);
        assertThatThrownBy(() -> new Converters.UpdateName().convert("a".repeat(64))).hasMessageContaining("1 to 63");
        assertThatThrownBy(() -> new Converters.UpdateName().convert("two words")).hasMessageContaining("without spaces");
        assertThatThrownBy(() -> new Converters.UpdateName().convert("")).hasMessageContaining("1 to 63");
        assertThat(new Converters.FunctionName().convert("mod-x:fn_v2.cold")).isEqualTo("mod-x:fn_v2.cold");
        assertThatThrownBy(() -> new Converters.FunctionName().convert("2fn")).hasMessageContaining("not a function name");
        assertThatThrownBy(() -> new Converters.FunctionName().convert("fn()")).hasMessageContaining("not a function name");
    }

    @Test
    void hookKindsAddressesAndSeconds() {
        assertThat(new Converters.Hook().convert("pre-removal")).isEqualTo(HookKind.PRE_REMOVAL);
        assertThatThrownBy(() -> new Converters.Hook().convert("during")).isInstanceOf(TypeConversionException.class)
                .hasMessageContaining("expected pre-activation");
        assertThat(new Converters.Address().convert("0xFFFFFFFF81000000")).isEqualTo(0xffffffff81000000L);
        assertThat(new Converters.Address().convert("4096")).isEqualTo(4096L);
        assertThatThrownBy(() -> new Converters.Address().convert("0xzz")).hasMessageContaining("decimal or 0x hex");
        assertThat(new Converters.Seconds().convert("0.5")).isEqualTo(0.5);
        assertThat(new Converters.Seconds().convert("600")).isEqualTo(600.0);
        assertThatThrownBy(() -> new Converters.Seconds().convert("0")).hasMessageContaining("0 to 600 seconds");
        assertThatThrownBy(() -> new Converters.Seconds().convert("600.5")).hasMessageContaining("0 to 600 seconds");
        assertThatThrownBy(() -> new Converters.Seconds().convert("NaN")).hasMessageContaining("0 to 600 seconds");
        assertThat(new Converters.SecondsOrZero().convert("0")).isZero();
        assertThat(Converters.millis(1.2345)).isEqualTo(1235);
    }
}
