package dynamos.device;

/**
 * The limits of the kernel's ABI (kernel/include/uapi/dynamos.h), the one Java copy of them: the
 * request layout, the control-script parser, the update declaration and the CLI check against these.
 * {@code LimitsTest} reads the header and holds each equal to the kernel's value.
 */
public final class Limits {
    /** DYNAMOS_NAME_LEN: bytes of an update name, with its NUL. */
    public static final int NAME_LEN = 64;
    /** DYNAMOS_SYMBOL_LEN: bytes of a function name ({@code sym} or {@code mod:sym}), with its NUL. */
    public static final int SYMBOL_LEN = 128;
    /** DYNAMOS_ERROR_LEN: bytes of the kernel's error message, with its NUL. */
    public static final int ERROR_LEN = 256;
    /** DYNAMOS_MAX_VERSIONS: versions are numbered 1 to this. */
    public static final int MAX_VERSIONS = 32;
    /** DYNAMOS_MAX_UPDATES: registered {@code <name, id>} pairs. */
    public static final int MAX_UPDATES = 1024;
    /** DYNAMOS_MAX_GROUP: members of one group activation. */
    public static final int MAX_GROUP = 256;
    /** DYNAMOS_MAX_TASKS: busy tasks one answer names. */
    public static final int MAX_TASKS = 8;
    /** DYNAMOS_DEFAULT_TIMEOUT_MS: what a timeout of 0 means. */
    public static final int DEFAULT_TIMEOUT_MS = 5000;
    /** DYNAMOS_MAX_TIMEOUT_MS: the longest quiescence timeout. */
    public static final int MAX_TIMEOUT_MS = 600_000;

    /** DYNAMOS_MAX_MONITORS: monitors running at once. */
    public static final int MAX_MONITORS = 32;
    /** DYNAMOS_MONITOR_MAX_ACTIVE: the largest max_active of a monitor (calls in flight timed at once). */
    public static final int MONITOR_MAX_ACTIVE = 4096;
    /** DYNAMOS_MONITOR_CALLERS: callers one monitor tells apart. */
    public static final int MONITOR_CALLERS = 16;

    /** Characters an update name may have (one byte is the NUL). */
    public static final int MAX_NAME_CHARS = NAME_LEN - 1;
    /** Characters a function name may have (one byte is the NUL). */
    public static final int MAX_SYMBOL_CHARS = SYMBOL_LEN - 1;

    private Limits() {}
}
