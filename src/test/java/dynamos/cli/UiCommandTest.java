package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The ui command's interface; the server itself is tested in dynamos.ui. */
class UiCommandTest {
    @Test
    void helpSaysHowToReachItAndABadPortIsAUsageError() {
        CliRun help = CliRun.of("ui", "--help");
        assertThat(help.status()).isZero();
        assertThat(help.out()).contains("--port").contains("127.0.0.1").contains("ssh -L 7070:127.0.0.1:7070");
        CliRun bad = CliRun.of("ui", "--port", "70000");
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("--port takes 0 to 65535, not 70000");
        assertThat(CliRun.of("--help").out()).contains("ui");
    }

    @Test
    void rootIsReadFromTheEffectiveUid() {
        boolean root = "root".equals(System.getProperty("user.name"));
        assertThat(UiCommand.root()).isEqualTo(root);
    }
}
