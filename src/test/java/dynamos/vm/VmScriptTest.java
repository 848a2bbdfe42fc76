package dynamos.vm;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.host.Exec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class VmScriptTest {
    @Test
    void quotedArgumentsReachTheCommandUnchanged() {
        List<String> args = List.of("printf", "[%s]\\n", "plain", "two words", "it's", "$HOME", "`x`", "a\"b", "");
        VmOptions o = new VmOptions();
        o.workDir = Path.of("/");
        o.env.put("EXTRA", "v a'l");
        String script = Vm.commandScript(o, args) + "";
        // Run the generated script with the host's sh: exactly the guest's interpreter.
        Exec.Result r = Exec.capture(List.of("sh", "-c", script));
        assertThat(r.exitCode()).isZero();
        assertThat(r.output()).isEqualTo("[plain]\n[two words]\n[it's]\n[$HOME]\n[`x`]\n[a\"b]\n[]\n");
        Exec.Result env = Exec.capture(List.of("sh", "-c", Vm.commandScript(o, List.of("sh", "-c", "echo \"$EXTRA:$DYNAMOS_IN_VM\"; pwd"))));
        assertThat(env.output()).isEqualTo("v a'l:1\n/\n");
    }

    @Test
    void badEnvironmentNamesAreRefused() {
        VmOptions o = new VmOptions();
        o.env.put("A;rm -rf /", "x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Vm.commandScript(o, List.of("true")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void icountForcesOneVcpu() {
        VmOptions o = new VmOptions();
        o.smp = 4;
        o.icount = true;
        assertThat(o.effectiveSmp()).isEqualTo(1);
    }

    @Test
    void portForwardsParseAndRefuseNonsense() {
        org.assertj.core.api.Assertions.assertThat(VmOptions.Forward.parse("7070:8080"))
                .isEqualTo(new VmOptions.Forward(7070, 8080));
        org.assertj.core.api.Assertions.assertThat(VmOptions.Forward.parse("7070")).isEqualTo(new VmOptions.Forward(7070, 7070));
        for (String bad : new String[] {"", "a:b", "1:2:3", "0:80", "80:70000"}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> VmOptions.Forward.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
