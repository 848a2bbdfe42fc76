package dynamos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfTest {
    @TempDir
    Path dir;

    @Test
    void anAotCacheNewerThanTheJarIsTakenAnOlderOneOrNoneIsNot() throws IOException {
        Path jar = Files.writeString(dir.resolve("dynamos.jar"), "jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(2_000_000_000_000L));
        assertThat(Self.aotCacheOf(jar)).isEmpty();

        Path cache = Files.writeString(dir.resolve("dynamos.aot"), "cache");
        Files.setLastModifiedTime(cache, FileTime.fromMillis(1_000_000_000_000L));
        assertThat(Self.aotCacheOf(jar)).as("a cache older than the jar is stale").isEmpty();

        Files.setLastModifiedTime(cache, FileTime.fromMillis(3_000_000_000_000L));
        assertThat(Self.aotCacheOf(jar)).contains(cache);
    }

    @Test
    void theCacheIsUsedWithTheOptionsTheLauncherMakesItWith() throws IOException {
        // scripts/lib.sh makes the cache with DYNAMOS_AOT_FLAGS; the JVM refuses a cache used with other options.
        String line = Files.readAllLines(Path.of("scripts/lib.sh")).stream()
                .filter(l -> l.startsWith("DYNAMOS_AOT_FLAGS=")).findFirst().orElseThrow();
        List<String> flags = Arrays.asList(line.substring(line.indexOf('"') + 1, line.lastIndexOf('"')).split(" "));
        assertThat(Self.AOT_CACHE_OPTIONS).isEqualTo(flags);
    }
}
