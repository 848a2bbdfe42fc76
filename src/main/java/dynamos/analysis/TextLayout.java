package dynamos.analysis;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The address ranges of the kernel's text regions, from the marker symbols of its linker script:
 * {@code _stext}..{@code _etext} (the text), {@code _sinittext}..{@code _einittext} (init text) and the
 * {@code PREFIX_start}..{@code PREFIX_end} sub-ranges of {@link TextRegion}. An address gets the
 * smallest range that holds it (interrupt entry text lies inside the entry text).
 */
public final class TextLayout {
    private static final Pattern MARKER = Pattern.compile(
            "_text|_stext|_etext|_sinittext|_einittext|__\\w*_text_(start|end)|__indirect_thunk_(start|end)");

    /** A range {@code [start, end)} of one region. */
    public record Range(TextRegion region, long start, long end) {
        boolean holds(long address) {
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        }

        long length() {
            return end - start;
        }
    }

    private final List<Range> ranges;

    public TextLayout(List<Range> ranges) {
        this.ranges = List.copyOf(ranges);
    }

    /** The layout the markers among {@code symbols} (name to address) give; regions whose markers are missing are left out. */
    public static TextLayout fromMarkers(Map<String, Long> symbols) {
        List<Range> out = new ArrayList<>();
        pair(symbols, "_stext", "_etext", TextRegion.TEXT, out);
        pair(symbols, "_sinittext", "_einittext", TextRegion.INIT, out);
        // Also the exit text and the other code between them, all freed with the init sections.
        pair(symbols, "__init_begin", "__init_end", TextRegion.INIT, out);
        for (TextRegion r : TextRegion.values()) {
            if (r.markerPrefix != null) {
                pair(symbols, r.markerPrefix + "_start", r.markerPrefix + "_end", r, out);
            }
        }
        return new TextLayout(out);
    }

    private static void pair(Map<String, Long> symbols, String start, String end, TextRegion region, List<Range> out) {
        Long s = symbols.get(start);
        Long e = symbols.get(end);
        if (s != null && e != null && Long.compareUnsigned(s, e) <= 0) {
            out.add(new Range(region, s, e));
        }
    }

    /** Whether {@code name} bounds the init sections ({@code __init_begin}, {@code __init_end}: data symbols). */
    public static boolean isInitBound(String name) {
        return name.equals("__init_begin") || name.equals("__init_end");
    }

    /** Whether {@code name} is one of the linker script's markers, not a function. */
    public static boolean isMarker(String name) {
        return MARKER.matcher(name).matches();
    }

    /** The region of {@code address}: the smallest range holding it, else {@link TextRegion#OTHER}. */
    public TextRegion regionOf(long address) {
        Range best = null;
        for (Range r : ranges) {
            if (r.holds(address) && (best == null || r.length() < best.length())) {
                best = r;
            }
        }
        return best == null ? TextRegion.OTHER : best.region();
    }

    /** The range of {@code region}, if its markers were found. */
    public Optional<Range> range(TextRegion region) {
        return ranges.stream().filter(r -> r.region() == region).findFirst();
    }

    public List<Range> ranges() {
        return ranges;
    }
}
