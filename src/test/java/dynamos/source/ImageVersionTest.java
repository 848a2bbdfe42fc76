package dynamos.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ImageVersionTest {
    static final String DEBIAN = "6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3"
            + " (2026-11-26)";

    /** A fake bzImage head: the HdrS magic and a kernel_version pointer to the string. */
    static byte[] image(String version) {
        byte[] b = new byte[0x1000];
        b[0x202] = 'H';
        b[0x203] = 'd';
        b[0x204] = 'r';
        b[0x205] = 'S';
        int pointer = 0x600;
        b[0x20e] = (byte) pointer;
        b[0x20f] = (byte) (pointer >> 8);
        byte[] s = version.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, pointer + 0x200, s.length);
        return b;
    }

    @Test
    void readsReleaseAndDebianVersionFromTheSetupHeader() {
        ImageVersion v = ImageVersion.parse(image(DEBIAN), "vmlinuz");
        assertThat(v).isEqualTo(new ImageVersion("6.1.0-57-amd64", "6.1.192-3"));
    }

    @Test
    void refusesNonDebianKernelsAndNonImages() {
        assertThatThrownBy(() -> ImageVersion.parse(image("6.8.0 (me@host) #1 SMP"), "vmlinuz"))
                .isInstanceOf(SourceException.class).hasMessageContaining("names no Debian package version");
        assertThatThrownBy(() -> ImageVersion.parse(new byte[0x1000], "x")).hasMessageContaining("not a bzImage");
    }
}
