package dynamos.framework;

import java.util.Locale;

/** The four hooks a version can have (manual §4.4), with the ABI's numbers and the status table's names. */
public enum HookKind {
    PRE_ACTIVATION(1), POST_ACTIVATION(2), PRE_REMOVAL(3), POST_REMOVAL(4);

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
        throw new IllegalArgumentException("unknown hook kind '" + s
                + "' (expected pre-activation, post-activation, pre-removal or post-removal)");
    }
}
