package dynamos.analysis;

import dynamos.dwarf.DebugInfo;
import dynamos.dwarf.DwarfException;
import dynamos.dwarf.DwarfReader;
import dynamos.host.AptInstaller;
import dynamos.host.Exec;
import dynamos.host.HostException;
import dynamos.host.Progress;
import dynamos.kernel.KernelRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Derives a kernel's {@link InlineFacts} from Debian's {@code linux-image-RELEASE-dbg} package, on request
 * ({@code dynamos analyze --debug-info [PATH]}): downloads the package with {@code apt-get download} (as
 * root; about 850 MB) or takes a given {@code .deb} or unstripped vmlinux, extracts only
 * {@code usr/lib/debug/boot/vmlinux-RELEASE} from the package (dpkg-deb and tar), reads its DWARF, writes
 * the cache file and deletes what it downloaded or extracted (never a file it was given).
 */
public final class DebugInfoDownload {
    private DebugInfoDownload() {}

    /** The Debian package with {@code kernel}'s debug information. */
    public static String packageName(KernelRelease kernel) {
        return "linux-image-" + kernel.version() + "-dbg";
    }

    /**
     * Derives and caches the inlining facts of {@code kernel} from {@code source} (a .deb or a vmlinux with
     * DWARF), or from the downloaded package when {@code source} is null. Returns the facts.
     */
    public static InlineFacts derive(KernelRelease kernel, Path source) {
        Path work = FactsCache.dir(kernel).resolve(".debug-info.partial");
        try {
            deleteTree(work);
            Path vmlinux;
            if (source == null) {
                if (!"root".equals(System.getProperty("user.name"))) {
                    throw new AnalysisException("downloading " + packageName(kernel) + " needs root (apt-get download"
                            + " into the cache): run as root, or download it yourself (apt-get download "
                            + packageName(kernel) + ") and pass it: dynamos analyze --debug-info FILE.deb");
                }
                Files.createDirectories(work);
                Progress.step("Downloading " + packageName(kernel) + " (about 850 MB; deleted once the inlining facts"
                        + " are derived)");
                AptInstaller.onHost().download(packageName(kernel), work);
                Path deb;
                try (Stream<Path> s = Files.list(work)) {
                    deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst()
                            .orElseThrow(() -> new HostException("apt-get download left no .deb in " + work));
                }
                vmlinux = extract(kernel, deb, work);
                Files.delete(deb);
            } else if (!Files.isRegularFile(source)) {
                throw new AnalysisException("no file " + source + ": give the " + packageName(kernel) + " .deb or the"
                        + " vmlinux-" + kernel.version() + " it holds (usr/lib/debug/boot/)");
            } else if (source.getFileName().toString().endsWith(".deb")) {
                Files.createDirectories(work);
                vmlinux = extract(kernel, source, work);
            } else {
                vmlinux = source;
            }
            Progress.step("Reading the DWARF of " + vmlinux);
            long t0 = System.nanoTime();
            DebugInfo info;
            try {
                info = DwarfReader.read(vmlinux);
            } catch (DwarfException e) {
                throw new AnalysisException(e.getMessage() + "; give " + packageName(kernel) + "'s .deb or the"
                        + " usr/lib/debug/boot/vmlinux-" + kernel.version() + " it holds", e);
            }
            if (info.textAddress() == 0 || info.textAddress() == -1) {
                throw new AnalysisException(vmlinux + " is not a linked kernel image (it has no .text address): give"
                        + " usr/lib/debug/boot/vmlinux-" + kernel.version() + " of " + packageName(kernel));
            }
            InlineFacts facts = InlineFacts.of(kernel.version(), info);
            Path file = InlineFacts.file(kernel);
            facts.write(file);
            Progress.detail(String.format("%,d units, %,d entries, %,d functions, %,d inlined copies read in %.1f s;"
                    + " cached in %s (%,d bytes)", info.units(), info.dies(), info.functions().size(),
                    info.inlined().size(), (System.nanoTime() - t0) / 1e9, file, Files.size(file)));
            if (Files.exists(work)) {
                Progress.detail("deleting the extracted package (" + work + ")");
                deleteTree(work);
            }
            return facts;
        } catch (IOException e) {
            throw new AnalysisException("cannot derive the inlining facts of " + kernel.version() + ": " + e.getMessage(),
                    e);
        } finally {
            try {
                deleteTree(work); // what was downloaded or extracted, also after a failure (never a given file)
            } catch (IOException e) {
                Progress.detail("could not delete " + work + ": " + e.getMessage() + "; delete it by hand");
            }
        }
    }

    /** Extracts the vmlinux of {@code deb} into {@code work}: only that file, through a pipe. */
    private static Path extract(KernelRelease kernel, Path deb, Path work) {
        String member = "./usr/lib/debug/boot/vmlinux-" + kernel.version();
        Progress.step("Extracting " + member.substring(2) + " from " + deb.getFileName());
        Exec.Result r = Exec.capture(List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | tar -x -C \"$2\" \"$3\"",
                "extract", deb.toString(), work.toString(), member));
        Path vmlinux = work.resolve(member.substring(2));
        if (!r.ok() || !Files.isRegularFile(vmlinux)) {
            throw new AnalysisException(deb + " holds no " + member.substring(2) + " (dpkg-deb | tar exit " + r.exitCode()
                    + Exec.tail(r.output(), 5) + "): is it " + packageName(kernel) + "?");
        }
        return vmlinux;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
