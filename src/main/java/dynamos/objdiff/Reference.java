package dynamos.objdiff;

/**
 * A symbol that the code of a changed or new function refers to.
 *
 * @param symbol the name in the object after the patch (e.g. {@code counter}, {@code __already_done.3},
 *     {@code printk}); strings and anonymous constants are not listed
 * @param kind how the code refers to it
 * @param defined whether the object after the patch defines it (else it comes from elsewhere in the kernel)
 * @param local whether it is a static (local binding) of the object
 */
public record Reference(String symbol, Kind kind, boolean defined, boolean local) {
    public enum Kind {
        /** A direct call or jump to it. */
        CALL,
        /** Any other use: its address taken, or data read or written. */
        ADDRESS
    }
}
