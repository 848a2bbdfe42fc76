package dynamos.btf;

import dynamos.elf.ElfObject;
import dynamos.elf.NativeTools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The fetched target kernel (Debian's 6.1) in the dynamos cache, for tests of split BTF: its modules'
 * {@code .BTF} sections extend the vmlinux BTF, which is inside the xz-compressed bzImage.
 */
final class TargetKernel {
    static final String RELEASE = "6.1.0-56-amd64";
    static final Path ROOT = Path.of(System.getProperty("user.home"), ".cache/dynamos/kernels", RELEASE);
    static final Path VMLINUZ = ROOT.resolve("boot/vmlinuz-" + RELEASE);
    static final Path MODULES = ROOT.resolve("lib/modules/" + RELEASE + "/kernel");

    private static Btf vmlinuxBtf;

    private TargetKernel() {}

    static boolean present() {
        return Files.isRegularFile(VMLINUZ) && NativeTools.available("xz");
    }

    static Path module(String relativePath) {
        return MODULES.resolve(relativePath);
    }

    /** The vmlinux BTF, decompressed once per test run (a few seconds). */
    static synchronized Btf vmlinuxBtf() throws IOException, InterruptedException {
        if (vmlinuxBtf == null) {
            ElfObject vmlinux = ElfObject.parse(decompressedVmlinux(), VMLINUZ + " (decompressed)");
            vmlinuxBtf = Btf.fromElf(vmlinux);
        }
        return vmlinuxBtf;
    }

    /**
     * The bzImage boot protocol's setup header gives the compressed payload's place: it starts
     * {@code payload_offset} (0x248) bytes into the protected-mode code, which follows
     * {@code setup_sects} (0x1f1) 512-byte sectors and the boot sector.
     */
    private static byte[] decompressedVmlinux() throws IOException, InterruptedException {
        byte[] image = Files.readAllBytes(VMLINUZ);
        ByteBuffer header = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int setupSectors = Byte.toUnsignedInt(image[0x1f1]);
        int payloadOffset = header.getInt(0x248);
        int payloadLength = header.getInt(0x24c);
        int start = (setupSectors + 1) * 512 + payloadOffset;
        byte[] payload = Arrays.copyOfRange(image, start, start + payloadLength);
        Process xz = new ProcessBuilder("xz", "-dc", "--single-stream")
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Thread feeder = Thread.ofVirtual().start(() -> {
            try (OutputStream in = xz.getOutputStream()) {
                in.write(payload);
            } catch (IOException e) {
                // xz exited early; its status says why
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream(80 << 20);
        xz.getInputStream().transferTo(out);
        feeder.join();
        if (xz.waitFor() != 0) {
            throw new IOException("xz could not decompress the payload of " + VMLINUZ);
        }
        return out.toByteArray();
    }

    static Optional<Path> anyModule() {
        Path p = module("net/vmw_vsock/vsock_loopback.ko");
        return Files.isRegularFile(p) ? Optional.of(p) : Optional.empty();
    }
}
