package dynamos.vm;

import dynamos.host.HostException;
import dynamos.host.HostPackages;
import dynamos.host.Progress;
import dynamos.kernel.KernelCache;
import dynamos.kernel.KernelRelease;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Boots a Debian kernel under QEMU and runs one command in it as root.
 *
 * <p>The guest's root is the host's root, shared read-only over 9p, so the same JDK, jars and built
 * modules work inside. The command's output comes back over the second serial port and is streamed as
 * it comes; the first serial port carries the kernel console into {@code console.log}.
 */
public final class Vm {
    /** How many run directories to keep in the cache. */
    private static final int KEEP_RUNS = 40;

    private final KernelCache cache;

    public Vm(KernelCache cache) {
        this.cache = cache;
    }

    /** Exit status used when the guest was killed after the timeout, as timeout(1) does. */
    public static final int EXIT_TIMEOUT = 124;

    /**
     * Boots, runs {@code command} (argv) in {@code options.workDir}, and returns its exit status and logs.
     * The command's output is copied to {@code out} as it comes (null: only kept in the result).
     *
     * @throws VmException when the guest cannot boot, hangs past the timeout, or dies without an exit status
     */
    public VmResult run(VmOptions options, List<String> command, OutputStream out) {
        if (command.isEmpty()) {
            throw new IllegalArgumentException("no command to run in the VM");
        }
        HostPackages.ensure(HostPackages.VM);
        KernelRelease kernel = cache.ensure(options.kernelVersion);
        Path initramfs = Initramfs.build(kernel, cache.root().resolve("initramfs"));
        for (int attempt = 1; ; attempt++) {
            try {
                return boot(options, command, out, kernel, initramfs);
            } catch (BootHang hang) {
                if (attempt == BOOT_ATTEMPTS) {
                    throw new VmException("the kernel hung while booting " + BOOT_ATTEMPTS + " times in a row, before"
                            + " the command started; each guest was killed after " + options.bootTimeout.toSeconds()
                            + " s without reaching init (raise --boot-timeout if this machine boots that slowly;"
                            + " the vCPUs' registers are in " + HANG_REGISTERS + ")."
                            + lastConsoleLines(hang.runDir, 10), hang.runDir, 125);
                }
                Progress.step("The kernel hung while booting, before the command started (vCPU registers in "
                        + hang.runDir.resolve(HANG_REGISTERS) + "); booting again");
            }
        }
    }

    /** How many times a guest is booted when the kernel hangs before reaching init. */
    static final int BOOT_ATTEMPTS = 2;
    /** What the kernel prints when it starts init: from here on, the command may have run. */
    static final String INIT_STARTED = "Run /init as init process";
    /** The vCPUs' registers, saved in the run directory of a guest that hung while booting. */
    static final String HANG_REGISTERS = "hang-registers.txt";

    /** The guest hung before init: nothing of the command ran, so booting again is safe. */
    private static final class BootHang extends Exception {
        final Path runDir;

        BootHang(Path runDir) {
            super(null, null, false, false);
            this.runDir = runDir;
        }
    }

    private VmResult boot(VmOptions options, List<String> command, OutputStream out, KernelRelease kernel,
            Path initramfs) throws BootHang {
        Path runDir = newRunDir();
        try {
            Files.writeString(runDir.resolve("command.sh"), commandScript(options, command));
            if (options.systemd && !options.beforeSystemd.isBlank()) {
                Files.writeString(runDir.resolve(BEFORE_SYSTEMD), environment(options) + options.beforeSystemd + "\n");
            }
        } catch (IOException e) {
            throw new HostException("cannot write " + runDir.resolve("command.sh") + ": " + e.getMessage(), e);
        }
        List<String> qemu = qemuCommand(options, kernel, initramfs, runDir);
        Progress.step("Booting " + kernel.version() + " (" + options.accel.name().toLowerCase() + ", "
                + options.effectiveSmp() + " vCPU" + (options.effectiveSmp() > 1 ? "s" : "")
                + (options.icount ? ", icount" : "") + "); console log: " + runDir.resolve("console.log"));
        try {
            Files.writeString(runDir.resolve("qemu.cmdline"), String.join(" ", qemu) + "\n");
        } catch (IOException ignored) {
            // Only a record for the curious; the run does not need it.
        }

        ProcessBuilder pb = new ProcessBuilder(qemu);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectError(ProcessBuilder.Redirect.appendTo(runDir.resolve("qemu.stderr").toFile()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new HostException("cannot start qemu-system-x86_64: " + e.getMessage()
                    + "\n    install it: apt-get install qemu-system-x86", e);
        }
        // If this JVM is stopped (Ctrl-C, a killed test run), take the guest down with it.
        Thread reaper = new Thread(p::destroyForcibly, "vm-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        Thread pump = Thread.ofPlatform().daemon().name("vm-output").start(() -> pump(p.getInputStream(), out, kept));
        Ending ending;
        try {
            ending = await(p, options, runDir);
            if (ending == Ending.BOOT_HUNG) {
                HangRegisters.save(runDir.resolve(MONITOR), runDir.resolve(HANG_REGISTERS));
            }
            if (ending != Ending.EXITED) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            pump.join(5000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new VmException("interrupted; guest killed", runDir, EXIT_TIMEOUT);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // The JVM is exiting anyway; the hook will reap the guest.
            }
        }
        copyConsole(options, runDir);
        if (ending == Ending.BOOT_HUNG) {
            throw new BootHang(runDir);
        }
        String output = kept.toString(StandardCharsets.UTF_8);
        if (ending == Ending.TIMED_OUT) {
            throw new VmException("the guest did not finish within " + options.timeout.toSeconds()
                    + " s and was killed (raise --timeout if the command needs longer)."
                    + lastConsoleLines(runDir, 25), runDir, EXIT_TIMEOUT);
        }
        Path status = runDir.resolve("exit-status");
        if (!Files.isRegularFile(status)) {
            String qemuErr = readQuietly(runDir.resolve("qemu.stderr"));
            throw new VmException("the guest stopped without reporting the command's exit status"
                    + " (kernel panic or boot failure; qemu exit " + p.exitValue() + ")."
                    + (qemuErr.isBlank() ? "" : "\n    qemu said: " + qemuErr.strip())
                    + lastConsoleLines(runDir, 25), runDir, 125);
        }
        int rc;
        try {
            rc = Integer.parseInt(Files.readString(status).strip());
        } catch (IOException | NumberFormatException e) {
            throw new VmException("unreadable exit status in " + status, runDir, 125);
        }
        pruneRuns();
        return new VmResult(rc, output, runDir);
    }

    private enum Ending { EXITED, TIMED_OUT, BOOT_HUNG }

    /** The QEMU monitor's socket in the run directory: asked for the registers of a guest that hung. */
    static final String MONITOR = "monitor.sock";
    /** Unix socket paths are limited to 108 bytes; a longer cache path goes without the monitor. */
    private static final int MAX_SOCKET_PATH = 100;

    /** Waits for QEMU to exit, watching the console until the kernel has started init. */
    private static Ending await(Process p, VmOptions options, Path runDir) throws InterruptedException {
        long start = System.nanoTime();
        long timeout = options.timeout.toNanos();
        long bootTimeout = options.bootTimeout.toNanos();
        boolean initStarted = false;
        while (true) {
            long elapsed = System.nanoTime() - start;
            if (elapsed >= timeout) {
                return Ending.TIMED_OUT;
            }
            if (p.waitFor(Math.min(timeout - elapsed, 1_000_000_000L), TimeUnit.NANOSECONDS)) {
                return Ending.EXITED;
            }
            if (!initStarted) {
                initStarted = readQuietly(runDir.resolve("console.log")).contains(INIT_STARTED);
                if (!initStarted && System.nanoTime() - start >= bootTimeout) {
                    return Ending.BOOT_HUNG;
                }
            }
        }
    }

    /** QEMU's -accel value (with --icount, TCG runs every vCPU on one thread by itself). */
    private static String accelerator(VmOptions o) {
        if (o.accel == VmOptions.Accel.KVM) {
            return "kvm";
        }
        return o.tcgThreads == VmOptions.TcgThreads.SINGLE && !o.icount ? "tcg,thread=single" : "tcg";
    }

    List<String> qemuCommand(VmOptions o, KernelRelease kernel, Path initramfs, Path runDir) {
        List<String> q = new ArrayList<>(List.of("qemu-system-x86_64",
                "-accel", accelerator(o),
                "-m", Integer.toString(o.memoryMiB),
                "-smp", Integer.toString(o.effectiveSmp()),
                "-display", "none", "-no-reboot", "-nodefaults",
                "-kernel", kernel.image().toString(),
                "-initrd", initramfs.toString()));
        if (o.accel == VmOptions.Accel.KVM) {
            q.addAll(List.of("-cpu", "host"));
        }
        if (o.icount) {
            // Guest time counts instructions: repeatable benchmark figures. SMP hangs at boot with icount.
            q.addAll(List.of("-icount", "shift=0", "-rtc", "clock=vm"));
        }
        // Under TCG the vCPUs' TSCs drift apart and the kernel falls back to HPET: every clock read is then a
        // system call and an emulated device access, and a JVM reads clocks all the time. The TSC is fine for
        // what runs here (no benchmark figures: icount runs keep the kernel's own choice).
        String clock = o.icount || o.accel == VmOptions.Accel.KVM ? "" : " tsc=reliable";
        String append = "console=ttyS0 panic=-1 loglevel=7" + clock + " dynamos.run=" + runDir
                + (o.share != null ? " dynamos.share=" + o.share.toAbsolutePath() : "")
                + (o.forwards.isEmpty() ? "" : " dynamos.net=1")
                // tmp.mount would hide the host's /tmp, where a checkout (and the command's scripts) may live.
                + (o.systemd ? " dynamos.systemd=1 systemd.unit=multi-user.target systemd.mask=tmp.mount" : "")
                + (o.kernelArgs.isBlank() ? "" : " " + o.kernelArgs.strip());
        q.addAll(List.of("-append", append,
                "-chardev", "file,id=console,path=" + runDir.resolve("console.log"),
                "-serial", "chardev:console",
                "-chardev", "stdio,id=output,signal=off",
                "-serial", "chardev:output",
                "-virtfs", "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap",
                "-virtfs", "local,path=" + runDir + ",mount_tag=rundir,security_model=none"));
        if (o.share != null) {
            q.addAll(List.of("-virtfs", "local,path=" + o.share.toAbsolutePath() + ",mount_tag=share,security_model=none"));
        }
        Path monitor = runDir.resolve(MONITOR);
        if (monitor.toString().length() < MAX_SOCKET_PATH) {
            q.addAll(List.of("-monitor", "unix:" + monitor + ",server=on,wait=off"));
        }
        if (!o.forwards.isEmpty()) {
            // restrict=on: the guest reaches nothing outside; only the forwarded host ports reach it.
            StringBuilder netdev = new StringBuilder("user,id=net0,restrict=on");
            for (VmOptions.Forward f : o.forwards) {
                netdev.append(",hostfwd=tcp:127.0.0.1:").append(f.hostPort()).append("-:").append(f.guestPort());
            }
            q.addAll(List.of("-netdev", netdev.toString(), "-device", "virtio-net-pci,netdev=net0"));
        }
        return q;
    }

    /** With {@link VmOptions#systemd}: the script run before systemd starts, in the run directory. */
    static final String BEFORE_SYSTEMD = "before-systemd.sh";

    /** The script the guest's init runs: environment, working directory, then the command itself. */
    static String commandScript(VmOptions o, List<String> command) {
        StringBuilder s = new StringBuilder(environment(o));
        s.append("cd ").append(quote(o.workDir.toAbsolutePath().toString())).append(" 2>/dev/null || cd /\n");
        s.append("exec");
        for (String arg : command) {
            s.append(' ').append(quote(arg));
        }
        return s.append('\n').toString();
    }

    /** The environment every script in the guest starts with. */
    private static String environment(VmOptions o) {
        StringBuilder s = new StringBuilder("# written by dynamos vm; run by the guest's init\n");
        s.append("export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
        s.append("export HOME=/root LANG=C.UTF-8 TERM=dumb DYNAMOS_IN_VM=1\n");
        String javaHome = System.getenv("JAVA_HOME");
        if (javaHome != null && !javaHome.isBlank()) {
            s.append("export JAVA_HOME=").append(quote(javaHome)).append('\n');
        }
        String cacheEnv = System.getenv("DYNAMOS_CACHE");
        if (cacheEnv != null && !cacheEnv.isBlank()) {
            s.append("export DYNAMOS_CACHE=").append(quote(cacheEnv)).append('\n');
        }
        for (Map.Entry<String, String> e : o.env.entrySet()) {
            if (!e.getKey().matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("bad environment variable name: " + e.getKey());
            }
            s.append("export ").append(e.getKey()).append('=').append(quote(e.getValue())).append('\n');
        }
        return s.toString();
    }

    /** Quotes a word for sh: single quotes, with embedded single quotes spelled '\''. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static void pump(InputStream in, OutputStream out, ByteArrayOutputStream kept) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                kept.write(buf, 0, n);
                if (out != null) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            }
        } catch (IOException ignored) {
            // The guest went away; what it printed so far is kept.
        }
    }

    private Path newRunDir() {
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS"));
        Path dir = cache.root().resolve("runs").resolve(stamp + "-" + ProcessHandle.current().pid());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new HostException("cannot create run directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private void pruneRuns() {
        Path runs = cache.root().resolve("runs");
        try (Stream<Path> s = Files.list(runs)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path old : all.subList(Math.min(KEEP_RUNS, all.size()), all.size())) {
                try (Stream<Path> w = Files.walk(old)) {
                    for (Path p : w.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException ignored) {
            // Pruning is housekeeping; a leftover directory harms nothing.
        }
    }

    private static void copyConsole(VmOptions o, Path runDir) {
        if (o.consoleLog != null) {
            try {
                Files.copy(runDir.resolve("console.log"), o.consoleLog, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                Progress.detail("could not copy the console log to " + o.consoleLog + ": " + e.getMessage());
            }
        }
    }

    static String lastConsoleLines(Path runDir, int n) {
        String log = readQuietly(runDir.resolve("console.log"));
        List<String> lines = log.lines().toList();
        List<String> last = lines.subList(Math.max(0, lines.size() - n), lines.size());
        if (last.isEmpty()) {
            return "\n    (the console log is empty)";
        }
        return "\n    last console lines (" + runDir.resolve("console.log") + "):\n      "
                + String.join("\n      ", last);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
