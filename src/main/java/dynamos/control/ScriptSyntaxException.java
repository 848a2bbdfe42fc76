package dynamos.control;

/** A control script line that cannot be understood; says which line and why. */
public class ScriptSyntaxException extends IllegalArgumentException {
    private final int line;

    public ScriptSyntaxException(int line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    public int line() {
        return line;
    }
}
