package dynamos.framework;

import dynamos.device.Records;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The framework's version table, built from the records of one LIST snapshot (format documented in
 * kernel/include/uapi/dynamos.h): the framework's version and ABI, one row per registered version.
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

    /** The table of a LIST answer: a row per version, in registration order of the updates, then by number. */
    public static VersionTable of(Records.Listing listing) {
        List<Row> rows = new ArrayList<>();
        for (Records.UpdateRecord u : listing.updates()) {
            for (Records.VersionRecord v : u.versions()) {
                rows.add(new Row(u.name(), u.id(), v.number(), u.active() == v.number(), v.live() ? "live" : "removing",
                        v.calls(), v.function(), v.module(), u.handler().isEmpty() ? null : u.handler(), hooks(v),
                        u.phase(), u.mustUpdate()));
            }
        }
        return new VersionTable(listing.framework().version(), listing.framework().abi(), List.copyOf(rows));
    }

    /** The hooks that are set, in the order of their kinds. */
    private static Map<HookKind, String> hooks(Records.VersionRecord v) {
        Map<HookKind, String> out = new LinkedHashMap<>();
        for (HookKind k : HookKind.values()) {
            String symbol = v.hooks().get(k.abi() - 1);
            if (!symbol.isEmpty()) {
                out.put(k, symbol);
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
