package dynamos.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What kbuild recorded when it compiled one object: its {@code .NAME.o.cmd} file, which holds the exact
 * command ({@code cmd_OBJ := ...}: the compiler with every flag, then objtool), the source file
 * ({@code source_OBJ := ...}) and the files the compiler read ({@code deps_OBJ := ...}, from {@code -MMD},
 * without the {@code $(wildcard include/config/...)} entries). Paths are relative to the tree's top, where the
 * command runs.
 *
 * @param object  the object, e.g. {@code fs/proc/cmdline.o}
 * @param command the shell command (make's {@code $$} already turned into {@code $})
 * @param source  the source file, e.g. {@code fs/proc/cmdline.c}
 * @param deps    the files it depends on, the source and headers
 */
public record KbuildCommand(String object, String command, String source, List<String> deps) {
    private static final Pattern LINE = Pattern.compile("^(cmd|source|deps)_(\\S+) := ?(.*)$");

    public KbuildCommand {
        deps = List.copyOf(deps);
    }

    /** The {@code .cmd} file kbuild writes for {@code object}: {@code fs/proc/.cmdline.o.cmd}. */
    public static String cmdFile(String object) {
        int slash = object.lastIndexOf('/');
        return object.substring(0, slash + 1) + "." + object.substring(slash + 1) + ".cmd";
    }

    /** The object a translation unit compiles to: {@code fs/proc/cmdline.o} for {@code fs/proc/cmdline.c}. */
    public static String objectOf(String unit) {
        if (!unit.endsWith(".c")) {
            throw new SourceException("'" + unit + "' is not a C translation unit (a .c file)");
        }
        return unit.substring(0, unit.length() - 2) + ".o";
    }

    public static KbuildCommand read(Path file) {
        try {
            return parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new SourceException("cannot read kbuild's " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses the text of a {@code .cmd} file. */
    public static KbuildCommand parse(String text, String origin) {
        String object = null;
        String command = null;
        String source = null;
        List<String> deps = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = LINE.matcher(lines.get(i));
            if (!m.matches()) {
                continue;
            }
            switch (m.group(1)) {
                case "cmd" -> {
                    object = m.group(2);
                    command = m.group(3).strip().replace("$$", "$");
                }
                case "source" -> source = m.group(3).strip();
                default -> {
                    String rest = m.group(3);
                    while (true) {
                        boolean more = rest.strip().endsWith("\\");
                        String entry = more ? rest.strip().substring(0, rest.strip().length() - 1).strip() : rest.strip();
                        if (!entry.isEmpty() && !entry.startsWith("$(wildcard")) {
                            for (String e : entry.split("\\s+")) {
                                deps.add(e);
                            }
                        }
                        if (!more || i + 1 >= lines.size()) {
                            break;
                        }
                        rest = lines.get(++i);
                    }
                }
            }
        }
        if (command == null || object == null) {
            throw new SourceException(origin + " holds no 'cmd_...' line; is it a kbuild .cmd file?");
        }
        return new KbuildCommand(object, command, source, deps);
    }

    /** Whether the compiler read {@code path} (relative to the tree's top) for this object. */
    public boolean dependsOn(String path) {
        return deps.contains(path) || deps.contains("./" + path);
    }

    /**
     * The command writing the object (and its dependency file) to {@code output} instead of the tree, with
     * {@code extraFlags} added to the compiler's, to run at the tree's top.
     *
     * @throws SourceException when the command is not the {@code CC ... -c -o OBJ SRC} kbuild writes for C files
     */
    public String retargeted(Path output, List<String> extraFlags) {
        String cc = " -c -o " + object + " ";
        int at = command.indexOf(cc);
        if (at < 0) {
            throw new SourceException("kbuild's command for " + object + " is not a C compilation ('-c -o " + object
                    + "' missing): " + command);
        }
        String out = output.toString();
        String compile = command.substring(0, at) + (extraFlags.isEmpty() ? "" : " " + String.join(" ", extraFlags))
                + " -c -o " + out + " " + command.substring(at + cc.length());
        String depFile = depFile(object);
        compile = compile.replace("-MMD," + depFile, "-MMD," + out + ".d");
        // objtool and anything after the compiler name the object as a word of its own
        return compile.replaceAll("(?<=\\s)" + Pattern.quote(object) + "(?=\\s|;|$)", Matcher.quoteReplacement(out));
    }

    /** The dependency file gcc writes for {@code object}: {@code fs/proc/.cmdline.o.d}. */
    static String depFile(String object) {
        int slash = object.lastIndexOf('/');
        return object.substring(0, slash + 1) + "." + object.substring(slash + 1) + ".d";
    }
}
