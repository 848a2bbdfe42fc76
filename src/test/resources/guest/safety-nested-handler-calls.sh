# Calls of an updated function made inside its adaptation handler (from a softirq, or
# directly) run the active version.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_target_fn_v2
d activate t 2 2
d rule t 2 dynamos_test_handler_nested
target 1 55 0; val softirq "$(cat /sys/module/dynamos_test_update/parameters/nested_last)"
target 1 56 0; val direct "$(cat /sys/module/dynamos_test_update/parameters/nested_last)"
val outer "$(field last /proc/dynamos_target)"
d stop
