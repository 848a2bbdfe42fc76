# dynamos stop reverses active updates (one of schedule itself) and unloads the update module.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_target_fn_v2
d register t 2 dynamos_target_fn_v3
d activate t 2 3
d rule t 2 dynamos_test_handler_arg
d register s 0 schedule
d register s 0 dynamos_test_schedule
d activate s 0 2
sleep 1
target 1 1 1; val updated "$(field last /proc/dynamos_target)"
d stop
val modules "$(cut -d' ' -f1 /proc/modules | tr '\n' ' ')"
target 1 1 1; val restored "$(field last /proc/dynamos_target)"
d status
