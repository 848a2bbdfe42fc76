# A module still initialising is refused; a forced unload (rmmod -f) of an update module detaches
# its code first; one of a target module removes the redirection, and the update waits for it.
. "$(dirname "$0")/lib.sh"

start
d register t 1 dynamos_target_fn
insmod "$COMING" init_result=-22 & ipid=$!
i=0; while [ ! -e /sys/module/dynamos_test_coming/parameters/proceed ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
expect_fail d register t 1 dynamos_test_coming:dynamos_coming_fn; val coming "$ERR"
expect_fail d hook post-activation t 1 1 dynamos_test_coming:dynamos_coming_fn; val coming_hook "$ERR"
echo 1 > /sys/module/dynamos_test_coming/parameters/proceed
wait $ipid || true
val after_coming "$(tail -n +3 /dev/dynamos | wc -l)"
d register t 1 dynamos_target_fn_v2
d hook post-removal t 1 2 dynamos_test_post_removal
d activate t 1 2
target 1 1 1; val updated "$(field last /proc/dynamos_target)"
rmmod -f dynamos_test_update
target 1 1 1; val after_forced "$(field last /proc/dynamos_target)"
val rows_forced "$(tail -n +3 /dev/dynamos | wc -l)"
rmmod -f dynamos_target
val rows_target "$(tail -n +3 /dev/dynamos | wc -l)"
val target_column "$(awk '$1 == "t" { print $14 }' /dev/dynamos)"
val refcnt "$(cat /sys/module/dynamos/refcnt)"
d stop
val stopped "$(lsmod | grep -c '^dynamos ' || true)"
