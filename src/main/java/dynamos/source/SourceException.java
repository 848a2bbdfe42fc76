package dynamos.source;

import dynamos.host.HostException;

/** A kernel source tree that cannot be fetched, prepared, patched or compiled; the message names the fix. */
public class SourceException extends HostException {
    public SourceException(String message) {
        super(message);
    }

    public SourceException(String message, Throwable cause) {
        super(message, cause);
    }
}
