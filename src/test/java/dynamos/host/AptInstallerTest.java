package dynamos.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptInstallerTest {
    @TempDir
    Path logs;

    private final List<String> shown = new ArrayList<>();
    private final List<List<String>> ran = new ArrayList<>();
    private final List<Path> dirs = new ArrayList<>();

    /** A canned apt-get run: what it prints and its exit status. */
    private record Canned(int exitCode, String output) {}

    /** Plays apt-get: each call writes the next canned output, in odd pieces as a pipe delivers them. */
    private ProgramRunner apt(Canned... runs) {
        Deque<Canned> next = new ArrayDeque<>(List.of(runs));
        return (command, dir, env, sink) -> {
            ran.add(command);
            dirs.add(dir);
            assertThat(env).containsEntry("DEBIAN_FRONTEND", "noninteractive");
            Canned c = next.removeFirst();
            byte[] b = c.output().getBytes(StandardCharsets.UTF_8);
            try {
                for (int i = 0; i < b.length; i += 7) {
                    sink.write(b, i, Math.min(7, b.length - i));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Exec.Result(command, c.exitCode(), c.output());
        };
    }

    private static final String INSTALL_OUTPUT = """
            Reading package lists...
            The following NEW packages will be installed:
              cpio libaio1 qemu-system-x86
            Need to get 12.5 MB of archives.
            Get:1 http://deb.debian.org/debian bookworm/main amd64 libaio1 amd64 0.3.113-4 [13.2 kB]
            Unpacking qemu-system-x86 (1:7.2+dfsg-7+deb12u7) ...
            Setting up libaio1:amd64 (0.3.113-4) ...
            Setting up cpio (2.13+dfsg-7.1) ...
            Setting up qemu-system-x86 (1:7.2+dfsg-7+deb12u7) ...
            Processing triggers for man-db (2.11.2-2) ...""";

    @Test
    void showsALinePerRequestedPackageAndKeepsAptsWholeOutputInTheLog() throws IOException {
        AptInstaller apt = new AptInstaller(apt(new Canned(0, INSTALL_OUTPUT)), logs, shown::add);

        apt.install(List.of("qemu-system-x86", "cpio"));

        assertThat(ran).containsExactly(List.of("apt-get", "install", "-y", "-q", "--no-install-recommends",
                "qemu-system-x86", "cpio"));
        assertThat(shown).containsExactly("apt-get's output goes to " + apt.log(), "Need to get 12.5 MB of archives.",
                "installed cpio (1/2)", "installed qemu-system-x86 (2/2)", "and 1 dependency");
        assertThat(apt.log()).hasParent(logs);
        assertThat(Files.readString(apt.log()))
                .contains("$ apt-get install -y -q --no-install-recommends qemu-system-x86 cpio")
                .contains(INSTALL_OUTPUT).contains("(exit 0)");
    }

    @Test
    void aFailedInstallIsRetriedAfterAnUpdateAndAFinalFailureNamesTheLog() throws IOException {
        String missing = "E: Unable to locate package qemu-system-x86\n";
        AptInstaller apt = new AptInstaller(apt(new Canned(100, missing),
                new Canned(0, "Hit:1 http://deb.debian.org/debian bookworm InRelease\n"), new Canned(100, missing)),
                logs, shown::add);

        assertThatThrownBy(() -> apt.install(List.of("qemu-system-x86")))
                .isInstanceOf(HostException.class)
                .hasMessageContaining("apt-get install failed (exit 100)")
                .hasMessageContaining("E: Unable to locate package qemu-system-x86")
                .hasMessageContaining("the whole output is in " + apt.log());
        assertThat(ran).extracting(c -> c.get(1)).containsExactly("install", "update", "install");
        assertThat(shown).contains("apt-get install failed; refreshing package lists (apt-get update) and retrying")
                .noneMatch(l -> l.startsWith("installed"));
        assertThat(Files.readString(apt.log())).contains("$ apt-get update -q").contains("Hit:1").contains("(exit 100)");
    }

    @Test
    void aDownloadRunsInTheGivenDirectoryAndItsOutputGoesToTheLogOnly() throws IOException {
        Path work = Files.createDirectories(logs.resolve("work"));
        AptInstaller apt = new AptInstaller(apt(new Canned(0, "Get:1 http://deb.debian.org linux-image [68.0 MB]\n")),
                logs, shown::add);

        apt.download("linux-image-6.1.0-56-amd64", work);

        assertThat(dirs).containsExactly(work);
        assertThat(ran.getFirst()).containsSubsequence("apt-get", "download", "linux-image-6.1.0-56-amd64");
        assertThat(shown).containsExactly("apt-get's output goes to " + apt.log());
        assertThat(Files.readString(apt.log())).contains("Get:1 http://deb.debian.org linux-image [68.0 MB]");
    }
}
