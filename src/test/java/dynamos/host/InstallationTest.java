package dynamos.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstallationTest {
    @TempDir
    Path tmp;

    @Test
    void thePackagesLayoutFileNamesItsDirectories() throws IOException {
        Path f = tmp.resolve(Installation.LAYOUT_FILE);
        Files.writeString(f, "framework_source=/usr/src/dynamos-0.1.0\ninclude=/usr/include/dynamos\n"
                + "examples=/usr/share/dynamos/examples\nstate=/var/lib/dynamos\n");
        Installation.Packaged p = Installation.Packaged.read(f);
        assertThat(p.frameworkSource()).isEqualTo(Path.of("/usr/src/dynamos-0.1.0"));
        assertThat(p.include()).isEqualTo(Path.of("/usr/include/dynamos"));
        assertThat(p.examples()).isEqualTo(Path.of("/usr/share/dynamos/examples"));
        assertThat(p.state()).isEqualTo(Path.of("/var/lib/dynamos"));
    }

    @Test
    void aLayoutFileWithoutAnEntrySaysWhichAndHowToMendIt() throws IOException {
        Path f = tmp.resolve(Installation.LAYOUT_FILE);
        Files.writeString(f, "include=/usr/include/dynamos\n");
        assertThatThrownBy(() -> Installation.Packaged.read(f)).hasMessageContaining("no framework_source=")
                .hasMessageContaining("reinstall the dynamos package");
    }

    @Test
    void aSourceTreeBuildIsNotPackaged() {
        // Tests run from target/classes of the source tree, with no layout file beside them.
        assertThat(Installation.packaged()).isNull();
        assertThat(Installation.include()).isEqualTo(Installation.repo().resolve("kernel/include"));
        assertThat(Installation.buildRoot()).isEqualTo(Installation.repo().resolve("target/kmod"));
    }
}
