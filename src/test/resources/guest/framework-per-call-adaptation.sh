# Adaptation handlers pick the version per call (by argument, by pid, or by making another
# version active); the per-version counters add up.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_target_fn_v2
d register t 2 dynamos_target_fn_v3
d register t 2 dynamos_target_fn_wrap
d rule t 2 dynamos_test_handler_arg
target 100 2 0; val a2 "$(field sum /proc/dynamos_target)"
target 50 3 0;  val a3 "$(field sum /proc/dynamos_target)"
target 30 1 0;  val a1 "$(field sum /proc/dynamos_target)"
target 20 4 0;  val a4 "$(field sum /proc/dynamos_target)"
val handler_calls "$(field handler_calls /proc/dynamos_test_update)"
val json1 "$(d status --json)"
# Now by pid: this shell's calls go to version 3, another process's to the active one.
d rule t 2 --clear
echo $$ > /sys/module/dynamos_test_update/parameters/handler_pid
echo 3 > /sys/module/dynamos_test_update/parameters/handler_pid_version
ADDR=$(awk '$3 == "dynamos_test_handler_pid" {print "0x" $1}' /proc/kallsyms)
d rule t 2 --address "$ADDR"
target 40 1 0; val mine "$(field sum /proc/dynamos_target)"
sh -c 'echo "60 1 0" > /proc/dynamos_target'; val other "$(field sum /proc/dynamos_target)"
d activate t 2 2
sh -c 'echo "5 1 0" > /proc/dynamos_target'; val other_active "$(field last /proc/dynamos_target)"
val json2 "$(d status --json)"
# A handler may also change the active version (a == 99: version 2), for this call too.
d activate t 2 1
d rule t 2 dynamos_test_handler_arg
target 1 99 0; val set_active_call "$(field last /proc/dynamos_target)"
target 1 1 0;  val set_active_next "$(field last /proc/dynamos_target)"
d rule t 2 --address 0
d stop
