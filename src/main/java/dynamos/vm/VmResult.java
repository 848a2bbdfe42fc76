package dynamos.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a guest run left behind.
 *
 * @param exitCode the command's exit status in the guest
 * @param output   what the command printed (stdout and stderr merged)
 * @param runDir   the run directory: console.log, kernel.log, command.sh
 */
public record VmResult(int exitCode, String output, Path runDir) {
    public Path consoleLogPath() {
        return runDir.resolve("console.log");
    }

    public Path kernelLogPath() {
        return runDir.resolve("kernel.log");
    }

    /**
     * The guest's kernel log (dmesg after the command).
     *
     * @throws VmException when the guest saved none: an empty text would pass every check of it
     */
    public String kernelLog() {
        return read(kernelLogPath(), "kernel log");
    }

    /** The whole serial console; @throws VmException when it is missing or unreadable. */
    public String consoleLog() {
        return read(consoleLogPath(), "console log");
    }

    /** Lines of the kernel and console logs that report a kernel problem; fails when either log is missing. */
    public List<String> kernelProblems() {
        return KernelLogCheck.problems(kernelLog() + "\n" + consoleLog());
    }

    private String read(Path log, String what) {
        try {
            return Files.readString(log, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new VmException("the guest left no readable " + what + " at " + log
                    + ", so it cannot be checked for kernel problems: " + e, runDir, 125);
        }
    }
}
