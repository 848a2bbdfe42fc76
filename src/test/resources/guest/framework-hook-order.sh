# The four hooks fire in order; a failing pre-activation hook aborts the activation.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_target_fn_v2
d register t 2 dynamos_target_fn_v3
d hook pre-activation t 2 2 dynamos_test_pre_activation
d hook post-activation t 2 2 dynamos_test_post_activation
d hook pre-removal t 2 2 dynamos_test_pre_removal
d hook post-removal t 2 2 dynamos_test_post_removal
d activate t 2 2
d activate t 2 1
d deregister t 2 2
echo 22 > /sys/module/dynamos_test_update/parameters/fail_pre_activation
d hook pre-activation t 2 3 dynamos_test_pre_activation_fail
expect_fail d activate t 2 3; val failed "$ERR"
target 1 1 1; val still_original "$(field last /proc/dynamos_target)"
val json "$(d status --json)"
d stop
scenario_dmesg | grep 'dynamos_test_update: hook' | no_timestamps
