package dynamos.elf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code .modinfo} section of a kernel module: NUL-separated {@code key=value} strings, in file
 * order. Keys may repeat ({@code alias}, {@code parm}, ...), so entries are kept as a list.
 */
public record ModuleInfo(List<Entry> entries) {

    public record Entry(String key, String value) {}

    public ModuleInfo {
        entries = List.copyOf(entries);
    }

    /** Parses the section's bytes; padding NULs between strings are skipped, a string without '=' has an empty value. */
    public static ModuleInfo parse(byte[] section) {
        List<Entry> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= section.length; i++) {
            if (i == section.length || section[i] == 0) {
                if (i > start) {
                    String s = new String(section, start, i - start, StandardCharsets.UTF_8);
                    int eq = s.indexOf('=');
                    entries.add(eq < 0 ? new Entry(s, "") : new Entry(s.substring(0, eq), s.substring(eq + 1)));
                }
                start = i + 1;
            }
        }
        return new ModuleInfo(entries);
    }

    /** The first value of {@code key}. */
    public Optional<String> get(String key) {
        return entries.stream().filter(e -> e.key().equals(key)).map(Entry::value).findFirst();
    }

    /** Every value of {@code key}, in file order. */
    public List<String> getAll(String key) {
        return entries.stream().filter(e -> e.key().equals(key)).map(Entry::value).toList();
    }

    public Optional<String> license() {
        return get("license");
    }

    /** The kernel release and options the module was built for; the loader refuses a mismatch. */
    public Optional<String> vermagic() {
        return get("vermagic");
    }

    /** The module's name as the kernel knows it ({@code name=}, written by modpost). */
    public Optional<String> name() {
        return get("name");
    }
}
