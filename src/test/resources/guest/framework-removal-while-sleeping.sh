# Removal is refused while a kernel thread sleeps in the version (and rmmod of both modules
# too), and succeeds once it has left.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_target_fn_sleep
d activate t 2 2
echo "thread 1 1" > /proc/dynamos_target
wait_field sleepers /proc/dynamos_test_update 1
val sleepers "$(field sleepers /proc/dynamos_test_update)"
d activate t 2 1
expect_fail d deregister t 2 2 --timeout 1; val busy "$ERR"
val still "$(d status --json)"
expect_fail rmmod dynamos_test_update; val rmmod_update "$ERR"
expect_fail rmmod dynamos; val rmmod_framework "$ERR"
echo release > /proc/dynamos_test_update
wait_field threads /proc/dynamos_target 0
val thread_result "$(field thread_last /proc/dynamos_target)"
d deregister t 2 2
val removed "$(d status --json)"
rmmod dynamos_test_update
d stop
