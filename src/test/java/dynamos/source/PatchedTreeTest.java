package dynamos.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dynamos.kernel.KernelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The patched copy of a (tiny) tree: made with hard links, patched without writing the pristine files. */
class PatchedTreeTest {
    @TempDir
    Path dir;
    PreparedSource source;

    @BeforeEach
    void tree() throws Exception {
        Path tree = dir.resolve("source/tree");
        Files.createDirectories(tree.resolve("fs/proc"));
        Files.writeString(tree.resolve("fs/proc/cmdline.c"), "int a;\nint b;\n");
        Files.writeString(tree.resolve("fs/proc/other.c"), "int c;\n");
        new SourceStamp(java.util.Map.of("release", "test")).write(tree);
        source = new PreparedSource(new KernelRelease("test", dir), "1.0-1", tree, "gcc");
    }

    @Test
    void patchesALinkedCopyAndLeavesThePristineTreeAlone() throws Exception {
        Path patch = dir.resolve("p.patch");
        Files.writeString(patch, "--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n@@ -1,2 +1,2 @@\n int a;\n-int b;\n+int b2;\n");
        Path copy = PatchedTree.of(source, patch);
        assertThat(copy).isEqualTo(dir.resolve("source/patched").resolve(KernelSource.sha256(patch).substring(0, 16)));
        assertThat(copy.resolve("fs/proc/cmdline.c")).hasContent("int a;\nint b2;");
        assertThat(source.tree().resolve("fs/proc/cmdline.c")).hasContent("int a;\nint b;");
        // untouched files are the same inode; the patched one is not
        assertThat(Files.isSameFile(copy.resolve("fs/proc/other.c"), source.tree().resolve("fs/proc/other.c"))).isTrue();
        assertThat(Files.isSameFile(copy.resolve("fs/proc/cmdline.c"), source.tree().resolve("fs/proc/cmdline.c"))).isFalse();
        assertThat(copy.resolve(SourceStamp.FILE)).doesNotExist();
        assertThat(copy.resolve(PatchedTree.COMPLETE)).isRegularFile();
        // the same patch again: the same copy, not made anew
        Files.writeString(copy.resolve("marker"), "x");
        assertThat(PatchedTree.of(source, patch)).isEqualTo(copy);
        assertThat(copy.resolve("marker")).exists();
    }

    @Test
    void aPatchThatDoesNotApplyIsRefusedAndLeavesNoCopy() throws Exception {
        Path patch = dir.resolve("bad.patch");
        Files.writeString(patch, "--- a/fs/proc/cmdline.c\n+++ b/fs/proc/cmdline.c\n@@ -1,2 +1,2 @@\n int x;\n-int y;\n+int z;\n");
        assertThatThrownBy(() -> PatchedTree.of(source, patch)).isInstanceOf(SourceException.class)
                .hasMessageContaining("does not apply to Debian's 1.0-1 source").hasMessageContaining("rebase the patch");
        assertThat(source.tree().resolve("fs/proc/cmdline.c")).hasContent("int a;\nint b;");
        try (var s = Files.list(dir.resolve("source/patched"))) {
            assertThat(s).isEmpty();
        }
    }
}
