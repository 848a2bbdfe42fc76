package dynamos.vm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KernelLogCheckTest {
    @Test
    void findsOopsesBugsWarningsGpFaultsAndLockdep() {
        String log = """
                [    0.1] Linux version 6.1.0-56-amd64
                [    1.0] BUG: kernel NULL pointer dereference, address: 0000000000000000
                [    1.1] Oops: 0002 [#1] PREEMPT SMP NOPTI
                [    1.2] WARNING: CPU: 1 PID: 77 at kernel/trace/ftrace.c:2090 ftrace_bug+0x1/0x2
                [    1.3] general protection fault, probably for non-canonical address
                [    1.4] lockdep: possible recursive locking detected
                [    1.5] CONFIG_DEBUG_KERNEL says hello
                [    1.6] dynamos: debugging output
                """;
        assertThat(KernelLogCheck.problems(log)).hasSize(5).allMatch(l -> !l.contains("DEBUG") && !l.contains("debugging"));
    }

    @Test
    void aCleanBootHasNoProblems() {
        assertThat(KernelLogCheck.problems("[ 0.0] Linux version 6.1\n[ 1.0] 9p: Installing v9fs\n")).isEmpty();
    }
}
