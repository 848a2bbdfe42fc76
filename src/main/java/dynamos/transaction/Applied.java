package dynamos.transaction;

/**
 * What a step did: the message for the user, how to take it back (null: nothing to take back) and the
 * number the kernel returned (the version a register got, a hook's or function's result; 0 otherwise).
 */
public record Applied(String message, Undo undo, long result) {}
