package dynamos.installed;

/** An install, uninstall or boot-time apply that cannot be done; the message says why and what to do. */
public final class InstallException extends RuntimeException {
    public InstallException(String message) {
        super(message);
    }

    public InstallException(String message, Throwable cause) {
        super(message, cause);
    }
}
