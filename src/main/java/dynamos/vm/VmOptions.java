package dynamos.vm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How to boot the guest. Mutable builder-style settings with the defaults end-to-end tests use. */
public final class VmOptions {
    public enum Accel { TCG, KVM }

    /** How QEMU's TCG runs the vCPUs (no matter with KVM or --icount, which runs them on one thread). */
    public enum TcgThreads {
        /** A host thread per vCPU: the fastest when the host has a free core for each. */
        MULTI,
        /**
         * Every vCPU on one host thread, taking turns. When guests side by side want more cores than the host
         * has, a vCPU spinning for a lock held by a descheduled sibling burns host CPU for nothing: measured
         * here, two 2-vCPU guests installing the package (DKMS builds dynamos.ko) on 2 cores finished in
         * 394 s with one thread each, and had not finished after 600 s with a thread per vCPU. The guest still
         * has its CPUs (preemption, interrupts, IPIs between them), but they never run at the same instant.
         */
        SINGLE
    }

    /** Kernel release to boot; null means Debian's current default. */
    public String kernelVersion;
    public Accel accel = Accel.TCG;
    public int smp = 2;
    public TcgThreads tcgThreads = TcgThreads.MULTI;
    public int memoryMiB = 2048;
    /** Counts guest time in instructions ({@code -icount shift=0}): repeatable figures; forces one vCPU. */
    public boolean icount;
    public Duration timeout = Duration.ofMinutes(10);
    /**
     * How long the kernel may take to reach its init. A kernel that has not got there by then hung while booting
     * (seen, rarely, under TCG with two vCPUs); the guest is killed and booted once more.
     */
    public Duration bootTimeout = Duration.ofMinutes(3);
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
    /**
     * Boot the host's systemd as the guest's init (PID 1) instead of running the command from the initramfs: the
     * command then runs as a systemd service once basic.target is reached, so units (e.g. dynamos.service) run as
     * on a real machine, and {@code systemctl} and {@code journalctl} work in the command.
     */
    public boolean systemd;
    /**
     * With {@link #systemd}: shell commands run as root in the guest's root before systemd starts, for state a
     * real machine would have from before its boot (e.g. a package installed); empty for none.
     */
    public String beforeSystemd = "";

    /**
     * TCP ports of the host's 127.0.0.1 forwarded to the guest (QEMU user networking with {@code hostfwd}); when
     * any is set the guest gets a network card, address 10.0.2.15/24, and no route out of the host.
     */
    public final List<Forward> forwards = new ArrayList<>();

    /** Host port {@code hostPort} on 127.0.0.1 reaches guest port {@code guestPort} on 10.0.2.15. */
    public record Forward(int hostPort, int guestPort) {
        public Forward {
            if (hostPort < 1 || hostPort > 65535 || guestPort < 1 || guestPort > 65535) {
                throw new IllegalArgumentException("ports must be 1 to 65535, not " + hostPort + ":" + guestPort);
            }
        }

        /** Parses {@code HOST:GUEST} or {@code PORT} (the same on both sides). */
        public static Forward parse(String spec) {
            String[] parts = spec.split(":", -1);
            try {
                if (parts.length == 1) {
                    int p = Integer.parseInt(parts[0]);
                    return new Forward(p, p);
                }
                if (parts.length == 2) {
                    return new Forward(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
                }
            } catch (NumberFormatException e) {
                // falls through to the message below
            }
            throw new IllegalArgumentException("'" + spec + "' is not HOST_PORT:GUEST_PORT (e.g. 7070:7070) or PORT");
        }
    }

    public int effectiveSmp() {
        return icount ? 1 : smp;
    }
}
