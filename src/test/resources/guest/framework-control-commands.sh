# Every control command once: register (and its refusals: livepatched, unknown, notrace,
# twice), activate, call, status, deregister, stop.
. "$(dirname "$0")/lib.sh"

$DYNAMOS_JVM status
start
insmod "$LIVEPATCH"
i=0; while [ "$(cat /sys/kernel/livepatch/dynamos_bench_livepatch/transition)" != 0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
expect_fail d register lp 1 dynamos_target_fn; val livepatched "$ERR"
val lp_rows "$(tail -n +3 /dev/dynamos | wc -l)"
echo 0 > /sys/kernel/livepatch/dynamos_bench_livepatch/enabled
i=0; while [ -e /sys/kernel/livepatch/dynamos_bench_livepatch ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
rmmod dynamos_bench_livepatch
d register t 2 dynamos_target_fn
d register t 2 dynamos_test_update:dynamos_target_fn_v2
d register --json t 2 dynamos_target_fn_v3
target 10 1 2; val original "$(field last /proc/dynamos_target)"
d activate t 2 2
target 10 1 2; val v2 "$(field last /proc/dynamos_target)"
d activate t 2 3
target 10 1 2; val v3 "$(field last /proc/dynamos_target)"
d call dynamos_test_init
d status
val json "$(d status --json)"
expect_fail d register t 2 no_such_function_anywhere; val unknown "$ERR"
expect_fail d register s 1 __schedule; val notrace "$ERR"
expect_fail $DYNAMOS_JVM activate t 2 9; val noversion "$ERR"
expect_fail d register t 2 dynamos_target_fn_v2; val twice "$ERR"
d activate t 2 1
d deregister t 2 3
d deregister t 2 0
target 10 1 2; val after "$(field last /proc/dynamos_target)"
d status
d stop
d status
