package dynamos.vm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** How to boot the guest. Mutable builder-style settings with the defaults end-to-end tests use. */
public final class VmOptions {
    public enum Accel { TCG, KVM }

    /** Kernel release to boot; null means Debian's current default. */
    public String kernelVersion;
    public Accel accel = Accel.TCG;
    public int smp = 2;
    public int memoryMiB = 2048;
    /** Counts guest time in instructions ({@code -icount shift=0}): repeatable figures; forces one vCPU. */
    public boolean icount;
    public Duration timeout = Duration.ofMinutes(10);
    /** A host directory the guest may write, mounted at the same path; null for none. */
    public Path share;
    /** Where to copy the console log besides the run directory; null for none. */
    public Path consoleLog;
    /** Working directory of the command in the guest (the host root is the guest's root). */
    public Path workDir = Path.of("").toAbsolutePath();
    /** Extra environment for the command. */
    public final Map<String, String> env = new LinkedHashMap<>();
    /** Extra kernel command line parameters. */
    public String kernelArgs = "";

    public int effectiveSmp() {
        return icount ? 1 : smp;
    }
}
