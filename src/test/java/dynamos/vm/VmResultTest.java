package dynamos.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VmResultTest {
    @TempDir
    Path runDir;

    @Test
    void aMissingKernelLogFailsTheCheckInsteadOfPassingIt() throws Exception {
        Files.writeString(runDir.resolve("console.log"), "[ 0.0] Linux version 6.1\n");
        VmResult r = new VmResult(0, "", runDir);
        assertThatThrownBy(r::kernelProblems).isInstanceOf(VmException.class)
                .hasMessageContaining(runDir.resolve("kernel.log").toString());
        assertThatThrownBy(r::kernelLog).isInstanceOf(VmException.class);
    }

    @Test
    void aMissingConsoleLogFailsTheCheckToo() throws Exception {
        Files.writeString(runDir.resolve("kernel.log"), "[ 0.0] Linux version 6.1\n");
        VmResult r = new VmResult(0, "", runDir);
        assertThatThrownBy(r::kernelProblems).isInstanceOf(VmException.class)
                .hasMessageContaining(runDir.resolve("console.log").toString());
    }

    @Test
    void problemsInEitherLogAreReported() throws Exception {
        Files.writeString(runDir.resolve("kernel.log"), "[ 1.0] BUG: kernel NULL pointer dereference\n");
        Files.writeString(runDir.resolve("console.log"), "[ 2.0] general protection fault\n");
        VmResult r = new VmResult(0, "", runDir);
        assertThat(r.kernelProblems()).hasSize(2);
        assertThat(r.kernelLog()).contains("BUG: kernel NULL pointer dereference");
    }
}
