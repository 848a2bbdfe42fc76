package dynamos.dwarf;

/** Debug information that cannot be read: the message names the file, the place and what to do. */
public class DwarfException extends RuntimeException {
    public DwarfException(String message) {
        super(message);
    }

    public DwarfException(String message, Throwable cause) {
        super(message, cause);
    }
}
