# Commands that make the kernel run code need CAP_SYS_MODULE; -ERESTARTSYS from a hook
# reaches userspace as EINTR.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
nomod() { setpriv --bounding-set=-sys_module "$DYNCTL" "$@"; }
expect_fail nomod register t 2 dynamos_target_fn_v2; val register "$ERR"
expect_fail nomod call dynamos_test_init; val call "$ERR"
expect_fail nomod rule t 2 dynamos_test_handler_arg; val rule "$ERR"
nomod status > /dev/null; val status $?
val rows "$(tail -n +3 /dev/dynamos | wc -l)"
val inits "$(field init_calls /proc/dynamos_test_update)"
d register t 2 dynamos_target_fn_v2
echo 512 > /sys/module/dynamos_test_update/parameters/fail_pre_activation
d hook pre-activation t 2 2 dynamos_test_pre_activation_fail
expect_fail d activate t 2 2; val restart "$ERR"
d stop
