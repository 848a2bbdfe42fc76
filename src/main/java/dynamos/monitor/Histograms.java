package dynamos.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Arithmetic on log2 latency histograms (bucket i counts durations in [2^i, 2^(i+1)) ns). */
public final class Histograms {
    private Histograms() {}

    /** {@code now - before}, bucket by bucket; a bucket that went down (a monitor restarted) counts as now's. */
    public static List<Long> difference(List<Long> now, List<Long> before) {
        List<Long> out = new ArrayList<>(now.size());
        for (int i = 0; i < now.size(); i++) {
            long b = i < before.size() ? before.get(i) : 0;
            long d = now.get(i) - b;
            out.add(d < 0 ? now.get(i) : d);
        }
        return out;
    }

    /**
     * The duration in ns below which a fraction {@code q} of the counted calls fall, taking the geometric
     * middle of the bucket it lands in; -1 when the histogram is empty.
     */
    public static double quantileNs(List<Long> histogram, double q) {
        long total = histogram.stream().mapToLong(Long::longValue).sum();
        if (total == 0) {
            return -1;
        }
        double rank = q * total;
        long seen = 0;
        for (int i = 0; i < histogram.size(); i++) {
            seen += histogram.get(i);
            if (seen >= rank && histogram.get(i) > 0) {
                return i == 0 ? 1 : Math.pow(2, i) * Math.sqrt(2);
            }
        }
        return Math.pow(2, histogram.size() - 1);
    }

    /** A bucket's lower bound, readable: {@code 1ns}, {@code 2us}, {@code 4ms}, {@code 8s}. */
    public static String bucketLabel(int bucket) {
        double ns = Math.pow(2, bucket);
        return duration(ns);
    }

    /** A duration in ns, readable with three significant digits at most: {@code 850ns}, {@code 1.2us}, {@code 3.4s}. */
    public static String duration(double ns) {
        if (ns < 0) {
            return "-";
        }
        Scaled d = scale(ns);
        String n = d.value() >= 100 || d.value() == Math.rint(d.value())
                ? String.format(Locale.ROOT, "%.0f", d.value()) : String.format(Locale.ROOT, "%.1f", d.value());
        return n + d.unit();
    }

    /** A duration in the largest of ns, us, ms and s that keeps the value at 1 or more (below 1000 but in s). */
    public record Scaled(double value, String unit) {}

    public static Scaled scale(double ns) {
        String[] units = {"ns", "us", "ms", "s"};
        double v = ns;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return new Scaled(v, units[u]);
    }
}
