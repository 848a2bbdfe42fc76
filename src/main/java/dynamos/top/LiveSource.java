package dynamos.top;

import dynamos.framework.Framework;
import dynamos.live.LiveSampler;
import dynamos.live.LiveView;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Pictures for {@code dynamos top}, each through its own connection to the framework, so that a view left
 * running does not hold /dev/dynamos open (that would pin dynamos.ko against {@code dynamos stop}).
 */
public final class LiveSource {
    /** A picture, or why there is none ({@code view} then the last one, or null). */
    public record Picture(LiveView view, String problem) {}

    private final BooleanSupplier started;
    private final Supplier<Framework> connect;
    private final LongSupplier clock;
    private final LiveSampler sampler;
    private LiveView last;

    public LiveSource(BooleanSupplier started, Supplier<Framework> connect, LongSupplier clock) {
        this.started = started;
        this.connect = connect;
        this.clock = clock;
        this.sampler = new LiveSampler(true, clock);
    }

    /** The running kernel's framework. */
    public static LiveSource ofRunningKernel() {
        return new LiveSource(Framework::started, Framework::connect, System::currentTimeMillis);
    }

    /** A picture now: rates since the previous one; not-started when the framework is not loaded. */
    public Picture next() {
        if (!started.getAsBoolean()) {
            last = LiveView.notStarted(clock.getAsLong());
            return new Picture(last, null);
        }
        try (Framework fw = connect.get()) {
            last = sampler.sample(fw);
            return new Picture(last, null);
        } catch (RuntimeException e) {
            // Stopped between the check and the picture, or the device refused: say so, keep the last picture.
            return new Picture(last, "cannot read the framework: " + e.getMessage());
        }
    }
}
