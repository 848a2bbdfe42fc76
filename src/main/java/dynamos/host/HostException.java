package dynamos.host;

/** A failure on the host (a missing program, a failed download, a build error) with a message for the user. */
public class HostException extends RuntimeException {
    public HostException(String message) {
        super(message);
    }

    public HostException(String message, Throwable cause) {
        super(message, cause);
    }
}
