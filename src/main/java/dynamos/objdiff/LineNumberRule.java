package dynamos.objdiff;

import dynamos.x86.BranchKind;
import dynamos.x86.Decoder;
import dynamos.x86.Mnemonic;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When two compiles of a function differ only in source line numbers, so that a patch that shifts lines does not
 * make every function below it "changed".
 *
 * <p>The rule is deliberately narrow. Line numbers reach an object in two ways:
 * <ol>
 * <li>In {@code __bug_table} entries ({@code WARN_ON}, {@code BUG_ON}...): the entry's line field is data; the
 *     code holds only the {@code ud2}. Entries are compared by the place they point at, their file name and their
 *     flags; only their line may differ.
 * <li>As an immediate operand in code, where {@code __LINE__} is passed to a debug helper, e.g.
 *     {@code might_sleep()} becoming {@code __might_sleep(__FILE__, __LINE__)}: {@code mov $LINE,%esi}.
 *     Such an instruction is accepted when, in both versions, (a) it is a {@code mov} of an immediate into a
 *     register and the two instructions differ only in the bytes of that immediate (same opcode, same length,
 *     same register); (b) that register carries the line argument of a helper in {@link #HELPERS}; and (c) the
 *     first call after it, before any other jump, return or any other write to that register, is a direct call
 *     whose relocation names that helper.
 * </ol>
 * Everything else that differs (any other byte, any relocation, a different instruction length, an immediate
 * that reaches anything but a listed helper's line argument) makes the function changed. The rule errs towards
 * "changed": a false "changed" only replaces a function needlessly; a false "unchanged" would leave a fix out.
 *
 * <p>{@code __warn_printk} and {@code printk} are not listed: they take no line number (WARN's line is in
 * {@code __bug_table}); a changed format string there is a real change.
 */
final class LineNumberRule {
    /** Debug helpers of Linux 6.1 that take {@code __LINE__}, with the argument (0-based) that carries it. */
    static final Map<String, Integer> HELPERS = Map.ofEntries(
            Map.entry("__might_sleep", 1),
            Map.entry("__might_resched", 1),
            Map.entry("__might_fault", 1),
            Map.entry("__cant_sleep", 1),
            Map.entry("__cant_migrate", 1),
            Map.entry("warn_slowpath_fmt", 1),
            Map.entry("lockdep_rcu_suspicious", 1),
            Map.entry("__ext4_error", 2),
            Map.entry("__ext4_error_inode", 2),
            Map.entry("__ext4_std_error", 2),
            Map.entry("__ext4_warning", 2),
            Map.entry("__ext4_journal_stop", 1),
            Map.entry("__ext4_journal_get_write_access", 1),
            Map.entry("__ext4_handle_dirty_metadata", 1),
            Map.entry("__ext4_mark_inode_dirty", 3),
            Map.entry("btrfs_assertfail", 2),
            Map.entry("__btrfs_handle_fs_error", 2));

    /** The System V integer argument registers by position, each with the names of its parts. */
    private static final List<Set<String>> ARGUMENT_REGISTERS = List.of(
            Set.of("rdi", "edi", "di", "dil"),
            Set.of("rsi", "esi", "si", "sil"),
            Set.of("rdx", "edx", "dx", "dl"),
            Set.of("rcx", "ecx", "cx", "cl"),
            Set.of("r8", "r8d", "r8w", "r8b"),
            Set.of("r9", "r9d", "r9w", "r9b"));

    /** How far (in instructions) the helper's call may follow the immediate. */
    private static final int REACH = 24;

    private final Decoder decoder;

    LineNumberRule(Decoder decoder) {
        this.decoder = decoder;
    }

    /**
     * Whether {@code before} and {@code after}, with equal relocations and sizes, differ only in line numbers passed
     * to listed helpers; if not, the offset of the first difference that is not one, as {@code -1 - offset}.
     */
    long check(Piece before, Piece after) {
        byte[] a = before.masked();
        byte[] b = after.masked();
        if (a.length != b.length) {
            return -1;
        }
        if (decoder == null) {
            return -1 - firstDifference(a, b, 0, a.length);
        }
        int at = 0;
        decoder.load(before.code(), 0);
        while (at < a.length) {
            int n = decoder.decode(at);
            if (n == 0) {
                return -1 - at;
            }
            if (firstDifference(a, b, at, at + n) >= 0) {
                if (!lineArgument(before, at, n) || !lineArgument(after, at, n)
                        || !onlyImmediateDiffers(a, b, at, n)) {
                    return -1 - at;
                }
                decoder.load(before.code(), 0);
            }
            at += n;
        }
        return 0;
    }

    private static int firstDifference(byte[] a, byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return -1;
    }

    /** The instruction at {@code at} of {@code p} again: the differing bytes must all lie in its immediate. */
    private boolean onlyImmediateDiffers(byte[] a, byte[] b, int at, int n) {
        decoder.load(a, 0);
        decoder.decode(at);
        int immediateBytes = decoder.immediateSize(0) / 8;
        // An immediate is the last field of an x86 instruction.
        return firstDifference(a, b, at, at + n - immediateBytes) < 0;
    }

    /**
     * Whether the instruction at {@code at} of {@code p} moves an immediate into the line argument register of the
     * listed helper that the next call (with no jump, return or other write to that register between) goes to.
     */
    private boolean lineArgument(Piece p, int at, int n) {
        decoder.load(p.code(), 0);
        if (decoder.decode(at) != n || decoder.mnemonic() != Mnemonic.MOV || decoder.immediateCount() != 1
                || decoder.direct() || decoder.mayAccessMemory()) {
            return false;
        }
        List<String> written = decoder.writtenRegisters();
        if (written.size() != 1) {
            return false;
        }
        Set<String> register = ARGUMENT_REGISTERS.stream().filter(r -> r.contains(written.getFirst())).findFirst()
                .orElse(null);
        if (register == null) {
            return false;
        }
        int next = at + n;
        for (int i = 0; i < REACH && next < p.code().length; i++) {
            int len = decoder.decode(next);
            if (len == 0) {
                return false;
            }
            BranchKind kind = decoder.branch();
            if (kind == BranchKind.CALL) {
                if (!decoder.direct()) {
                    return false;
                }
                String callee = calleeAt(p, next, next + len);
                Integer argument = callee == null ? null : HELPERS.get(callee);
                return argument != null && ARGUMENT_REGISTERS.get(argument) == register;
            }
            if (kind != BranchKind.NONE || decoder.writtenRegisters().stream().anyMatch(register::contains)) {
                return false;
            }
            next += len;
        }
        return false;
    }

    private static String calleeAt(Piece p, int from, int to) {
        for (NormalizedRelocation r : p.relocations()) {
            if (r.offset() >= from && r.offset() < to) {
                return r.symbol();
            }
        }
        return null;
    }
}
