package dynamos.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AffectedUnitsTest {
    @TempDir
    Path tree;

    private void cmd(String object, String source, String... deps) throws Exception {
        Path f = tree.resolve(KbuildCommand.cmdFile(object));
        Files.createDirectories(f.getParent());
        StringBuilder b = new StringBuilder("cmd_" + object + " := gcc -c -o " + object + " " + source + "\n\n");
        b.append("source_").append(object).append(" := ").append(source).append("\n\n");
        b.append("deps_").append(object).append(" := \\\n");
        for (String d : deps) {
            b.append("  ").append(d).append(" \\\n");
        }
        b.append("\n");
        Files.writeString(f, b.toString());
    }

    @Test
    void cFilesDirectlyHeadersThroughDependencyListsTheRestRefused() throws Exception {
        cmd("fs/proc/cmdline.o", "fs/proc/cmdline.c", "include/linux/seq_file.h", "include/linux/fs.h");
        cmd("fs/proc/meminfo.o", "fs/proc/meminfo.c", "include/linux/seq_file.h", "include/linux/mm.h");
        cmd("kernel/fork.o", "kernel/fork.c", "include/linux/mm.h");
        cmd("tools/objtool/check.o", "tools/objtool/check.c", "include/linux/seq_file.h");
        String diff = """
                --- a/include/linux/seq_file.h
                +++ b/include/linux/seq_file.h
                @@ -1 +1 @@
                -a
                +b
                --- a/include/linux/unseen.h
                +++ b/include/linux/unseen.h
                @@ -1 +1 @@
                -a
                +b
                --- a/kernel/pid.c
                +++ b/kernel/pid.c
                @@ -1 +1 @@
                -a
                +b
                --- a/arch/x86/entry/entry_64.S
                +++ b/arch/x86/entry/entry_64.S
                @@ -1 +1 @@
                -a
                +b
                --- a/fs/proc/Makefile
                +++ b/fs/proc/Makefile
                @@ -1 +1 @@
                -a
                +b
                """;
        AffectedUnits a = AffectedUnits.of(tree, PatchFiles.parse(diff, "t.patch"));
        assertThat(a.units()).containsExactly("fs/proc/cmdline.c", "fs/proc/meminfo.c", "kernel/pid.c");
        assertThat(a.unknownHeaders()).containsExactly("include/linux/unseen.h");
        assertThat(a.refused()).hasSize(2);
        assertThat(a.refused().get(0)).startsWith("arch/x86/entry/entry_64.S: an assembly file");
        assertThat(a.refused().get(1)).startsWith("fs/proc/Makefile: not a C or header file");
    }

    @Test
    void newFilesAreRefused() {
        AffectedUnits a = AffectedUnits.of(tree, List.of(new PatchFiles.FileChange(null, "kernel/new.c", 1)));
        assertThat(a.units()).isEmpty();
        assertThat(a.refused()).singleElement().asString().contains("added").contains("kbuild changes");
    }
}
