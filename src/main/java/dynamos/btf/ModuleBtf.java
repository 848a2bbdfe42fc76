package dynamos.btf;

import dynamos.elf.ElfObject;
import dynamos.host.Exec;
import dynamos.host.HostException;
import dynamos.host.HostPackages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The split BTF of an out-of-tree module. Kbuild only generates it when the kernel's vmlinux is at
 * hand, which header packages lack; so it is encoded here from the module's DWARF with pahole
 * (Debian's {@code dwarves}) against the kernel's BTF as base, into a copy of the module.
 */
public final class ModuleBtf {
    private ModuleBtf() {}

    /**
     * The BTF of {@code object} alone, every type its own (none deduplicated into the kernel's), so that each of its
     * functions is there to compare. The object itself is not changed.
     */
    public static Btf generateStandalone(Path object) {
        return generate(object, null, null);
    }

    /** The module's BTF on top of {@code base}, read from {@code baseFile}. The module itself is not changed. */
    public static Btf generate(Path module, Btf base, Path baseFile) {
        ElfObject elf = ElfObject.read(module);
        if (elf.section(Btf.ELF_SECTION).isPresent()) {
            return Btf.fromElf(elf, base);
        }
        if (elf.section(".debug_info").isEmpty()) {
            throw new BtfException(module + " has no debug information (.debug_info), so its prototypes cannot be"
                    + " checked; build it with CONFIG_DEBUG_INFO's -g (kbuild does for Debian's headers) and do not strip it");
        }
        HostPackages.ensure(List.of("dwarves"));
        Path dir = null;
        try {
            dir = Files.createTempDirectory("dynamos-btf-");
            Path copy = dir.resolve(module.getFileName());
            Files.copy(module, copy);
            Exec.Result r = Exec.capture(base == null ? List.of("pahole", "-J", copy.toString())
                    : List.of("pahole", "-J", "--btf_base", baseFile.toString(), copy.toString()));
            if (!r.ok()) {
                throw new BtfException("pahole could not encode the BTF of " + module + ": " + r.output().strip());
            }
            ElfObject encoded = ElfObject.read(copy);
            if (encoded.section(Btf.ELF_SECTION).isEmpty()) {
                throw new BtfException("pahole wrote no " + Btf.ELF_SECTION + " section into the copy of " + module);
            }
            return base == null ? Btf.fromElf(encoded) : Btf.fromElf(encoded, base);
        } catch (IOException e) {
            throw new HostException("cannot copy " + module + " to encode its BTF: " + e.getMessage(), e);
        } finally {
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null) {
            return;
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A leftover temporary directory is harmless.
        }
    }
}
