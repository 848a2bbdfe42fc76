package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code dynamos build}'s options, as far as they are checked before anything is built. */
class BuildCommandTest {
    @TempDir
    Path dir;

    @Test
    void usesIsRepeatableAndKeepsItsOrder() {
        BuildCommand b = new BuildCommand();
        new CommandLine(b).parseArgs("upd", "--uses", "fix1", "--uses", "fix0/build/R/m.ko", "--symbols", "S");
        assertThat(b.dir).isEqualTo(Path.of("upd"));
        assertThat(b.uses).containsExactly(Path.of("fix1"), Path.of("fix0/build/R/m.ko"));
        assertThat(b.symbols).containsExactly(Path.of("S"));
        BuildCommand none = new BuildCommand();
        new CommandLine(none).parseArgs("upd");
        assertThat(none.uses).isEmpty();
    }

    @Test
    void aUsesThatNamesNothingUsableFailsBeforeTheBuild() throws Exception {
        Path upd = dir.resolve("upd");
        Files.createDirectories(upd);
        Files.writeString(upd.resolve("Kbuild"), "obj-m := u.o\n");
        CliRun r = CliRun.of("build", upd.toString(), "--uses", dir.resolve("nowhere").toString());
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("--uses " + dir.resolve("nowhere") + ": no such file or directory");
        CliRun notSources = CliRun.of("build", upd.toString(), "--uses", dir.toString());
        assertThat(notSources.status()).isEqualTo(1);
        assertThat(notSources.err()).contains("not a directory of update sources (it has no Kbuild file)");
    }

    @Test
    void helpExplainsUses() {
        assertThat(CliRun.of("build", "--help").out()).contains("--uses=OTHER").contains("Module.symvers")
                .contains("refuses the update until OTHER is applied");
    }
}
