package dynamos.control;

import dynamos.framework.HookKind;
import dynamos.transaction.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses control scripts: the manual's DYNREPLACE_* macros, or the same commands as {@code dynamos}
 * subcommands, one per line, with {@code #} comments. Update names may be quoted ("pipe_read") or bare.
 */
public final class ControlScript {
    /** A parsed line: where it was, what it said, what it means. */
    public record Step(int line, String source, Operation operation) {}

    /** Hook macros, with the manual's misspellings of its own examples accepted as aliases. */
    private static final Map<String, HookKind> HOOK_MACROS = Map.of(
            "DYNREPLACE_SET_PREACTIVATION_HOOK_BY_NAME", HookKind.PRE_ACTIVATION,
            "DYNREPLACE_SET_PREAMACTIVATION_HOOK_BY_NAME", HookKind.PRE_ACTIVATION,
            "DYNREPLACE_SET_PREAMBULATION_HOOK_BY_NAME", HookKind.PRE_ACTIVATION,
            "DYNREPLACE_SET_POSTACTIVATION_HOOK_BY_NAME", HookKind.POST_ACTIVATION,
            "DYNREPLACE_SET_POSTAMBULATION_HOOK_BY_NAME", HookKind.POST_ACTIVATION,
            "DYNREPLACE_SET_PREREMOVAL_HOOK_BY_NAME", HookKind.PRE_REMOVAL,
            "DYNREPLACE_SET_POSTREMOVAL_HOOK_BY_NAME", HookKind.POST_REMOVAL,
            "DYNREPLACE_SET_TARGET_COMING_HOOK_BY_NAME", HookKind.TARGET_COMING,
            "DYNREPLACE_SET_TARGET_GOING_HOOK_BY_NAME", HookKind.TARGET_GOING);

    private ControlScript() {}

    public static List<Step> parse(String text) {
        List<Step> steps = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String raw = lines.get(i);
            String line = stripComment(raw).strip();
            if (line.endsWith(";")) {
                line = line.substring(0, line.length() - 1).strip();
            }
            if (line.isEmpty()) {
                continue;
            }
            int n = i + 1;
            Operation op = line.startsWith("DYNREPLACE_") ? macro(n, line) : command(n, words(n, line));
            steps.add(new Step(n, raw.strip(), op));
        }
        return steps;
    }

    /** Parses one {@code dynamos} subcommand given as words (as the CLI receives them). */
    public static Operation command(int n, List<String> w) {
        if (!w.isEmpty() && w.getFirst().equals("dynamos")) {
            w = w.subList(1, w.size());
        }
        if (w.isEmpty()) {
            throw new ScriptSyntaxException(n, "empty command");
        }
        String verb = w.getFirst();
        List<String> a = w.subList(1, w.size());
        return switch (verb) {
            case "register" -> {
                arity(n, verb, a, 3, "register NAME ID FUNCTION[@POSITION]");
                yield register(n, name(n, a.get(0)), id(n, a.get(1)), a.get(2));
            }
            case "deregister" -> {
                Double timeout = null;
                List<String> rest = new ArrayList<>(a);
                int t = rest.indexOf("--timeout");
                if (t >= 0) {
                    if (t + 1 >= rest.size()) {
                        throw new ScriptSyntaxException(n, "--timeout needs SECONDS");
                    }
                    timeout = seconds(n, rest.get(t + 1));
                    rest.remove(t + 1);
                    rest.remove(t);
                }
                arity(n, verb, rest, 3, "deregister NAME ID VERSION [--timeout SECONDS]");
                yield new Operation.Deregister(name(n, rest.get(0)), id(n, rest.get(1)), version(n, rest.get(2)), timeout);
            }
            case "activate" -> {
                arity(n, verb, a, 3, "activate NAME ID VERSION");
                int v = version(n, a.get(2));
                if (v < 1) {
                    throw new ScriptSyntaxException(n, "activate takes a version of 1 or more (1 is the original)");
                }
                yield new Operation.Activate(name(n, a.get(0)), id(n, a.get(1)), v);
            }
            case "hook" -> {
                arity(n, verb, a, 5, "hook (pre-activation|post-activation|pre-removal|post-removal|target-coming|target-going) NAME ID VERSION FUNCTION|--clear");
                HookKind kind;
                try {
                    kind = HookKind.parse(a.get(0));
                } catch (IllegalArgumentException e) {
                    throw new ScriptSyntaxException(n, e.getMessage());
                }
                String fn = a.get(4).equals("--clear") ? null : function(n, a.get(4));
                yield new Operation.SetHook(kind, name(n, a.get(1)), id(n, a.get(2)), version(n, a.get(3)), fn);
            }
            case "rule" -> {
                if (a.size() == 4 && a.get(2).equals("--address")) {
                    yield new Operation.SetRule(name(n, a.get(0)), id(n, a.get(1)), null, address(n, a.get(3)));
                }
                arity(n, verb, a, 3, "rule NAME ID (FUNCTION | --address ADDR | --clear)");
                if (a.get(2).equals("--clear")) {
                    yield new Operation.SetRule(name(n, a.get(0)), id(n, a.get(1)), null, null);
                }
                yield new Operation.SetRule(name(n, a.get(0)), id(n, a.get(1)), function(n, a.get(2)), null);
            }
            case "call" -> {
                arity(n, verb, a, 1, "call FUNCTION");
                yield new Operation.Call(function(n, a.get(0)));
            }
            case "activate-group" -> new Operation.ActivateGroup(group(n, a));
            case "state" -> state(n, a);
            default -> throw new ScriptSyntaxException(n, "unknown command '" + verb
                    + "' (expected register, deregister, activate, activate-group, hook, rule, call, state"
                    + " or a DYNREPLACE_ macro)");
        };
    }

    private static Operation macro(int n, String line) {
        int open = line.indexOf('(');
        if (open < 0 || !line.endsWith(")")) {
            throw new ScriptSyntaxException(n, "expected MACRO(arguments): " + line);
        }
        String macro = line.substring(0, open).strip();
        List<String> a = arguments(n, line.substring(open + 1, line.length() - 1));
        HookKind hook = HOOK_MACROS.get(macro);
        if (hook != null) {
            if (a.size() != 4) {
                throw new ScriptSyntaxException(n, macro + " takes (update_name, id, version, function_name), got "
                        + a.size() + " arguments");
            }
            return new Operation.SetHook(hook, name(n, a.get(0)), id(n, a.get(1)), version(n, a.get(2)), function(n, a.get(3)));
        }
        return switch (macro) {
            case "DYNREPLACE_REGISTER_INTUITIVELY" -> {
                macroArity(n, macro, a, "(update_name, id, function_name)", 3);
                yield register(n, name(n, a.get(0)), id(n, a.get(1)), a.get(2));
            }
            case "DYNREPLACE_DEREGISTER_FUNCTION" -> {
                macroArity(n, macro, a, "(update_name, id, version)", 3);
                yield new Operation.Deregister(name(n, a.get(0)), id(n, a.get(1)), version(n, a.get(2)), null);
            }
            case "DYNREPLACE_ACTIVATE_FUNCTION" -> {
                macroArity(n, macro, a, "(update_name, id, version)", 3);
                yield new Operation.Activate(name(n, a.get(0)), id(n, a.get(1)), version(n, a.get(2)));
            }
            // The manual lists a version argument for handlers but its examples leave it out; there is one
            // handler per <name,id>, so both forms are taken and the version is ignored.
            case "DYNREPLACE_SET_RULE_EVALUATION_FUNCTION_BY_NAME" -> {
                macroArity(n, macro, a, "(update_name, id, [version,] function_name)", 3, 4);
                yield new Operation.SetRule(name(n, a.get(0)), id(n, a.get(1)), function(n, a.getLast()), null);
            }
            case "DYNREPLACE_SET_RULE_EVALUATION_FUNCTION_BY_ADDRESS" -> {
                macroArity(n, macro, a, "(update_name, id, [version,] memory_address)", 3, 4);
                yield new Operation.SetRule(name(n, a.get(0)), id(n, a.get(1)), null, address(n, a.getLast()));
            }
            case "DYNREPLACE_ACTIVATE_GROUP" -> new Operation.ActivateGroup(group(n, a));
            case "DYNREPLACE_CALL" -> {
                macroArity(n, macro, a, "(function_name)", 1);
                yield new Operation.Call(function(n, a.get(0)));
            }
            default -> throw new ScriptSyntaxException(n, "unknown macro " + macro);
        };
    }

    /** Splits macro arguments at top-level commas; quoted strings keep their commas. */
    static List<String> arguments(int n, String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (char c : s.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
                cur.append(c);
            } else if (c == ',' && !quoted) {
                out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        if (quoted) {
            throw new ScriptSyntaxException(n, "unterminated quote");
        }
        if (!cur.toString().isBlank() || !out.isEmpty()) {
            out.add(cur.toString().strip());
        }
        return out;
    }

    /** Splits a command line into words; double or single quotes group. */
    static List<String> words(int n, String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (char c : s.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new ScriptSyntaxException(n, "unterminated quote");
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return out;
    }

    private static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    static String name(int n, String s) {
        String v = unquote(s);
        if (v.isEmpty() || v.length() > dynamos.device.Limits.MAX_NAME_CHARS || !v.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new ScriptSyntaxException(n, "update name '" + v + "' must be 1 to " + dynamos.device.Limits.MAX_NAME_CHARS
                    + " printable characters without spaces");
        }
        return v;
    }

    /**
     * A registration; the function may carry {@code @POSITION}: which of several same-named core-kernel
     * functions (see {@link dynamos.framework.Namesakes}).
     */
    static Operation.Register register(int n, String name, long id, String s) {
        dynamos.framework.Namesakes.Named named;
        try {
            named = dynamos.framework.Namesakes.parse(unquote(s));
        } catch (IllegalArgumentException e) {
            throw new ScriptSyntaxException(n, e.getMessage());
        }
        return new Operation.Register(name, id, function(n, named.function()), named.position());
    }

    static String function(int n, String s) {
        String v = unquote(s);
        if (!v.matches("([A-Za-z0-9_.\\-]+:)?[A-Za-z_][A-Za-z0-9_.$]*") || v.length() > dynamos.device.Limits.MAX_SYMBOL_CHARS) {
            throw new ScriptSyntaxException(n, "'" + v + "' is not a function name (symbol or module:symbol)");
        }
        return v;
    }

    static long id(int n, String s) {
        try {
            long v = Long.parseLong(unquote(s));
            if (v < 0 || v > 0xffffffffL) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ScriptSyntaxException(n, "update id '" + s + "' is not a number from 0 to 4294967295");
        }
    }

    static int version(int n, String s) {
        try {
            int v = Integer.parseInt(unquote(s));
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ScriptSyntaxException(n, "version '" + s + "' is not a number (0 or more)");
        }
    }

    static long address(int n, String s) {
        String v = unquote(s).toLowerCase(Locale.ROOT);
        try {
            return v.startsWith("0x") ? Long.parseUnsignedLong(v.substring(2), 16) : Long.parseUnsignedLong(v);
        } catch (NumberFormatException e) {
            throw new ScriptSyntaxException(n, "address '" + s + "' is not a number (decimal or 0x hex)");
        }
    }

    static double seconds(int n, String s) {
        try {
            double d = Double.parseDouble(s);
            if (!(d > 0 && d <= dynamos.device.Limits.MAX_TIMEOUT_MS / 1000)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new ScriptSyntaxException(n, "timeout '" + s + "' is not a number of seconds from 0 to "
                    + dynamos.device.Limits.MAX_TIMEOUT_MS / 1000);
        }
    }

    private static String unquote(String s) {
        String t = s.strip();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            return t.substring(1, t.length() - 1);
        }
        return t;
    }

    /** NAME ID VERSION triples: the members of a group activation. */
    private static List<dynamos.framework.Framework.Member> group(int n, List<String> a) {
        if (a.isEmpty() || a.size() % 3 != 0 || a.size() / 3 > dynamos.device.Limits.MAX_GROUP) {
            throw new ScriptSyntaxException(n, "a group activation takes 1 to " + dynamos.device.Limits.MAX_GROUP
                    + " NAME ID VERSION triples, got " + a.size() + " argument(s)");
        }
        List<dynamos.framework.Framework.Member> members = new ArrayList<>();
        for (int i = 0; i < a.size(); i += 3) {
            int v = version(n, a.get(i + 2));
            if (v < 1) {
                throw new ScriptSyntaxException(n, "a group activation takes versions of 1 or more (1 is the original)");
            }
            members.add(new dynamos.framework.Framework.Member(name(n, a.get(i)), id(n, a.get(i + 1)), v));
        }
        return members;
    }

    /** state NAME [--phase N] [--must-update true|false] */
    private static Operation state(int n, List<String> a) {
        String usage = "state NAME [--phase N] [--must-update true|false]";
        if (a.isEmpty() || a.size() % 2 != 1) {
            throw new ScriptSyntaxException(n, "usage: " + usage);
        }
        Integer phase = null;
        Boolean must = null;
        for (int i = 1; i < a.size(); i += 2) {
            String value = a.get(i + 1);
            switch (a.get(i)) {
                case "--phase" -> {
                    try {
                        phase = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new ScriptSyntaxException(n, "--phase takes a number, not '" + value + "'");
                    }
                }
                case "--must-update" -> {
                    if (!value.equals("true") && !value.equals("false") && !value.equals("1") && !value.equals("0")) {
                        throw new ScriptSyntaxException(n, "--must-update takes true or false, not '" + value + "'");
                    }
                    must = value.equals("true") || value.equals("1");
                }
                default -> throw new ScriptSyntaxException(n, "unknown option '" + a.get(i) + "': usage: " + usage);
            }
        }
        return new Operation.SetState(name(n, a.get(0)), phase, must);
    }

    private static void arity(int n, String verb, List<String> a, int want, String usage) {
        if (a.size() != want) {
            throw new ScriptSyntaxException(n, verb + " takes " + want + " arguments, got " + a.size() + ": usage: " + usage);
        }
    }

    private static void macroArity(int n, String macro, List<String> a, String usage, int... allowed) {
        for (int k : allowed) {
            if (a.size() == k) {
                return;
            }
        }
        throw new ScriptSyntaxException(n, macro + " takes " + usage + ", got " + a.size() + " arguments");
    }
}
