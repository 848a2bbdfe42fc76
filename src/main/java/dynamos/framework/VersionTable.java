package dynamos.framework;

import dynamos.device.Records;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The framework's version table, built from the records of one LIST snapshot (format documented in
 * kernel/include/uapi/dynamos.h): the framework's version and ABI, one row per registered version, and
 * per kernel function the stack of updates on it ({@link #stacks()}).
 */
public record VersionTable(String frameworkVersion, int abi, List<Row> rows) {

    /**
     * One registered version of one update {@code <name, id>}. {@code level} and {@code depth} place the
     * update in its function's stack (0 = bottom; {@code depth - 1} = the top, whose choice calls run);
     * {@code targetAbsent}: the function's module is not loaded and the redirection waits for it;
     * {@code fastPath}: the function's calls take the fast path (a route straight to the version; no handler
     * on its stack), else the handler path. The update's fields (handler, phase, must_update, level, depth,
     * targetAbsent, fastPath) repeat on each of its rows.
     */
    public record Row(String update, long id, int version, boolean active, String state, long calls,
                      String function, String module, String handler, Map<HookKind, String> hooks,
                      int phase, boolean mustUpdate, int level, int depth, boolean targetAbsent, boolean fastPath) {
        /** A row of an update alone on its function, whose target is loaded. */
        public Row(String update, long id, int version, boolean active, String state, long calls,
                   String function, String module, String handler, Map<HookKind, String> hooks,
                   int phase, boolean mustUpdate) {
            this(update, id, version, active, state, calls, function, module, handler, hooks, phase, mustUpdate,
                    0, 1, false, handler == null);
        }

        public boolean sameUpdate(String name, long otherId) {
            return update.equals(name) && id == otherId;
        }

        /** How the framework names this version's code: {@code symbol} in the core kernel, else {@code module:symbol}. */
        public String qualifiedFunction() {
            return module.equals("vmlinux") ? function : module + ":" + function;
        }
    }

    /**
     * One update {@code <name, id>} in its function's stack: its place, active version and handler, and
     * the code of its active version.
     */
    public record Layer(String update, long id, int level, int active, String handler, String activeFunction,
                        String activeModule) {
        /** Whether this update makes a choice of its own: a handler, or an active version other than the original. */
        public boolean chooses() {
            return handler != null || active != 1;
        }

        @Override
        public String toString() {
            return update + " " + id;
        }
    }

    /**
     * A kernel function and the updates on it, bottom first: calls run the top one's choice, and a choice
     * of version 1 passes them to the one below, down to the original. {@code targetAbsent}: the function's
     * module ({@code module}) is not loaded; the redirection is installed when it loads. {@code fastPath}: its
     * calls take the fast path (no handler on the stack), else the handler path.
     */
    public record FunctionStack(String function, String module, boolean targetAbsent, boolean fastPath,
                                List<Layer> layers) {
        public FunctionStack {
            layers = List.copyOf(layers);
        }

        /** {@code symbol} in the core kernel, else {@code module:symbol}. */
        public String qualifiedFunction() {
            return module.equals("vmlinux") ? function : module + ":" + function;
        }

        public Layer top() {
            return layers.getLast();
        }

        /**
         * The update whose choice calls run: the highest one with a handler or an active version other
         * than 1 (those above it pass calls down); empty when every one passes them down to the original.
         */
        public Optional<Layer> deciding() {
            for (int i = layers.size() - 1; i >= 0; i--) {
                if (layers.get(i).chooses()) {
                    return Optional.of(layers.get(i));
                }
            }
            return Optional.empty();
        }

        /** The updates above {@code name}'s on this function, bottom first (other names only). */
        public List<Layer> above(String name) {
            int lowest = -1;
            for (int i = 0; i < layers.size(); i++) {
                if (layers.get(i).update().equals(name)) {
                    lowest = i;
                    break;
                }
            }
            if (lowest < 0) {
                return List.of();
            }
            return layers.subList(lowest + 1, layers.size()).stream().filter(l -> !l.update().equals(name)).toList();
        }
    }

    /** The table of a LIST answer: a row per version, in registration order of the updates, then by number. */
    public static VersionTable of(Records.Listing listing) {
        List<Row> rows = new ArrayList<>();
        for (Records.UpdateRecord u : listing.updates()) {
            for (Records.VersionRecord v : u.versions()) {
                rows.add(new Row(u.name(), u.id(), v.number(), u.active() == v.number(), v.live() ? "live" : "removing",
                        v.calls(), v.function(), v.module(), u.handler().isEmpty() ? null : u.handler(), hooks(v),
                        u.phase(), u.mustUpdate(), u.level(), u.depth(), u.targetAbsent(), u.fastPath()));
            }
        }
        return new VersionTable(listing.framework().version(), listing.framework().abi(), List.copyOf(rows));
    }

    /** The hooks that are set, in the order of their kinds. */
    private static Map<HookKind, String> hooks(Records.VersionRecord v) {
        Map<HookKind, String> out = new LinkedHashMap<>();
        for (HookKind k : HookKind.values()) {
            String symbol = k.abi() - 1 < v.hooks().size() ? v.hooks().get(k.abi() - 1) : "";
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

    /** Distinct update names in registration order of their first {@code <name, id>}. */
    public List<String> updateNames() {
        return rows.stream().map(Row::update).distinct().toList();
    }

    /** The ids of update {@code name}, in registration order. */
    public List<Long> ids(String name) {
        return rows.stream().filter(r -> r.update().equals(name)).map(Row::id).distinct().toList();
    }

    /**
     * The kernel functions that have updates, in registration order of their first update, each with
     * its stack bottom first. An update's function is its version 1 (the original); the stack is ordered
     * by the kernel's levels, else by registration.
     */
    public List<FunctionStack> stacks() {
        Map<String, List<Row>> originals = new LinkedHashMap<>();
        rows.stream().filter(r -> r.version() == 1)
                .forEach(r -> originals.computeIfAbsent(r.qualifiedFunction(), k -> new ArrayList<>()).add(r));
        List<FunctionStack> out = new ArrayList<>();
        originals.forEach((fn, bottomFirst) -> {
            List<Row> sorted = new ArrayList<>(bottomFirst);
            sorted.sort(Comparator.comparingInt(Row::level)); // stable: registration order breaks ties
            List<Layer> layers = sorted.stream().map(r -> {
                int active = activeVersion(r.update(), r.id()).orElse(1);
                Row code = row(r.update(), r.id(), active).orElse(r);
                return new Layer(r.update(), r.id(), r.level(), active, r.handler(), code.function(), code.module());
            }).toList();
            Row first = sorted.getFirst();
            boolean absent = sorted.stream().anyMatch(Row::targetAbsent);
            boolean fast = !absent && sorted.stream().allMatch(Row::fastPath);
            out.add(new FunctionStack(first.function(), first.module(), absent, fast, layers));
        });
        return out;
    }

    /** The stack of the function that {@code <name, id>} updates. */
    public Optional<FunctionStack> stackOf(String name, long id) {
        return stacks().stream().filter(s -> s.layers().stream().anyMatch(l -> l.update().equals(name) && l.id() == id))
                .findFirst();
    }
}
