package dynamos.objdiff;

/**
 * Something the patch changes that a live update cannot carry, with the reason; {@link ObjectDiff#refusals()}
 * lists them, and the caller turns them into errors.
 *
 * @param kind which rule refuses it
 * @param symbol the function, data object or exported symbol concerned
 * @param reason a sentence for the operator
 */
public record Refusal(Kind kind, String symbol, String reason) {
    public enum Kind {
        /** Size or initial contents of data that exists in the running kernel changed. */
        DATA_CHANGED,
        /** An {@code __init} function (in {@code .init.text}) changed: it ran at boot and was freed. */
        INIT_CHANGED,
        /** The set of exported symbols ({@code __ksymtab}) changed. */
        EXPORTS_CHANGED,
        /** An exported symbol's modversions CRC ({@code __crc_}) changed: its type changed for modules. */
        CRC_CHANGED
    }
}
