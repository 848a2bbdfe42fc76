package dynamos.update;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The running kernel's symbol table as {@code /proc/kallsyms} lists it: address, type letter, name and,
 * for module symbols, {@code [module]}. Addresses are the real, KASLR-shifted ones when read as root;
 * otherwise the kernel prints zeros, which {@link #read} refuses.
 */
public final class Kallsyms {
    public static final Path PROC = Path.of("/proc/kallsyms");

    /** One line; {@code module} is null for the core kernel (vmlinux). */
    public record Entry(long address, char type, String name, String module) {
        /** Text symbols (t, T, w and W of functions): what can be called. */
        public boolean isText() {
            return type == 't' || type == 'T';
        }

        @Override
        public String toString() {
            return String.format("%016x %c %s%s", address, type, name, module == null ? "" : " [" + module + "]");
        }
    }

    private final List<Entry> entries;
    private final Map<String, List<Entry>> byName = new HashMap<>();

    private Kallsyms(List<Entry> entries) {
        this.entries = List.copyOf(entries);
        for (Entry e : this.entries) {
            byName.computeIfAbsent(e.name(), k -> new ArrayList<>()).add(e);
        }
    }

    /**
     * Reads only the entries that matter for {@code names}: each name, its {@code __ksymtab_} entry
     * and its compiler-renamed variants ({@code name.part.0}). A full kallsyms has some 150,000 lines;
     * the JVM in the VM runs interpreted, so lines are filtered before they are split.
     */
    public static Kallsyms read(java.util.Set<String> names) {
        return read(PROC, names);
    }

    static Kallsyms read(Path file, java.util.Set<String> names) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UpdateException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (!lines.isEmpty()) {
            String first = lines.getFirst();
            List<String> kept = new ArrayList<>();
            kept.add(first); // always kept: the hidden-address check looks at it
            for (String line : lines.subList(1, lines.size())) {
                int start = line.indexOf(' ', line.indexOf(' ') + 1) + 1;
                if (start <= 0) {
                    continue;
                }
                int end = start;
                while (end < line.length() && line.charAt(end) != '\t' && line.charAt(end) != ' ') {
                    end++;
                }
                String name = line.substring(start, end);
                int dot = name.indexOf('.');
                String plain = name.startsWith("__ksymtab_") ? name.substring(10) : dot > 0 ? name.substring(0, dot) : name;
                if (names.contains(plain)) {
                    kept.add(line);
                }
            }
            lines = kept;
        }
        Kallsyms k = parse(lines);
        if (!k.entries.isEmpty() && k.entries.stream().allMatch(e -> e.address() == 0)) {
            throw new UpdateException(file + " shows every address as 0: symbol addresses are hidden from this user"
                    + " (kernel.kptr_restrict). Run as root (CAP_SYSLOG), e.g. with sudo.");
        }
        return k;
    }

    /** Parses kallsyms lines; malformed lines are skipped. */
    public static Kallsyms parse(List<String> lines) {
        List<Entry> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 3 || f[1].length() != 1) {
                continue;
            }
            long address;
            try {
                address = Long.parseUnsignedLong(f[0], 16);
            } catch (NumberFormatException e) {
                continue;
            }
            String module = null;
            if (f.length >= 4 && f[3].startsWith("[") && f[3].endsWith("]")) {
                module = f[3].substring(1, f[3].length() - 1);
            }
            out.add(new Entry(address, f[1].charAt(0), f[2], module));
        }
        return new Kallsyms(out);
    }

    /** Every entry called {@code name}, in kallsyms order (core kernel first, then modules). */
    public List<Entry> named(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /** Every entry called {@code name} with a compiler suffix such as {@code name.part.0} or {@code name.isra.0}. */
    public List<Entry> variantsOf(String name) {
        String prefix = name + ".";
        return entries.stream().filter(e -> e.name().startsWith(prefix)).toList();
    }

    /** Whether the kernel or a loaded module exports {@code name} to modules (its {@code __ksymtab_} entry exists). */
    public boolean exported(String name) {
        return byName.containsKey("__ksymtab_" + name);
    }

    /** Every entry, in kallsyms order. */
    public List<Entry> entries() {
        return entries;
    }

    public int size() {
        return entries.size();
    }
}
