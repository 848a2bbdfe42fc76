package dynamos.x86;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The struct offsets, sizes and enum values {@link Zydis} hard-codes are those of the installed headers:
 * a C program (src/test/resources/x86/zydis-layout.c) compiled against them prints each, and every
 * one must equal the Java constant of the same name.
 */
class ZydisLayoutTest {
    @TempDir
    Path dir;

    @Test
    void constantsMatchTheInstalledHeaders() throws Exception {
        assumeTrue(Files.isRegularFile(Path.of("/usr/include/Zydis/Zydis.h")),
                "Zydis headers missing: apt-get install libzydis-dev");
        Path src = dir.resolve("zydis-layout.c");
        try (InputStream in = ZydisLayoutTest.class.getResourceAsStream("/x86/zydis-layout.c")) {
            Files.copy(in, src);
        }
        Path exe = dir.resolve("zydis-layout");
        Process cc = new ProcessBuilder("gcc", "-Wall", "-Werror", "-o", exe.toString(), src.toString())
                .redirectErrorStream(true).start();
        String ccOut = new String(cc.getInputStream().readAllBytes());
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as("gcc: %s", ccOut).isZero();
        Process run = new ProcessBuilder(exe.toString()).start();
        String out = new String(run.getInputStream().readAllBytes());
        assertThat(run.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Map<String, Long> fromC = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            String[] f = line.split(" ");
            fromC.put(f[0], Long.parseLong(f[1]));
        }
        Map<String, Long> java = Zydis.constants();
        assertThat(fromC).hasSizeGreaterThan(40);
        // Every constant of the binding is checked, and every checked one is in the binding.
        assertThat(java).containsExactlyInAnyOrderEntriesOf(fromC);
    }

    @Test
    void theLoadedLibraryIsVersion4() {
        assumeTrue(Decoder.available(), "Zydis missing: apt-get install libzydis-dev");
        assertThat(Zydis.get().version >>> 48).isEqualTo(4);
    }

    @Test
    void aMissingLibraryNamesThePackageToInstall() {
        assertThatThrownBy(() -> Zydis.load("libZydisNotThere.so.4"))
                .isInstanceOf(DecoderUnavailableException.class)
                .hasMessageContaining("libZydisNotThere.so.4")
                .hasMessageContaining("apt-get install libzydis-dev");
    }

    @Test
    void aLibraryThatIsNotZydisIsRefused() {
        assertThatThrownBy(() -> Zydis.load("libc.so.6"))
                .isInstanceOf(DecoderUnavailableException.class)
                .hasMessageContaining("has no ZydisDecoderInit");
    }
}
