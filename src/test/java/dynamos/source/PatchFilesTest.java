package dynamos.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class PatchFilesTest {
    @Test
    void readsTheTestPatch() {
        List<PatchFiles.FileChange> files = PatchFiles.read(Path.of("src/test/patches/cmdline-string.patch"));
        assertThat(files).hasSize(1);
        assertThat(files.getFirst().path()).isEqualTo("fs/proc/cmdline.c");
        assertThat(files.getFirst().kind()).isEqualTo(PatchFiles.Kind.MODIFIED);
        assertThat(files.getFirst().isC()).isTrue();
        assertThat(files.getFirst().hunks()).isEqualTo(1);
    }

    @Test
    void gitDiffWithSeveralFilesNewAndDeletedOnesAndDates() {
        String diff = """
                diff --git a/include/linux/foo.h b/include/linux/foo.h
                index 1111111..2222222 100644
                --- a/include/linux/foo.h\t2026-01-01 10:00:00.000000000 +0000
                +++ b/include/linux/foo.h\t2026-01-02 10:00:00.000000000 +0000
                @@ -1,3 +1,3 @@
                 #define A 1
                -#define B 2
                +#define B 3
                 #define C 4
                @@ -10 +10 @@
                -x
                +y
                --- /dev/null
                +++ b/kernel/new.c
                @@ -0,0 +1,2 @@
                +int x;
                +int y;
                --- a/arch/x86/kernel/old.S
                +++ /dev/null
                @@ -1 +0,0 @@
                -nop
                """;
        List<PatchFiles.FileChange> files = PatchFiles.parse(diff, "t.patch");
        assertThat(files).extracting(PatchFiles.FileChange::path)
                .containsExactly("include/linux/foo.h", "kernel/new.c", "arch/x86/kernel/old.S");
        assertThat(files).extracting(PatchFiles.FileChange::kind)
                .containsExactly(PatchFiles.Kind.MODIFIED, PatchFiles.Kind.ADDED, PatchFiles.Kind.DELETED);
        assertThat(files.getFirst().hunks()).isEqualTo(2);
        assertThat(files.get(0).isHeader()).isTrue();
        assertThat(files.get(2).isAssembly()).isTrue();
    }

    @Test
    void aRemovedLineThatLooksLikeAHeaderStaysInItsHunk() {
        String diff = """
                --- a/lib/x.c
                +++ b/lib/x.c
                @@ -1,2 +1,2 @@
                --- a/not/a/file.c
                ++++ b/not/a/file.c
                +two
                +three
                """;
        // the hunk counts 2 old and 2 new lines: "-- a/not..." is a removed line, "+++ b/not..." an added one
        assertThatThrownBy(() -> PatchFiles.parse(diff, "t.patch")).isInstanceOf(SourceException.class)
                .hasMessageContaining("does not have the lines");
        String ok = """
                --- a/lib/x.c
                +++ b/lib/x.c
                @@ -1,2 +1,2 @@
                --- a/not/a/file.c
                ++++ b/not/a/file.c
                 same
                """;
        assertThat(PatchFiles.parse(ok, "t.patch")).extracting(PatchFiles.FileChange::path).containsExactly("lib/x.c");
    }

    @Test
    void refusesWhatIsNoDiffAndPathsLeavingTheTree() {
        assertThatThrownBy(() -> PatchFiles.parse("hello\n", "t.patch")).hasMessageContaining("not a unified diff");
        assertThatThrownBy(() -> PatchFiles.parse("--- a/../etc/passwd\n+++ b/../etc/passwd\n@@ -1 +1 @@\n-a\n+b\n",
                "t.patch")).hasMessageContaining("leaves the source tree");
        assertThatThrownBy(() -> PatchFiles.parse("--- x.c\n+++ x.c\n@@ -1 +1 @@\n-a\n+b\n", "t.patch"))
                .hasMessageContaining("patch -p1");
        assertThatThrownBy(() -> PatchFiles.parse("--- a/x.c\n+++ b/x.c\n@@ -1,3 +1,3 @@\n-a\n+b\n", "t.patch"))
                .hasMessageContaining("does not have the lines");
    }
}
