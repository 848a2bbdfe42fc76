package dynamos.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class KbuildCommandTest {
    static final String CMD = """
            cmd_fs/proc/cmdline.o := gcc-12 -Wp,-MMD,fs/proc/.cmdline.o.d -nostdinc -I./include -DKBUILD_MODFILE='"fs/proc/proc"' -DX=$$HOME -c -o fs/proc/cmdline.o fs/proc/cmdline.c   ; ./tools/objtool/objtool --orc --retpoline   fs/proc/cmdline.o

            source_fs/proc/cmdline.o := fs/proc/cmdline.c

            deps_fs/proc/cmdline.o := \\
              include/linux/compiler-version.h \\
                $(wildcard include/config/CC_VERSION_TEXT) \\
              include/linux/kconfig.h \\
              include/linux/seq_file.h \\

            fs/proc/cmdline.o: $(deps_fs/proc/cmdline.o)

            $(deps_fs/proc/cmdline.o):
            """;

    @Test
    void readsCommandSourceAndDependencies() {
        KbuildCommand k = KbuildCommand.parse(CMD, "t.cmd");
        assertThat(k.object()).isEqualTo("fs/proc/cmdline.o");
        assertThat(k.source()).isEqualTo("fs/proc/cmdline.c");
        assertThat(k.command()).startsWith("gcc-12 ").contains("-DX=$HOME").doesNotContain("$$");
        assertThat(k.deps()).containsExactly("include/linux/compiler-version.h", "include/linux/kconfig.h",
                "include/linux/seq_file.h");
        assertThat(k.dependsOn("include/linux/seq_file.h")).isTrue();
        assertThat(k.dependsOn("include/config/CC_VERSION_TEXT")).isFalse();
    }

    @Test
    void retargetsObjectDependencyFileAndObjtoolAndAddsFlags() {
        KbuildCommand k = KbuildCommand.parse(CMD, "t.cmd");
        String c = k.retargeted(Path.of("/out/before/fs/proc/cmdline.o"), List.of("-ffunction-sections", "-fdata-sections"));
        assertThat(c).contains("-Wp,-MMD,/out/before/fs/proc/cmdline.o.d ")
                .contains("-ffunction-sections -fdata-sections -c -o /out/before/fs/proc/cmdline.o fs/proc/cmdline.c")
                .endsWith("--retpoline   /out/before/fs/proc/cmdline.o")
                .contains("-DKBUILD_MODFILE='\"fs/proc/proc\"'");
        assertThat(c.replace("/out/before/fs/proc/cmdline.o", "")).doesNotContain("fs/proc/cmdline.o");
    }

    @Test
    void namesOfObjectsAndTheirFiles() {
        assertThat(KbuildCommand.objectOf("fs/proc/cmdline.c")).isEqualTo("fs/proc/cmdline.o");
        assertThat(KbuildCommand.cmdFile("fs/proc/cmdline.o")).isEqualTo("fs/proc/.cmdline.o.cmd");
        assertThat(KbuildCommand.depFile("init/main.o")).isEqualTo("init/.main.o.d");
        assertThatThrownBy(() -> KbuildCommand.objectOf("arch/x86/entry/entry_64.S"))
                .hasMessageContaining("not a C translation unit");
    }

    @Test
    void refusesWhatIsNoCompilation() {
        assertThatThrownBy(() -> KbuildCommand.parse("savedcmd_x := ld -r\n", "t.cmd")).isInstanceOf(SourceException.class)
                .hasMessageContaining("no 'cmd_...' line");
        KbuildCommand link = KbuildCommand.parse("cmd_fs/built-in.a := rm -f fs/built-in.a; ar cDPrST fs/built-in.a x.o\n",
                "t.cmd");
        assertThatThrownBy(() -> link.retargeted(Path.of("/out/x.o"), List.of())).hasMessageContaining("not a C compilation");
    }
}
