package dynamos.framework;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Static functions of one name in several files of the core kernel ("namesakes"): the kernel cannot tell
 * them apart by name, so the first registration of an update names one by position as well, the
 * {@code N} of {@code DYNAMOS_SYMBOL(name, N)} or of {@code name@N} in a control script, counted from 1
 * over the name's {@code /proc/kallsyms} entries (core-kernel entries come first, in address order). The
 * REGISTER request then carries that entry's address, which the kernel checks against its own kallsyms.
 */
public final class Namesakes {
    private Namesakes() {}

    /** A function name with an optional position: {@code name}, {@code vmlinux:name} or {@code name@N}. */
    public record Named(String function, int position) {
        @Override
        public String toString() {
            return position == 0 ? function : function + "@" + position;
        }
    }

    /**
     * Splits {@code name@N} into the function and its position (0 when none is given).
     *
     * @throws IllegalArgumentException if the position is not a number from 1, or names a module function
     */
    public static Named parse(String spec) {
        int at = spec.lastIndexOf('@');
        if (at < 0) {
            return new Named(spec, 0);
        }
        String function = spec.substring(0, at);
        int position;
        try {
            position = Integer.parseInt(spec.substring(at + 1));
        } catch (NumberFormatException e) {
            position = 0;
        }
        if (position < 1) {
            throw new IllegalArgumentException("'" + spec + "': the position after @ is a number from 1 (which of"
                    + " several same-named functions, in /proc/kallsyms order)");
        }
        checkCore(function, position);
        return new Named(function, position);
    }

    /** The address of the {@code position}th entry named {@code function} in the running kernel's kallsyms. */
    public static long address(String function, int position) {
        checkCore(function, position);
        String name = bare(function);
        String suffix = " " + name;
        List<String> lines;
        try (Stream<String> s = Files.lines(Path.of("/proc/kallsyms"))) {
            lines = s.filter(l -> l.endsWith(suffix)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/kallsyms: " + e.getMessage(), e);
        }
        return address(lines, function, position);
    }

    /**
     * The address of the {@code position}th core-kernel entry named {@code function} among kallsyms
     * {@code lines} (others are skipped).
     *
     * @throws IllegalArgumentException if there are fewer, or that entry is not a function
     */
    public static long address(List<String> lines, String function, int position) {
        checkCore(function, position);
        String name = bare(function);
        List<String[]> entries = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3 && f[2].equals(name) && f[1].length() == 1) {
                entries.add(f);
            }
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("unknown symbol " + name + ": the running kernel's /proc/kallsyms has no"
                    + " core-kernel entry of that name");
        }
        if (position > entries.size()) {
            throw new IllegalArgumentException(name + "@" + position + ": the core kernel has only " + entries.size()
                    + " function(s) named " + name + "; positions go from 1 to " + entries.size());
        }
        String[] e = entries.get(position - 1);
        if (!e[1].equalsIgnoreCase("t")) {
            throw new IllegalArgumentException(name + "@" + position + " is not a function (kallsyms type " + e[1]
                    + "); choose the position of a text (t) entry");
        }
        long address = Long.parseUnsignedLong(e[0], 16);
        if (address == 0) {
            throw new IllegalArgumentException("/proc/kallsyms hides addresses from this user (kernel.kptr_restrict);"
                    + " run as root");
        }
        return address;
    }

    private static void checkCore(String function, int position) {
        if (position != 0 && function.contains(":") && !function.startsWith("vmlinux:")) {
            throw new IllegalArgumentException(function + "@" + position + ": a position names a core-kernel function;"
                    + " module functions are named by module:symbol only");
        }
    }

    private static String bare(String function) {
        return function.startsWith("vmlinux:") ? function.substring("vmlinux:".length()) : function;
    }
}
