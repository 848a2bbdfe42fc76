package dynamos.analysis;

/** A kernel cannot be analysed: a fact file is missing or unreadable; the message says how to get it. */
public final class AnalysisException extends RuntimeException {
    public AnalysisException(String message) {
        super(message);
    }

    public AnalysisException(String message, Throwable cause) {
        super(message, cause);
    }
}
