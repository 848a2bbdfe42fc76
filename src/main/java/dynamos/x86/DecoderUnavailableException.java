package dynamos.x86;

/** Zydis 4 cannot be loaded: the message names the problem and the package to install. */
public final class DecoderUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DecoderUnavailableException(String message) {
        super(message);
    }

    public DecoderUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
