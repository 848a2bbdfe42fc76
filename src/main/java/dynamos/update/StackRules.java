package dynamos.update;

import dynamos.framework.Framework;
import dynamos.framework.VersionTable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The rules of updates stacked on one another, checked before anything changes: what a cumulative
 * update replaces (and whether it may), and what keeps an update from being reverted.
 */
final class StackRules {
    private StackRules() {}

    /**
     * What a cumulative update replaces: the update names, their {@code <name, id>}s in registration
     * order, and the modules that hold their versions (and no other update's).
     */
    record Replacing(List<String> names, List<Framework.Member> members, List<String> modules) {
        static final Replacing NONE = new Replacing(List.of(), List.of(), List.of());
    }

    /**
     * Checks, before anything is changed, that {@code d} can be applied over {@code table}: it is not
     * applied yet and every update it replaces is; its modules are used by no module outside the
     * replaced ones; the group activation has at most {@link dynamos.device.Limits#MAX_GROUP} members.
     * Returns what it replaces.
     */
    static Replacing plan(VersionTable table, UpdateDeclaration d, ModuleLoader loader) {
        if (table.rows().stream().anyMatch(r -> r.update().equals(d.name()))) {
            throw new UpdateException("update " + d.name() + " is already applied; revert it first: dynamos revert " + d.name()
                    + (d.cumulative() ? " (a cumulative update takes another name than those it replaces)" : ""));
        }
        if (!d.cumulative()) {
            return Replacing.NONE;
        }
        List<String> applied = table.updateNames();
        // In registration order (oldest first), whatever the order of the declarations.
        List<String> names = d.replacesAll() ? applied
                : applied.stream().filter(d.replaces()::contains).toList();
        List<String> missing = d.replaces().stream().filter(n -> !applied.contains(n)).toList();
        if (!missing.isEmpty()) {
            throw new UpdateException(d.name() + " replaces " + String.join(", ", missing) + ", which "
                    + (missing.size() == 1 ? "is" : "are") + " not applied ('dynamos list' shows the applied updates): "
                    + "apply " + (missing.size() == 1 ? "it" : "them") + " first, or drop "
                    + String.join(", ", missing.stream().map(n -> "DYNAMOS_REPLACES(\"" + n + "\")").toList())
                    + " from the update and build it again");
        }
        List<Framework.Member> members = new ArrayList<>();
        for (String u : table.updates()) {
            String name = u.substring(0, u.lastIndexOf(' '));
            long id = Long.parseLong(u.substring(u.lastIndexOf(' ') + 1));
            if (names.contains(name)) {
                members.add(new Framework.Member(name, id, 1));
            }
        }
        long activations = d.ids().stream().filter(id -> d.activeVersion(id) != 1).count();
        if (activations + members.size() > dynamos.device.Limits.MAX_GROUP) {
            throw new UpdateException("replacing " + String.join(", ", names) + " takes one group activation of "
                    + (activations + members.size()) + " functions (" + activations + " of " + d.name() + ", "
                    + members.size() + " of the replaced updates), more than the " + dynamos.device.Limits.MAX_GROUP
                    + " the kernel switches at once; replace fewer updates at a time");
        }
        List<String> modules = modulesOf(table, names);
        List<String> problems = new ArrayList<>();
        // An update left in place above a replaced one would find another update below it afterwards.
        java.util.Map<String, Set<String>> stackedAbove = new java.util.LinkedHashMap<>();
        for (Framework.Member m : members) {
            table.stackOf(m.name(), m.id()).ifPresent(st -> st.above(m.name()).stream()
                    .filter(l -> !names.contains(l.update()))
                    .forEach(l -> stackedAbove.computeIfAbsent(l.update(), k -> new LinkedHashSet<>())
                            .add(m.name() + " on " + st.qualifiedFunction())));
        }
        stackedAbove.forEach((other, where) -> problems.add("update " + other + " is stacked above "
                + String.join(", ", where) + ": replace it too (DYNAMOS_REPLACES(\"" + other + "\")), or revert it first"));
        for (String m : modules) {
            List<String> users = loader.holders(m).stream().filter(h -> !modules.contains(h)).toList();
            if (!users.isEmpty()) {
                problems.add("module " + m + " (of " + updatesIn(table, List.of(m)) + ") is used by " + users
                        + describeUsers(table, users) + ": replace those too (DYNAMOS_REPLACES), or revert them first");
            }
        }
        if (!problems.isEmpty()) {
            throw new UpdateException("cannot apply " + d.name() + ", nothing was changed:\n    " + String.join("\n    ", problems));
        }
        return new Replacing(List.copyOf(names), List.copyOf(members), modules);
    }

    /** The modules that hold versions (2, 3, ...) of the updates {@code names}, and of no other update. */
    private static List<String> modulesOf(VersionTable table, List<String> names) {
        Set<String> mine = new LinkedHashSet<>();
        Set<String> others = new LinkedHashSet<>();
        for (VersionTable.Row r : table.rows()) {
            if (r.version() > 1 && !r.module().equals("vmlinux")) {
                (names.contains(r.update()) ? mine : others).add(r.module());
            }
        }
        mine.removeAll(others);
        return List.copyOf(mine);
    }

    /** The update names whose versions are in {@code modules}, for messages. */
    private static String updatesIn(VersionTable table, List<String> modules) {
        return String.join(", ", table.rows().stream().filter(r -> r.version() > 1 && modules.contains(r.module()))
                .map(VersionTable.Row::update).distinct().toList());
    }

    private static String describeUsers(VersionTable table, List<String> users) {
        String updates = updatesIn(table, users);
        return updates.isEmpty() ? " (built against its exports)" : " (update(s) " + updates + ", built against its exports)";
    }

    /**
     * Why {@code name} cannot be reverted now, one line each: (a) another update is stacked above it on
     * one of its functions (reverting the lower one would change what the upper one builds on: its
     * version 1 would pass calls to another version than when it was applied); (b) another loaded module
     * uses the exports of one of its modules (an update built against it, e.g. with {@code dynamos build
     * --uses}). Empty when it can be reverted.
     */
    static List<String> revertBlockers(VersionTable table, String name, ModuleLoader loader) {
        List<String> out = new ArrayList<>();
        java.util.Map<String, List<String>> aboveBy = new java.util.LinkedHashMap<>();
        for (long id : table.ids(name)) {
            table.stackOf(name, id).ifPresent(s -> s.above(name).forEach(l -> aboveBy
                    .computeIfAbsent(l.update(), k -> new ArrayList<>()).add(s.qualifiedFunction())));
        }
        aboveBy.forEach((other, functions) -> out.add("update " + other + " is stacked above " + name + " on "
                + String.join(", ", functions.stream().distinct().toList()) + ": revert " + other
                + " first, or apply a cumulative update that replaces both (DYNAMOS_REPLACES(\"" + name
                + "\") and DYNAMOS_REPLACES(\"" + other + "\"))"));
        List<String> modules = modulesOf(table, List.of(name));
        for (String m : modules) {
            List<String> users = loader.holders(m).stream().filter(h -> !modules.contains(h)).toList();
            if (!users.isEmpty()) {
                String updates = updatesIn(table, users);
                out.add("module " + m + " of " + name + " is used by loaded module(s) " + String.join(", ", users)
                        + describeUsers(table, users) + ": "
                        + (updates.isEmpty() ? "unload " + String.join(", ", users) : "revert " + updates)
                        + " first, or apply a cumulative update that replaces both");
            }
        }
        return out;
    }
}
