package dynamos.installed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootApplyTest {
    @TempDir
    Path tmp;

    /** A kernel of our own interface: records what the boot-time apply asked of it. */
    static final class RecordingKernel implements BootApply.Kernel {
        final List<String> calls = new ArrayList<>();
        final Set<String> applied = new HashSet<>();
        final Set<String> failing = new HashSet<>();
        boolean startFails;

        @Override
        public String release() {
            return "k1";
        }

        @Override
        public Set<String> appliedUpdates() {
            return applied;
        }

        @Override
        public void startFramework() {
            calls.add("start");
            if (startFails) {
                throw new IllegalStateException("no dynamos.ko for kernel k1");
            }
        }

        @Override
        public void apply(Path module) {
            String file = module.getFileName().toString();
            calls.add("apply " + file);
            if (failing.contains(file)) {
                throw new IllegalStateException("load failed");
            }
        }
    }

    private InstalledUpdates store(String... nameKernel) throws IOException {
        InstalledUpdates store = new InstalledUpdates(tmp.resolve("state"));
        for (String nk : nameKernel) {
            String[] p = nk.split("@");
            Path ko = tmp.resolve(p[0] + ".ko");
            Files.writeString(ko, nk);
            store.install(p[0], p[0], ko, p[1], "");
        }
        return store;
    }

    @Test
    void appliesTheUpdatesForThisKernelInInstallOrderAndSkipsOthersSayingWhy() throws IOException {
        InstalledUpdates store = store("a@k1", "b@k2", "c@k1");
        RecordingKernel k = new RecordingKernel();
        List<String> log = new ArrayList<>();

        List<BootApply.Outcome> out = BootApply.run(store, k, log::add);

        assertThat(k.calls).containsExactly("start", "apply a.ko", "apply c.ko");
        assertThat(out).extracting(o -> o.update().name() + ":" + o.result())
                .containsExactly("b:OTHER_KERNEL", "a:APPLIED", "c:APPLIED");
        assertThat(log).contains("skip b (#2): built for kernel k2, not k1", "applied a", "applied c")
                .last().isEqualTo("2 applied, 0 already applied, 1 skipped, 0 failed");
        assertThat(BootApply.succeeded(out)).isTrue();
    }

    @Test
    void nothingForThisKernelLeavesTheFrameworkStopped() throws IOException {
        RecordingKernel k = new RecordingKernel();
        List<BootApply.Outcome> out = BootApply.run(store("b@k2"), k, s -> {});
        assertThat(k.calls).isEmpty();
        assertThat(BootApply.succeeded(out)).isTrue();
    }

    @Test
    void aFailureDoesNotStopTheOthersAndFailsTheUnit() throws IOException {
        RecordingKernel k = new RecordingKernel();
        k.failing.add("a.ko");
        List<String> log = new ArrayList<>();
        List<BootApply.Outcome> out = BootApply.run(store("a@k1", "c@k1"), k, log::add);
        assertThat(k.calls).containsExactly("start", "apply a.ko", "apply c.ko");
        assertThat(log).contains("FAILED a (#1): load failed");
        assertThat(BootApply.succeeded(out)).isFalse();
    }

    @Test
    void alreadyAppliedUpdatesAreSkipped() throws IOException {
        RecordingKernel k = new RecordingKernel();
        k.applied.add("a");
        List<BootApply.Outcome> out = BootApply.run(store("a@k1"), k, s -> {});
        assertThat(k.calls).containsExactly("start");
        assertThat(out.getFirst().result()).isEqualTo(BootApply.Result.ALREADY_APPLIED);
        assertThat(BootApply.succeeded(out)).isTrue();
    }

    @Test
    void aModuleChangedSinceInstallIsNotAppliedAndFailsTheUnit() throws IOException {
        InstalledUpdates store = store("a@k1", "c@k1");
        Files.writeString(store.list().getFirst().modulePath(store.updatesDir()), "tampered");
        RecordingKernel k = new RecordingKernel();
        List<BootApply.Outcome> out = BootApply.run(store, k, s -> {});
        assertThat(k.calls).containsExactly("start", "apply c.ko");
        assertThat(out.getFirst().result()).isEqualTo(BootApply.Result.CHANGED);
        assertThat(BootApply.succeeded(out)).isFalse();
    }

    @Test
    void aFrameworkThatDoesNotStartFailsEveryUpdateForThisKernel() throws IOException {
        RecordingKernel k = new RecordingKernel();
        k.startFails = true;
        List<String> log = new ArrayList<>();
        List<BootApply.Outcome> out = BootApply.run(store("a@k1", "b@k2"), k, log::add);
        assertThat(k.calls).containsExactly("start");
        assertThat(log).contains("FAILED a (#1): the framework did not start: no dynamos.ko for kernel k1");
        assertThat(BootApply.succeeded(out)).isFalse();
    }
}
