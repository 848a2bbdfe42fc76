package dynamos.framework;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The framework's version table as {@code cat /dev/dynamos} prints it (format documented in
 * kernel/include/uapi/dynamos.h): a summary line, a column header, one row per registered version.
 */
public record VersionTable(String frameworkVersion, int abi, List<Row> rows) {

    /** One registered version of one update {@code <name, id>}. */
    public record Row(String update, long id, int version, boolean active, String state, long calls,
                      String function, String module, String handler, Map<HookKind, String> hooks,
                      int phase, boolean mustUpdate) {
        public boolean sameUpdate(String name, long otherId) {
            return update.equals(name) && id == otherId;
        }
    }

    public static VersionTable parse(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty() || !lines.getFirst().startsWith("dynamos ")) {
            throw new IllegalArgumentException("not a DynAMOS version table: " + (lines.isEmpty() ? "(empty)" : lines.getFirst()));
        }
        String[] head = lines.getFirst().trim().split("\\s+");
        String fw = head.length > 1 ? head[1] : "?";
        int abi = 0;
        for (int i = 2; i + 1 < head.length; i += 2) {
            if (head[i].equals("abi")) {
                abi = Integer.parseInt(head[i + 1]);
            }
        }
        List<Row> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            if (f[0].equals("UPDATE")) {
                continue;
            }
            if (f.length < 10) {
                throw new IllegalArgumentException("malformed version table row: " + line);
            }
            rows.add(new Row(f[0], Long.parseUnsignedLong(f[1]), Integer.parseInt(f[2]), f[3].equals("yes"), f[4],
                    Long.parseLong(f[5]), f[6], f[7], dash(f[8]), hooks(f[9]),
                    // PHASE and MUST_UPDATE came with ABI 2.
                    f.length > 10 ? Integer.parseInt(f[10]) : 0, f.length > 11 && f[11].equals("yes")));
        }
        return new VersionTable(fw, abi, List.copyOf(rows));
    }

    private static String dash(String s) {
        return s.equals("-") ? null : s;
    }

    static Map<HookKind, String> hooks(String field) {
        Map<HookKind, String> out = new LinkedHashMap<>();
        if (field.equals("-")) {
            return out;
        }
        for (String pair : field.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(HookKind.parse(pair.substring(0, eq)), pair.substring(eq + 1));
            }
        }
        return out;
    }

    public List<Row> versionsOf(String name, long id) {
        return rows.stream().filter(r -> r.sameUpdate(name, id)).toList();
    }

    public Optional<Row> row(String name, long id, int version) {
        return rows.stream().filter(r -> r.sameUpdate(name, id) && r.version() == version).findFirst();
    }

    public Optional<Integer> activeVersion(String name, long id) {
        return rows.stream().filter(r -> r.sameUpdate(name, id) && r.active()).map(Row::version).findFirst();
    }

    public Optional<String> handler(String name, long id) {
        return versionsOf(name, id).stream().map(Row::handler).filter(h -> h != null).findFirst();
    }

    /** Distinct updates in registration order. */
    public List<String> updates() {
        return rows.stream().map(r -> r.update() + " " + r.id()).distinct().toList();
    }
}
