# Removal waits for tasks asleep in a tail-called helper or a .cold part; IN_USE of an
# original sees its .cold part.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_target_fn_tail
d activate t 2 2
echo "thread 1 1" > /proc/dynamos_target
wait_field sleepers /proc/dynamos_test_update 1
d activate t 2 1
expect_fail d deregister t 2 2 --timeout 1; val tail_busy "$ERR"
echo release > /proc/dynamos_test_update
wait_field threads /proc/dynamos_target 0
val tail_result "$(field thread_last /proc/dynamos_target)"
d deregister t 2 2
# Another version of the module stays: only the version and its pieces are checked.
d register t 2 dynamos_target_fn_cold
d register t 2 dynamos_target_fn_v3
d activate t 2 2
echo "thread 777 1" > /proc/dynamos_target
wait_field sleepers /proc/dynamos_test_update 1
d activate t 2 3
expect_fail d deregister t 2 2 --timeout 1; val cold_busy "$ERR"
echo release > /proc/dynamos_test_update
wait_field threads /proc/dynamos_target 0
val cold_result "$(field thread_last /proc/dynamos_target)"
d deregister t 2 2
d activate t 2 1
d deregister t 2 3
val removed "$(d status --json)"
rmmod dynamos_test_update
d register c 1 dynamos_target_sleepy
echo "sleepy 777 1" > /proc/dynamos_target
wait_field sleepy /proc/dynamos_target 1
set +e; d in-use c 1 1 > /tmp/inuse 2>&1; val inuse_rc $?; set -e
val inuse "$(cat /tmp/inuse)"
echo release > /proc/dynamos_target
wait_field threads /proc/dynamos_target 0
d in-use c 1 1 --timeout 5; val idle_rc $?
d stop
