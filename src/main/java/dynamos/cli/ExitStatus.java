package dynamos.cli;

import dynamos.analysis.AnalysisException;
import dynamos.btf.BtfException;
import dynamos.elf.ElfException;
import dynamos.host.HostException;
import dynamos.installed.InstallException;
import dynamos.update.UpdateException;
import dynamos.vm.VmException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParameterException;

/**
 * The exit statuses of {@code dynamos}, what each means (printed in {@code dynamos --help}), and the
 * one table that maps an exception to its status.
 */
enum ExitStatus {
    SUCCESS(0, "success"),
    FAILURE(1, "the operation failed; stderr says why and what to do"),
    USAGE(2, "bad usage"),
    IN_USE(3, "dynamos in-use: the version is in use"),
    VM_TIMEOUT(124, "the VM was killed after its timeout"),
    VM_FAILED(125, "the VM failed to boot or died");

    final int code;
    final String meaning;

    ExitStatus(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    /** An exception type and the status a command that throws it exits with. */
    private record Mapping(Class<? extends Exception> type, ToIntFunction<Exception> status) {}

    /**
     * Exceptions that report a failure the user can act on, first match wins: the command prints
     * {@code dynamos: MESSAGE} and exits with the status. Any other exception is a bug: picocli prints
     * its stack trace and the command exits with {@link #FAILURE}.
     */
    private static final List<Mapping> TABLE = List.of(
            new Mapping(ParameterException.class, e -> USAGE.code),
            // 124 or 125: the VM says which (it knows whether it killed the guest after the timeout).
            new Mapping(VmException.class, e -> ((VmException) e).exitCode()),
            // Also DeviceException: the kernel refused an operation and said why.
            new Mapping(HostException.class, e -> FAILURE.code),
            // Also script syntax errors and arguments the commands check themselves.
            new Mapping(IllegalArgumentException.class, e -> FAILURE.code),
            new Mapping(UncheckedIOException.class, e -> FAILURE.code),
            new Mapping(UpdateException.class, e -> FAILURE.code),
            new Mapping(ElfException.class, e -> FAILURE.code),
            new Mapping(BtfException.class, e -> FAILURE.code),
            new Mapping(AnalysisException.class, e -> FAILURE.code),
            new Mapping(InstallException.class, e -> FAILURE.code));

    /** picocli's view of {@link #TABLE}. */
    static final IExitCodeExceptionMapper MAPPER = ExitStatus::of;

    static int of(Throwable t) {
        return TABLE.stream().filter(m -> m.type().isInstance(t)).findFirst()
                .map(m -> m.status().applyAsInt((Exception) t)).orElse(FAILURE.code);
    }

    /** Whether {@code t} is a failure to report in one line, not a bug. */
    static boolean expected(Throwable t) {
        return TABLE.stream().anyMatch(m -> m.type().isInstance(t));
    }

    /** The exit status section of {@code dynamos --help}. */
    static String[] helpFooter() {
        List<String> lines = new ArrayList<>(Arrays.stream(values())
                .map(s -> String.format("  %-4d %s", s.code, s.meaning)).toList());
        lines.add("  'dynamos vm' otherwise exits with the guest command's status.");
        return lines.toArray(String[]::new);
    }
}
