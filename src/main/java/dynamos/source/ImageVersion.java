package dynamos.source;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version string a bzImage carries uncompressed in its setup code, e.g.
 * {@code 6.1.0-57-amd64 (debian-kernel@lists.debian.org) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-3 (2026-11-26)}:
 * the boot protocol's {@code kernel_version} field (at 0x20e) points at it, 0x200 bytes before. It names the
 * Debian package version the kernel was built from, which is the source package version we need (the kernel
 * cache keeps no package metadata, and the image is what runs).
 *
 * @param release       the release ({@code uname -r})
 * @param debianVersion the Debian package version, e.g. {@code 6.1.192-3}
 */
public record ImageVersion(String release, String debianVersion) {
    private static final Pattern DEBIAN = Pattern.compile("\\bDebian ([0-9][0-9A-Za-z.+~-]*)");

    /** Reads the version string of {@code image}. */
    public static ImageVersion read(Path image) {
        byte[] head;
        try (var in = Files.newInputStream(image)) {
            head = in.readNBytes(64 * 1024);
        } catch (IOException e) {
            throw new SourceException("cannot read the kernel image " + image + ": " + e.getMessage()
                    + "; fetch the kernel again: dynamos kernel fetch --force", e);
        }
        return parse(head, image.toString());
    }

    /** Parses the start of a bzImage (the setup sectors suffice). */
    static ImageVersion parse(byte[] head, String origin) {
        if (head.length < 0x210 || head[0x202] != 'H' || head[0x203] != 'd' || head[0x204] != 'r'
                || head[0x205] != 'S') {
            throw new SourceException(origin + " is not a bzImage (no HdrS setup header); cannot tell its version");
        }
        int pointer = Short.toUnsignedInt(ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getShort(0x20e));
        int at = pointer + 0x200;
        if (pointer == 0 || at >= head.length) {
            throw new SourceException(origin + ": its setup header holds no kernel version string");
        }
        int end = at;
        while (end < head.length && head[end] != 0) {
            end++;
        }
        return parse(new String(head, at, end - at, StandardCharsets.US_ASCII), origin);
    }

    /** Parses the version string itself. */
    static ImageVersion parse(String text, String origin) {
        String release = text.split(" ", 2)[0];
        Matcher m = DEBIAN.matcher(text);
        if (release.isEmpty() || !m.find()) {
            throw new SourceException(origin + ": its version string '" + text
                    + "' names no Debian package version; only Debian's stock kernels are supported");
        }
        return new ImageVersion(release, m.group(1));
    }
}
