package dynamos.analysis;

import dynamos.dwarf.DebugInfo;
import dynamos.kernel.KernelRelease;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * What the kernel's DWARF says about inlining and source files, reduced to what the analysis uses and
 * cached per release in {@code kernels/RELEASE/analysis/inlining.tsv.gz} (a few MB instead of the
 * -dbg package's 850): every out-of-line function with its offset from {@code _text}, its declaring file
 * and its compilation unit, and every (inlined function, function holding its copies) pair.
 *
 * <p>The file is tab-separated text, gzip-compressed: a header line {@code # dynamos inlining 1}, then
 * {@code release\tRELEASE}, then one {@code F\tOFFSET\tNAME\tFILE\tUNIT\tRANGES} line per function
 * (OFFSET in hex; their order gives their indices from 0) and one {@code I\tNAME\tFILE\tHOLDER\tCOPIES}
 * line per pair (HOLDER: the index of the function holding the copies).
 *
 * @param release the kernel release
 * @param functions the out-of-line functions; {@link DebugInfo.Function#entry} is the offset from {@code _text}
 * @param inlined the inlined copies
 */
public record InlineFacts(String release, List<DebugInfo.Function> functions, List<DebugInfo.InlinedCopy> inlined) {
    /** The cache file's name, in the kernel's {@link FactsCache#DIR}. */
    public static final String FILE = "inlining.tsv.gz";
    private static final String HEADER = "# dynamos inlining 1";

    public InlineFacts {
        functions = List.copyOf(functions);
        inlined = List.copyOf(inlined);
    }

    /** The facts of {@code info} (read from a vmlinux whose {@code _text} is {@code info.textAddress()}). */
    public static InlineFacts of(String release, DebugInfo info) {
        long base = info.textAddress() == -1 ? 0 : info.textAddress();
        List<DebugInfo.Function> fs = new ArrayList<>(info.functions().size());
        for (DebugInfo.Function f : info.functions()) {
            fs.add(new DebugInfo.Function(f.name(), f.file(), f.unit(), f.entry() - base, f.ranges()));
        }
        return new InlineFacts(release, fs, info.inlined());
    }

    /** The cache file of {@code kernel}. */
    public static Path file(KernelRelease kernel) {
        return FactsCache.dir(kernel).resolve(FILE);
    }

    /** The cached facts of {@code kernel}, if derived earlier ({@code dynamos analyze --debug-info}). */
    public static Optional<InlineFacts> cached(KernelRelease kernel) {
        Path f = file(kernel);
        return Files.isRegularFile(f) ? Optional.of(read(f)) : Optional.empty();
    }

    /** Writes the cache file (through a temporary file, so a reader never sees half of it). */
    public void write(Path file) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(
                    new GZIPOutputStream(Files.newOutputStream(tmp), 1 << 16), StandardCharsets.UTF_8))) {
                w.write(HEADER + "\n");
                w.write("release\t" + release + "\n");
                for (DebugInfo.Function f : functions) {
                    w.write("F\t" + Long.toHexString(f.entry()) + "\t" + clean(f.name()) + "\t" + clean(f.file()) + "\t"
                            + clean(f.unit()) + "\t" + f.ranges() + "\n");
                }
                for (DebugInfo.InlinedCopy c : inlined) {
                    w.write("I\t" + clean(c.name()) + "\t" + clean(c.file()) + "\t" + c.holder() + "\t" + c.copies() + "\n");
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AnalysisException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads a cache file written by {@link #write}. */
    public static InlineFacts read(Path file) {
        String release = null;
        List<DebugInfo.Function> fs = new ArrayList<>();
        List<DebugInfo.InlinedCopy> cs = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file),
                1 << 16), StandardCharsets.UTF_8))) {
            String first = r.readLine();
            if (!HEADER.equals(first)) {
                throw new AnalysisException(file + " is not an inlining cache of this version (first line: " + first
                        + "); delete it and derive it again: dynamos analyze --debug-info");
            }
            java.util.Map<String, String> names = new java.util.HashMap<>();
            String line;
            int n = 1;
            while ((line = r.readLine()) != null) {
                n++;
                String[] f = line.split("\t", -1);
                try {
                    switch (f[0]) {
                        case "release" -> release = f[1];
                        case "F" -> fs.add(new DebugInfo.Function(intern(names, f[2]), intern(names, f[3]),
                                intern(names, f[4]), Long.parseUnsignedLong(f[1], 16), Integer.parseInt(f[5])));
                        case "I" -> cs.add(new DebugInfo.InlinedCopy(intern(names, f[1]), intern(names, f[2]),
                                Integer.parseInt(f[3]), Integer.parseInt(f[4])));
                        default -> throw new IllegalArgumentException("unknown record " + f[0]);
                    }
                } catch (RuntimeException e) {
                    throw new AnalysisException(file + " line " + n + " is damaged (" + e.getMessage()
                            + "); delete it and derive it again: dynamos analyze --debug-info", e);
                }
            }
        } catch (IOException e) {
            throw new AnalysisException("cannot read " + file + ": " + e.getMessage()
                    + "; delete it and derive it again: dynamos analyze --debug-info", e);
        }
        for (DebugInfo.InlinedCopy c : cs) {
            if (c.holder() < 0 || c.holder() >= fs.size()) {
                throw new AnalysisException(file + " names function " + c.holder() + " of " + fs.size()
                        + "; delete it and derive it again: dynamos analyze --debug-info");
            }
        }
        return new InlineFacts(release == null ? "" : release, fs, cs);
    }

    private static String intern(java.util.Map<String, String> names, String s) {
        return names.computeIfAbsent(s, k -> k);
    }

    private static String clean(String s) {
        return s.replace('\t', ' ').replace('\n', ' ');
    }
}
