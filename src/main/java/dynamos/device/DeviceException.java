package dynamos.device;

import dynamos.host.HostException;

/** A framework command that failed: the kernel's errno and its message saying what was wrong. */
public class DeviceException extends HostException {
    private final int errno;

    public DeviceException(int errno, String message) {
        super(message);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
