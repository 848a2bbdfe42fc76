package dynamos.vm;

import dynamos.host.HostException;
import java.nio.file.Path;

/** The guest could not run the command: it did not boot, hung, or died. */
public class VmException extends HostException {
    private final Path runDir;
    private final int exitCode;

    public VmException(String message, Path runDir, int exitCode) {
        super(message);
        this.runDir = runDir;
        this.exitCode = exitCode;
    }

    public Path runDir() {
        return runDir;
    }

    /** The exit status the dynamos command reports for this failure (124 timeout, 125 guest failure). */
    public int exitCode() {
        return exitCode;
    }
}
