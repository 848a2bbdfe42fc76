package dynamos.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What a prepared source tree was prepared from, written last (so a half-prepared tree has none):
 * {@code key=value} lines (release, Debian version, the config's SHA-256, the make variables and targets).
 * A tree is reused only when its stamp equals what the caller would prepare now.
 */
public record SourceStamp(Map<String, String> values) {
    public static final String FILE = ".dynamos-prepared";

    public SourceStamp {
        values = Map.copyOf(values);
    }

    /** Reads the stamp of {@code tree}; empty when there is none or it cannot be read. */
    public static Optional<SourceStamp> read(Path tree) {
        Path file = tree.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(Files.readString(file)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static SourceStamp parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.lines().toList()) {
            int eq = line.indexOf('=');
            if (eq > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
            }
        }
        return new SourceStamp(out);
    }

    /** The file's text, keys sorted. */
    String format() {
        StringBuilder b = new StringBuilder("# written by dynamos when the tree was prepared; delete to prepare again\n");
        values.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> b.append(e.getKey()).append('=').append(e.getValue()).append('\n'));
        return b.toString();
    }

    /** Writes the stamp atomically into {@code tree}. */
    public void write(Path tree) {
        Path file = tree.resolve(FILE);
        try {
            Path tmp = Files.createTempFile(tree, FILE, ".tmp");
            Files.writeString(tmp, format());
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new SourceException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The keys whose values differ from {@code wanted}'s (missing on either side included), for messages. */
    public Map<String, String> differences(SourceStamp wanted) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : wanted.values.keySet()) {
            if (!wanted.values.get(k).equals(values.get(k))) {
                out.put(k, values.getOrDefault(k, "(none)") + " -> " + wanted.values.get(k));
            }
        }
        for (String k : values.keySet()) {
            if (!wanted.values.containsKey(k)) {
                out.put(k, values.get(k) + " -> (none)");
            }
        }
        return out;
    }
}
