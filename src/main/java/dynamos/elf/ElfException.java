package dynamos.elf;

/** An ELF file that cannot be read or rewritten; the message names the file's problem and what to do. */
public final class ElfException extends RuntimeException {
    public ElfException(String message) {
        super(message);
    }

    public ElfException(String message, Throwable cause) {
        super(message, cause);
    }
}
