package dynamos.monitor;

/**
 * How to monitor a function.
 *
 * @param byCaller  also count calls and latency per caller
 * @param maxActive calls in flight that can be timed at once (0: the kernel's default); more are counted as missed
 */
public record MonitorOptions(boolean byCaller, int maxActive) {
    public static final MonitorOptions DEFAULT = new MonitorOptions(false, 0);

    public MonitorOptions {
        if (maxActive < 0) {
            throw new IllegalArgumentException("maxActive must be 0 (default) or positive, not " + maxActive);
        }
    }
}
