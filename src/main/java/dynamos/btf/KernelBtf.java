package dynamos.btf;

import dynamos.elf.ElfObject;
import dynamos.host.HostException;
import dynamos.host.HostPackages;
import dynamos.host.Progress;
import dynamos.kernel.KernelRelease;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

/**
 * A target kernel's vmlinux BTF: {@code /sys/kernel/btf/vmlinux} when the target is the running kernel,
 * otherwise the {@code .BTF} section of the vmlinux inside the kernel image (a bzImage whose payload is
 * xz-compressed on Debian), extracted once into the kernel's cache directory as {@code vmlinux.btf}.
 */
public final class KernelBtf {
    public static final Path RUNNING = Path.of("/sys/kernel/btf/vmlinux");
    static final String CACHE_FILE = "vmlinux.btf";

    private KernelBtf() {}

    /** The raw BTF file of {@code kernel} (extracting it first if needed); pahole takes it as base. */
    public static Path file(KernelRelease kernel) {
        if (kernel.version().equals(System.getProperty("os.version")) && Files.isReadable(RUNNING)) {
            return RUNNING;
        }
        Path cached = kernel.dir().resolve(CACHE_FILE);
        if (Files.isRegularFile(cached)) {
            return cached;
        }
        Progress.step("Extracting the BTF of " + kernel.version() + " from " + kernel.image());
        byte[] btf = Btf.btfSection(ElfObject.parse(vmlinux(kernel.image()), kernel.image() + " (vmlinux)"));
        try {
            Path tmp = Files.createTempFile(kernel.dir(), "." + CACHE_FILE, ".tmp");
            Files.write(tmp, btf);
            Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new HostException("cannot write " + cached + ": " + e.getMessage(), e);
        }
        return cached;
    }

    /** The parsed BTF of {@code kernel}. */
    public static Btf read(KernelRelease kernel) {
        return Btf.read(file(kernel));
    }

    /**
     * The vmlinux ELF inside a bzImage. The boot protocol's setup header places the compressed
     * payload: {@code payload_offset} (at 0x248) bytes into the protected-mode code, which follows
     * the boot sector and {@code setup_sects} (at 0x1f1) 512-byte sectors.
     */
    public static byte[] vmlinux(Path image) {
        byte[] bz;
        try {
            bz = Files.readAllBytes(image);
        } catch (IOException e) {
            throw new HostException("cannot read the kernel image " + image + ": " + e.getMessage()
                    + "; fetch the kernel again: dynamos kernel fetch --force", e);
        }
        if (bz.length < 0x250 || bz[0x202] != 'H' || bz[0x203] != 'd' || bz[0x204] != 'r' || bz[0x205] != 'S') {
            throw new BtfException(image + " is not a bzImage (no HdrS setup header); cannot find its vmlinux");
        }
        ByteBuffer header = ByteBuffer.wrap(bz).order(ByteOrder.LITTLE_ENDIAN);
        int start = (Byte.toUnsignedInt(bz[0x1f1]) + 1) * 512 + header.getInt(0x248);
        int length = header.getInt(0x24c);
        if (start < 0 || length <= 0 || start + length > bz.length) {
            throw new BtfException(image + ": its setup header places the payload outside the file");
        }
        byte[] payload = Arrays.copyOfRange(bz, start, start + length);
        if (payload.length < 6 || (payload[0] & 0xff) != 0xfd || payload[1] != '7' || payload[2] != 'z') {
            throw new BtfException(image + ": the kernel payload is not xz-compressed (Debian's are);"
                    + " other compressions are not supported yet");
        }
        HostPackages.ensure(List.of("xz-utils"));
        try {
            Process xz = new ProcessBuilder("xz", "-dc", "--single-stream")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            Thread feeder = Thread.ofVirtual().start(() -> {
                try (OutputStream in = xz.getOutputStream()) {
                    in.write(payload);
                } catch (IOException e) {
                    // xz stopped reading; its exit status says why
                }
            });
            ByteArrayOutputStream out = new ByteArrayOutputStream(96 << 20);
            xz.getInputStream().transferTo(out);
            feeder.join();
            if (xz.waitFor() != 0) {
                throw new BtfException("xz could not decompress the payload of " + image);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new HostException("cannot run xz: " + e.getMessage() + "; install it: apt-get install xz-utils", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException("interrupted while decompressing " + image, e);
        }
    }
}
