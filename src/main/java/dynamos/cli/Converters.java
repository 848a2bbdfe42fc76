package dynamos.cli;

import dynamos.device.Limits;
import dynamos.framework.HookKind;
import java.util.Locale;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * picocli converters from command-line words to the typed values of framework operations; a word that
 * does not convert is a usage error (exit status 2) naming the parameter and saying what it takes.
 */
final class Converters {
    private Converters() {}

    /** The largest update id: ids are unsigned 32-bit numbers in the ABI. */
    static final long MAX_ID = 0xffffffffL;

    /** The longest --timeout a quiescence wait may have, in seconds. */
    static final double MAX_SECONDS = Limits.MAX_TIMEOUT_MS / 1000;

    /** An update name: 1 to Limits.MAX_NAME_CHARS printable ASCII characters, no spaces. */
    static final class UpdateName implements ITypeConverter<String> {
        @Override
        public String convert(String word) {
            boolean printable = word.chars().allMatch(c -> c > ' ' && c < 0x7f);
            if (word.isEmpty() || word.length() > Limits.MAX_NAME_CHARS || !printable) {
                throw new TypeConversionException("update name '" + word
                        + "' must be 1 to " + Limits.MAX_NAME_CHARS + " printable characters without spaces");
            }
            return word;
        }
    }

    /** A kernel function: {@code symbol} or {@code module:symbol}. */
    static final class FunctionName implements ITypeConverter<String> {
        private static final Pattern SYMBOL = Pattern.compile("([A-Za-z0-9_.\\-]+:)?[A-Za-z_][A-Za-z0-9_.$]*");

        @Override
        public String convert(String word) {
            if (word.length() > 127 || !SYMBOL.matcher(word).matches()) {
                throw new TypeConversionException("'" + word + "' is not a function name (symbol or module:symbol)");
            }
            return word;
        }
    }

    /** A function name that may end in {@code @N}: the Nth of several same-named core-kernel functions. */
    static final class OriginalName implements ITypeConverter<String> {
        @Override
        public String convert(String word) {
            try {
                new FunctionName().convert(dynamos.framework.Namesakes.parse(word).function());
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
            return word;
        }
    }

    /** An update id, an unsigned 32-bit number. */
    static final class UpdateId implements ITypeConverter<Long> {
        @Override
        public Long convert(String word) {
            Long id = parseLong(word);
            if (id == null || id < 0 || id > MAX_ID) {
                throw new TypeConversionException("update id '" + word + "' is not a number from 0 to " + MAX_ID);
            }
            return id;
        }
    }

    /** A version number, 0 or more (0 means all versions where a command allows it). */
    static final class Version implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String word) {
            Long v = parseLong(word);
            if (v == null || v < 0 || v > Integer.MAX_VALUE) {
                throw new TypeConversionException("version '" + word + "' is not a number (0 or more)");
            }
            return v.intValue();
        }
    }

    /** A version that can run: 1 (the original) or more. */
    static final class RunnableVersion implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String word) {
            int v = new Version().convert(word);
            if (v < 1) {
                throw new TypeConversionException("takes a version of 1 or more (1 is the original), not " + word);
            }
            return v;
        }
    }

    /** A hook kind: one of {@link HookKind#CLI_NAMES}. */
    static final class Hook implements ITypeConverter<HookKind> {
        @Override
        public HookKind convert(String word) {
            try {
                return HookKind.parse(word);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** A kernel address, decimal or 0x hex. */
    static final class Address implements ITypeConverter<Long> {
        @Override
        public Long convert(String word) {
            String w = word.toLowerCase(Locale.ROOT);
            try {
                return w.startsWith("0x") ? Long.parseUnsignedLong(w.substring(2), 16) : Long.parseUnsignedLong(w);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("address '" + word + "' is not a number (decimal or 0x hex)");
            }
        }
    }

    /** A quiescence timeout in seconds: more than 0, at most {@link #MAX_SECONDS}. */
    static final class Seconds implements ITypeConverter<Double> {
        @Override
        public Double convert(String word) {
            return seconds(word, false);
        }
    }

    /** A wait in seconds where 0 means "check once": 0 to {@link #MAX_SECONDS}. */
    static final class SecondsOrZero implements ITypeConverter<Double> {
        @Override
        public Double convert(String word) {
            return seconds(word, true);
        }
    }

    /** Seconds as the kernel takes them, in whole milliseconds. */
    static int millis(double seconds) {
        return (int) Math.round(seconds * 1000);
    }

    private static double seconds(String word, boolean zeroAllowed) {
        double s;
        try {
            s = Double.parseDouble(word);
        } catch (NumberFormatException e) {
            s = Double.NaN;
        }
        boolean low = zeroAllowed ? s >= 0 : s > 0;
        if (!(low && s <= MAX_SECONDS)) {
            throw new TypeConversionException("--timeout takes 0 to " + Limits.MAX_TIMEOUT_MS / 1000 + " seconds, not '" + word + "'");
        }
        return s;
    }

    private static Long parseLong(String word) {
        try {
            return Long.parseLong(word);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** {@code HOST:GUEST} or {@code PORT}: a TCP port forwarded from the host into the VM. */
    static final class PortForward implements ITypeConverter<dynamos.vm.VmOptions.Forward> {
        @Override
        public dynamos.vm.VmOptions.Forward convert(String word) {
            try {
                return dynamos.vm.VmOptions.Forward.parse(word);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Seconds as a decimal number in a range that subclasses set. */
    abstract static class SecondsInRange implements ITypeConverter<Double> {
        private final double min;
        private final double max;
        private final String range;

        SecondsInRange(double min, double max, String range) {
            this.min = min;
            this.max = max;
            this.range = range;
        }

        @Override
        public Double convert(String word) {
            double s;
            try {
                s = Double.parseDouble(word);
            } catch (NumberFormatException e) {
                s = Double.NaN;
            }
            if (!(s >= min && s <= max)) {
                throw new TypeConversionException("'" + word + "' is not " + range);
            }
            return s;
        }
    }

    /** More than 0 seconds, at most a year (monitor --duration and --interval). */
    static final class PositiveSeconds extends SecondsInRange {
        PositiveSeconds() {
            super(Double.MIN_VALUE, 365 * 86400.0, "a number of seconds more than 0 (at most a year)");
        }
    }

    /** top's interval: at least a tenth of a second (each picture walks every task's stack), at most an hour. */
    static final class TopInterval extends SecondsInRange {
        TopInterval() {
            super(0.1, 3600, "a number of seconds from 0.1 to 3600");
        }
    }
}
