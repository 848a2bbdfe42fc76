package dynamos.framework;

import java.util.Locale;

/**
 * The hooks a version can have, with the ABI's numbers and the status table's names: the manual's four
 * (§4.4) around activation and removal, and two for a target module that comes and goes while the update
 * is registered ({@code target-coming}: the module is loading, before its init and the redirection; a
 * non-zero result refuses the load; {@code target-going}: after its exit, the redirection removed).
 */
public enum HookKind {
    PRE_ACTIVATION(1), POST_ACTIVATION(2), PRE_REMOVAL(3), POST_REMOVAL(4), TARGET_COMING(5), TARGET_GOING(6);

    /** The kinds as the command line spells them, for messages: "pre-activation, ... or target-going". */
    public static final String CLI_NAMES = "pre-activation, post-activation, pre-removal, post-removal, "
            + "target-coming or target-going";

    private final int abi;

    HookKind(int abi) {
        this.abi = abi;
    }

    public int abi() {
        return abi;
    }

    /** As the command line spells it: {@code pre-activation}. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** As the kernel's status table spells it: {@code pre_activation}. */
    public String tableName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code pre-activation}, {@code pre_activation} or {@code PRE_ACTIVATION}. */
    public static HookKind parse(String s) {
        String norm = s.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (HookKind k : values()) {
            if (k.name().equals(norm)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown hook kind '" + s + "' (expected " + CLI_NAMES + ")");
    }
}
