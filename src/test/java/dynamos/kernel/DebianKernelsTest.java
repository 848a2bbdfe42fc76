package dynamos.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DebianKernelsTest {
    @Test
    void readsTheReleaseTheMetaPackageDependsOn() {
        String out = """
                linux-image-amd64
                  Depends: linux-image-6.1.0-56-amd64
                """;
        assertThat(DebianKernels.parseDepends(out)).contains("6.1.0-56-amd64");
        assertThat(DebianKernels.parseDepends("linux-image-amd64\n")).isEmpty();
    }

    @Test
    void normalisesWhatUsersType() {
        assertThat(DebianKernels.normalise("6.1.0-56")).isEqualTo("6.1.0-56-amd64");
        assertThat(DebianKernels.normalise("6.1.0-56-amd64")).isEqualTo("6.1.0-56-amd64");
        assertThat(DebianKernels.normalise("linux-image-6.1.0-56-cloud-amd64")).isEqualTo("6.1.0-56-cloud-amd64");
        assertThatThrownBy(() -> DebianKernels.normalise("latest; rm -rf /"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a kernel release");
    }
}
