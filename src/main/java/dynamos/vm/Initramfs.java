package dynamos.vm;

import dynamos.host.HostException;
import dynamos.kernel.KernelRelease;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the guest's initramfs on the fly: Debian's static busybox, our init script, and the few
 * modules of the fetched kernel that mounting the host over virtio-9p needs.
 */
public final class Initramfs {
    /** Modules the guest loads before it can mount the host: the virtio PCI transport, 9p, overlayfs. */
    static final List<String> ROOT_MODULES = List.of("virtio_pci", "9pnet_virtio", "9p", "overlay");
    static final Path BUSYBOX = Path.of("/bin/busybox");

    private Initramfs() {}

    /**
     * Writes the initramfs for {@code kernel} under {@code dir} (reused when unchanged) and returns its
     * path.
     */
    public static Path build(KernelRelease kernel, Path dir) {
        try {
            byte[] image = image(kernel);
            Files.createDirectories(dir);
            Path out = dir.resolve("initramfs-" + kernel.version() + ".cpio");
            if (!Files.isRegularFile(out) || !Arrays.equals(Files.readAllBytes(out), image)) {
                // Its own temporary file: two processes may write the same image at once.
                Path tmp = Files.createTempFile(dir, out.getFileName() + ".", ".tmp");
                Files.write(tmp, image);
                Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return out;
        } catch (IOException e) {
            throw new HostException("cannot build the initramfs in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The archive's bytes: uncompressed, since decompressing in an emulated guest costs more than reading. */
    static byte[] image(KernelRelease kernel) throws IOException {
        if (!Files.isRegularFile(BUSYBOX)) {
            throw new HostException(BUSYBOX + " is missing; install it: apt-get install busybox-static");
        }
        byte[] busybox = Files.readAllBytes(BUSYBOX);
        if (!isStatic(busybox)) {
            throw new HostException(BUSYBOX + " is dynamically linked; the guest needs the static one: "
                    + "apt-get install busybox-static");
        }
        Path depFile = kernel.modules().resolve("modules.dep");
        if (!Files.isRegularFile(depFile)) {
            throw new HostException(depFile + " is missing; fetch the kernel again: dynamos kernel fetch");
        }
        List<String> order = ModuleDependencies.parse(Files.readString(depFile)).loadOrder(ROOT_MODULES);

        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 << 20);
        try (CpioWriter cpio = new CpioWriter(bytes)) {
            for (String d : List.of("bin", "dev", "proc", "sys", "tmp", "newroot", "lib", "lib/modules")) {
                cpio.directory(d, 0755);
            }
            cpio.charDevice("dev/console", 0600, 5, 1);
            cpio.file("bin/busybox", 0755, busybox);
            cpio.file("init", 0755, initScript());
            StringBuilder loadOrder = new StringBuilder();
            for (String rel : order) {
                String name = rel.substring(rel.lastIndexOf('/') + 1);
                cpio.file("lib/modules/" + name, 0644, Files.readAllBytes(kernel.modules().resolve(rel)));
                loadOrder.append(name).append('\n');
            }
            cpio.file("lib/modules/load-order", 0644, loadOrder.toString().getBytes());
            cpio.file("lib/modules/host-path", 0644, (kernel.modules().toAbsolutePath() + "\n").getBytes());
        }
        return bytes.toByteArray();
    }

    static byte[] initScript() throws IOException {
        try (InputStream in = Initramfs.class.getResourceAsStream("init.sh")) {
            if (in == null) {
                throw new IllegalStateException("init.sh resource missing from the build");
            }
            return in.readAllBytes();
        }
    }

    /** An ELF executable without a PT_INTERP program header runs without a dynamic loader. */
    static boolean isStatic(byte[] elf) {
        if (elf.length < 64 || elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F' || elf[4] != 2) {
            return false;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(elf).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(0x20);
        int phentsize = Short.toUnsignedInt(b.getShort(0x36));
        int phnum = Short.toUnsignedInt(b.getShort(0x38));
        for (int i = 0; i < phnum; i++) {
            long off = phoff + (long) i * phentsize;
            if (off + 4 > elf.length) {
                return false;
            }
            if (b.getInt((int) off) == 3 /* PT_INTERP */) {
                return false;
            }
        }
        return true;
    }
}
