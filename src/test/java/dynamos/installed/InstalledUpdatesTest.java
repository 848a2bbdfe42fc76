package dynamos.installed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstalledUpdatesTest {
    @TempDir
    Path tmp;

    private Path module(String name, String content) throws IOException {
        Path ko = tmp.resolve("src").resolve(name);
        Files.createDirectories(ko.getParent());
        Files.writeString(ko, content);
        return ko;
    }

    @Test
    void installKeepsACopyWithItsChecksumInInstallOrder() throws IOException {
        InstalledUpdates store = new InstalledUpdates(tmp.resolve("state"));
        store.install("fix_a", "dynamos_fix_a", module("dynamos_fix_a.ko", "A"), "6.1.0-50-amd64", "/x/a.ko");
        store.install("fix_b", "dynamos_fix_b", module("dynamos_fix_b.ko", "B"), "6.1.0-50-amd64", "/x/b.ko");
        store.install("fix_a", "dynamos_fix_a", module("dynamos_fix_a.ko", "A2"), "6.1.0-57-amd64", "/x/a2.ko");

        assertThat(store.list()).extracting(InstalledUpdate::order, InstalledUpdate::name, InstalledUpdate::kernel)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(1, "fix_a", "6.1.0-50-amd64"),
                        org.assertj.core.groups.Tuple.tuple(2, "fix_b", "6.1.0-50-amd64"),
                        org.assertj.core.groups.Tuple.tuple(3, "fix_a", "6.1.0-57-amd64"));
        InstalledUpdate first = store.list().getFirst();
        assertThat(first.modulePath(store.updatesDir())).hasContent("A")
                .isEqualTo(tmp.resolve("state/updates/0001-fix_a/dynamos_fix_a.ko"));
        // SHA-256 of "A"
        assertThat(first.sha256()).isEqualTo("559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd");
        assertThat(store.intact(first)).isTrue();
        assertThat(tmp.resolve("state/updates")).isDirectoryNotContaining("glob:**/.new-*");
    }

    @Test
    void aSecondInstallOfTheSameNameForTheSameKernelIsRefusedAndChangesNothing() throws IOException {
        InstalledUpdates store = new InstalledUpdates(tmp.resolve("state"));
        store.install("fix_a", "m", module("m.ko", "A"), "k1", "");
        assertThatThrownBy(() -> store.install("fix_a", "m", module("m.ko", "other"), "k1", ""))
                .isInstanceOf(InstallException.class).hasMessageContaining("already installed for kernel k1")
                .hasMessageContaining("dynamos uninstall fix_a");
        assertThat(store.list()).hasSize(1);
        assertThat(store.list().getFirst().modulePath(store.updatesDir())).hasContent("A");
    }

    @Test
    void badNamesAreRefused() throws IOException {
        InstalledUpdates store = new InstalledUpdates(tmp.resolve("state"));
        Path ko = module("m.ko", "A");
        for (String bad : new String[] {"", "../x", "a/b", "-x", "a b"}) {
            assertThatThrownBy(() -> store.install(bad, "m", ko, "k", "")).isInstanceOf(InstallException.class)
                    .hasMessageContaining("is not an update name");
        }
        assertThat(store.list()).isEmpty();
    }

    @Test
    void uninstallRemovesEveryKernelsCopyOrOnlyTheNamedKernels() throws IOException {
        InstalledUpdates store = new InstalledUpdates(tmp.resolve("state"));
        store.install("fix_a", "m", module("m.ko", "A"), "k1", "");
        store.install("fix_a", "m", module("m.ko", "A"), "k2", "");
        store.install("fix_b", "n", module("n.ko", "B"), "k1", "");

        assertThat(store.uninstall("fix_a", "k2")).extracting(InstalledUpdate::kernel).containsExactly("k2");
        assertThat(store.uninstall("fix_a", null)).extracting(InstalledUpdate::kernel).containsExactly("k1");
        assertThat(store.list()).extracting(InstalledUpdate::name).containsExactly("fix_b");
        assertThat(tmp.resolve("state/updates/0001-fix_a")).doesNotExist();
        assertThatThrownBy(() -> store.uninstall("fix_a", null)).isInstanceOf(InstallException.class)
                .hasMessageContaining("no update fix_a is installed");
    }

    @Test
    void aChangedOrMissingModuleIsNotIntact() throws IOException {
        InstalledUpdates store = new InstalledUpdates(tmp.resolve("state"));
        InstalledUpdate u = store.install("fix_a", "m", module("m.ko", "A"), "k1", "");
        Files.writeString(u.modulePath(store.updatesDir()), "tampered");
        assertThat(store.intact(u)).isFalse();
        Files.delete(u.modulePath(store.updatesDir()));
        assertThat(store.intact(u)).isFalse();
    }

    @Test
    void aDirectoryWithoutItsRecordIsNoUpdateAndNumbersGoOnAfterTheHighest() throws IOException {
        InstalledUpdates store = new InstalledUpdates(tmp.resolve("state"));
        store.install("fix_a", "m", module("m.ko", "A"), "k1", "");
        Files.createDirectories(store.updatesDir().resolve("0007-half_written"));
        Files.createDirectories(store.updatesDir().resolve(".new-0002-x"));
        assertThat(store.list()).extracting(InstalledUpdate::name).containsExactly("fix_a");
        InstalledUpdate b = store.install("fix_b", "n", module("n.ko", "B"), "k1", "");
        assertThat(b.order()).isEqualTo(2);
    }
}
