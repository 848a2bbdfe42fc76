/**
 * Monitoring of kernel functions with no update to write: calls per CPU, a latency histogram, per caller and
 * per version, and arithmetic on log2 latency histograms. The kernel side is {@code kernel/monitor.c};
 * {@link dynamos.framework.Framework} starts, stops and reads monitors.
 */
package dynamos.monitor;
