package dynamos.vm;

import java.io.IOException;
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

    /** The guest's kernel log (dmesg after the command), or the console log if the guest saved none. */
    public String kernelLog() {
        try {
            if (Files.isRegularFile(kernelLogPath())) {
                return Files.readString(kernelLogPath(), java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            return consoleLog();
        } catch (IOException e) {
            return "";
        }
    }

    public String consoleLog() {
        try {
            return Files.readString(consoleLogPath(), java.nio.charset.StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }

    /** Lines of the kernel and console logs that report a kernel problem. */
    public List<String> kernelProblems() {
        return KernelLogCheck.problems(kernelLog() + "\n" + consoleLog());
    }
}
