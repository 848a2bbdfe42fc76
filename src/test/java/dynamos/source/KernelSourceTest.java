package dynamos.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelSourceTest {
    @Test
    void sourcePackageOfARelease() {
        assertThat(KernelSource.sourcePackage("6.1.0-57-amd64")).isEqualTo("linux-source-6.1");
        assertThat(KernelSource.sourcePackage("6.12.9+bpo-amd64")).isEqualTo("linux-source-6.12");
        assertThatThrownBy(() -> KernelSource.sourcePackage("amd64")).isInstanceOf(SourceException.class);
    }

    @Test
    void compilerFromTheConfig() {
        String config = "#\nCONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0\"\nCONFIG_CC_IS_GCC=y\n";
        assertThat(KernelSource.compilerOf(config, "config")).isEqualTo("gcc-12");
        assertThatThrownBy(() -> KernelSource.compilerOf("CONFIG_X=y\n", "config"))
                .hasMessageContaining("no CONFIG_CC_VERSION_TEXT");
    }

    @Test
    void offeredVersionsFromMadisonAndTheErrorNamingBoth() {
        String madison = """
                linux-source-6.1 |  6.1.192-3 | http://deb.debian.org/debian-security bookworm-security/main amd64 Packages
                linux-source-6.1 |  6.1.176-1 | http://deb.debian.org/debian bookworm/main amd64 Packages
                """;
        List<String> offered = KernelSource.madisonVersions(madison);
        assertThat(offered).containsExactly("6.1.192-3", "6.1.176-1");
        assertThatCode(() -> KernelSource.checkOffered("linux-source-6.1", "6.1.192-3", offered)).doesNotThrowAnyException();
        assertThatThrownBy(() -> KernelSource.checkOffered("linux-source-6.1", "6.1.158-1", offered))
                .isInstanceOf(SourceException.class)
                .hasMessageContaining("Debian's 6.1.158-1").hasMessageContaining("6.1.192-3, 6.1.176-1")
                .hasMessageContaining("apt-get update");
    }
}
