package dynamos.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceStampTest {
    @TempDir
    Path dir;

    @Test
    void writtenStampReadsBackEqualAndMissingOneIsEmpty() {
        assertThat(SourceStamp.read(dir)).isEmpty();
        SourceStamp s = new SourceStamp(Map.of("release", "6.1.0-57-amd64", "debian-version", "6.1.192-3"));
        s.write(dir);
        assertThat(SourceStamp.read(dir)).contains(s);
        assertThat(SourceStamp.read(dir).orElseThrow().differences(s)).isEmpty();
    }

    @Test
    void differencesNameChangedMissingAndExtraKeys() throws Exception {
        Files.writeString(dir.resolve(SourceStamp.FILE), "# comment\nrelease=6.1.0-57-amd64\nconfig-sha256=aaa\nold=1\n");
        SourceStamp have = SourceStamp.read(dir).orElseThrow();
        SourceStamp wanted = new SourceStamp(Map.of("release", "6.1.0-57-amd64", "config-sha256", "bbb",
                "targets", "olddefconfig prepare"));
        assertThat(have.differences(wanted)).containsOnlyKeys("config-sha256", "targets", "old")
                .containsEntry("config-sha256", "aaa -> bbb").containsEntry("targets", "(none) -> olddefconfig prepare");
    }
}
