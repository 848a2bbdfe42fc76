package dynamos.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class InitramfsTest {
    @Test
    void tellsStaticFromDynamicExecutables() throws Exception {
        // The JVM's own launcher is dynamically linked.
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        assertThat(Initramfs.isStatic(Files.readAllBytes(java))).isFalse();
        assertThat(Initramfs.isStatic("#!/bin/sh\n".getBytes())).isFalse();
        if (Files.isRegularFile(Initramfs.BUSYBOX)) {
            // busybox-static is what the VM needs; the dynamic busybox package would fail here.
            assertThat(Initramfs.isStatic(Files.readAllBytes(Initramfs.BUSYBOX))).isTrue();
        }
    }

    @Test
    void initScriptIsPackaged() throws Exception {
        String init = new String(Initramfs.initScript());
        assertThat(init).startsWith("#!/bin/busybox sh").contains("exit-status").contains("poweroff -f");
    }
}
