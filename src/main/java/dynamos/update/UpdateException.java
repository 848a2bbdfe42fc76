package dynamos.update;

/** An update that cannot be built, checked, applied or reverted; the message says why and what to do. */
public class UpdateException extends RuntimeException {
    public UpdateException(String message) {
        super(message);
    }

    public UpdateException(String message, Throwable cause) {
        super(message, cause);
    }
}
