package dynamos.generate;

import dynamos.btf.KernelBtf;
import dynamos.elf.ElfObject;
import dynamos.kernel.KernelRelease;
import dynamos.source.ImageMatch;
import dynamos.update.Kallsyms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A kernel as its image (vmlinux, from the cached vmlinuz) and the listings of a boot of it: kallsyms for where
 * each function is, {@code available_filter_functions} for which have ftrace sites.
 */
public final class ImageKernel implements RunningKernel {
    private final String release;
    private final ElfObject vmlinux;
    private final Kallsyms kallsyms;
    private final Map<String, Integer> sites = new HashMap<>();

    public ImageKernel(String release, ElfObject vmlinux, Kallsyms kallsyms, List<String> ftraceListing) {
        this.release = release;
        this.vmlinux = vmlinux;
        this.kallsyms = kallsyms;
        for (String line : ftraceListing) {
            String name = line.strip();
            if (!name.isEmpty() && !name.contains(" ")) { // "name [module]" lines are modules' functions
                sites.merge(name, 1, Integer::sum);
            }
        }
    }

    /** {@code kernel}'s image with the listings {@code kallsyms} and {@code ftrace} (files of a boot, or /proc). */
    public static ImageKernel of(KernelRelease kernel, Path kallsyms, Path ftrace) {
        try {
            return new ImageKernel(kernel.version(),
                    ElfObject.parse(KernelBtf.vmlinux(kernel.image()), kernel.image() + " (vmlinux)"),
                    Kallsyms.parse(Files.readAllLines(kallsyms)), Files.readAllLines(ftrace));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the listings of " + kernel.version() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String release() {
        return release;
    }

    @Override
    public List<Kallsyms.Entry> entries(String name) {
        return kallsyms.named(name).stream().filter(e -> e.module() == null || e.module().isEmpty()).toList();
    }

    @Override
    public int ftraceSites(String name) {
        return sites.getOrDefault(name, 0);
    }

    @Override
    public ImageMatch match(ElfObject compiled, String function, int position) {
        return ImageMatch.compare(compiled, function, vmlinux, kallsyms, position);
    }
}
