package dynamos.update;

import static org.assertj.core.api.Assertions.assertThat;

import dynamos.host.Exec;
import dynamos.testing.FrameworkGuest;
import dynamos.testing.Guest;
import dynamos.vm.VmResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code dynamos build}, {@code apply}, {@code revert} and {@code list} end to end: the FIFO hardening
 * example applied live to the stock kernel and reverted, and each kind of bad update refused with its
 * error, leaving nothing loaded or registered.
 */
class UpdatesIT {
    private static final Path UPDATES = Guest.REPO.resolve("src/test/updates");

    static Path build(Path dir) {
        return UpdateBuilder.compile(dir, Guest.REPO.resolve("target/kmod").resolve(Guest.kernel().version())
                .resolve("updates").resolve(dir.getFileName()), Guest.kernel()).getFirst();
    }

    /** Runs {@code dynamos ARGS} on the host as a user would. */
    static Exec.Result dynamos(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(Guest.REPO.resolve("dynamos").toString()));
        cmd.addAll(List.of(args));
        return Exec.capture(cmd, Guest.REPO, Map.of());
    }

    @Test
    void buildShowsCompilerErrorsWithTheSourcePath() {
        Exec.Result r = dynamos("build", UPDATES.resolve("compile_error").toString());
        assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains(UPDATES.resolve("compile_error/dynamos_bad_compile_error.c") + ":10:17: error: expected");
    }

    @Test
    void buildRefusesAPrototypeMismatchNamingBothPrototypesUnlessAllowed() {
        Path dir = UPDATES.resolve("prototype_mismatch");
        Exec.Result r = dynamos("build", dir.toString());
        assertThat(r.exitCode()).as(r.output()).isEqualTo(1);
        assertThat(r.output()).contains("may_open_v2").contains("int (const struct path *, int)")
                .contains("may_open").contains("int (struct user_namespace *, const struct path *, int, int)")
                .contains("--allow-signature-change");
        Path built = dir.resolve("build").resolve(Guest.kernel().version()).resolve("dynamos_bad_prototype_mismatch.ko");
        assertThat(built).as("a module that fails its checks is removed").doesNotExist();

        Exec.Result allowed = dynamos("build", "--allow-signature-change", dir.toString());
        assertThat(allowed.exitCode()).as(allowed.output()).isZero();
        assertThat(allowed.output()).contains("allowed signature change");
        assertThat(built).exists();
    }

    @Test
    void theFifoHardeningIsAppliedLiveAndRevertedAndBadUpdatesChangeNothing() {
        Path fifo = build(Guest.REPO.resolve("examples/fifo_sticky"));
        Path unknown = build(UPDATES.resolve("unknown_symbol"));
        Path ambiguous = build(UPDATES.resolve("ambiguous_symbol"));
        Path failingHook = build(UPDATES.resolve("failing_hook"));
        Path failingPostHook = build(UPDATES.resolve("failing_post_hook"));
        Path namesakeAmbiguous = build(UPDATES.resolve("namesake_ambiguous"));
        Path namesake = build(UPDATES.resolve("namesake_elf"));
        VmResult r = FrameworkGuest.runScenario("updates-fifo-sticky-and-bad-updates", Map.of("FIFO_STICKY", fifo.toString(),
                "BAD_UPDATES", String.join(" ", unknown.toString(), ambiguous.toString(), failingHook.toString(),
                failingPostHook.toString(), namesakeAmbiguous.toString()), "NAMESAKE", namesake.toString()));
        Map<String, String> v = FrameworkGuest.values(r);
        assertThat(v).containsEntry("before", "allowed")
                .containsEntry("after", "refused")
                .containsEntry("root_after", "refused")
                .containsEntry("owner_after", "allowed")
                .containsEntry("plain_after", "allowed")
                .containsEntry("reverted", "allowed")
                .containsEntry("rows_reverted", "0").containsEntry("loaded_reverted", "0");
        assertThat(r.output()).contains("resolved may_open_dev -> 0x").contains("resolved path_noexec -> 0x")
                .contains("resolved audit_log_path_denied -> 0x")
                .contains("fifo_sticky: refused pid").contains("fifo_sticky: removed; refused 2 FIFO open(s)");
        assertThat(v.get("list")).contains("\"name\": \"fifo_sticky\"").contains("\"function\": \"may_open\"")
                .contains("\"function\": \"may_open_v2\"").contains("\"active\": 2");
        assertThat(v.get("again_err")).contains("fifo_sticky is already applied");
        assertThat(v.get("revert_again_err")).contains("no update fifo_sticky is applied");

        // Each bad update: its error, and nothing left loaded or registered.
        for (String n : List.of("dynamos_bad_unknown_symbol", "dynamos_bad_ambiguous_symbol", "dynamos_bad_failing_hook",
                "dynamos_bad_failing_post_hook", "dynamos_bad_namesake_ambiguous")) {
            assertThat(v).as(n).containsEntry("rows_" + n, "0").containsEntry("loaded_" + n, "0");
        }
        assertThat(r.output()).contains("unknown symbol dynamos_no_such_kernel_symbol")
                .contains("ambiguous symbol set_root: kallsyms lists it")
                .contains("DYNAMOS_SYMBOL(set_root, POSITION)")
                .contains("applying bad_failing_hook failed at step 'activate bad_failing_hook 1 2'")
                .contains("everything done before was undone")
                // The group switched, then a post-activation hook failed: undone as well.
                .contains("bad_failing_post_hook: post-activation hook fails")
                .contains("applying bad_failing_post_hook failed at step 'activate-group bad_failing_post_hook 1 2 "
                        + "bad_failing_post_hook 2 2': 1 post-activation hook(s) failed");
        assertThat(v).containsEntry("opens_after_bad", "allowed");
        // An ambiguous original: refused before any change, naming the candidates and the fix.
        assertThat(r.output()).contains("the replaced function load_elf_binary is ambiguous")
                .containsPattern("1: [0-9a-f]{16} t load_elf_binary  \\(after \\w+ and before \\w+\\)")
                .contains("add DYNAMOS_SYMBOL(load_elf_binary, N)");
        // One of the two load_elf_binary (fs/binfmt_elf.c's, the first): every exec runs the new version.
        assertThat(v.get("namesake_table")).contains("namesake_elf 1 no load_elf_binary vmlinux;")
                .contains("namesake_elf 2 yes load_elf_binary_v2 dynamos_namesake_elf;");
        assertThat(r.output()).contains("registered load_elf_binary@1 as the original (version 1) of namesake_elf 1")
                .contains("namesake_elf: first exec through the new native load_elf_binary: ")
                .containsPattern("namesake_elf: removed after ([3-9]|\\d\\d+) exec\\(s\\) of 64-bit ELF programs");
        assertThat(v).containsEntry("rows_namesake", "0").containsEntry("loaded_namesake", "0");
        assertThat(Files.exists(fifo)).isTrue();
    }
}
