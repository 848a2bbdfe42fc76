package dynamos.btf;

/** BTF data that cannot be read, or a lookup that failed; the message names the problem and what to do. */
public final class BtfException extends RuntimeException {
    public BtfException(String message) {
        super(message);
    }

    public BtfException(String message, Throwable cause) {
        super(message, cause);
    }
}
