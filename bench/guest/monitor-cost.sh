# Runs inside the VM for bench/monitor-cost: N calls of dynamos_target_fn per configuration,
# each reported as "@@ KEY ns=T" (T = guest nanoseconds = instructions under -icount shift=0).
# Monitors are owned by "dynctl monitor" (a C process that sleeps holding the file), not by a JVM
# that would run beside the measured loop.
set -e
N=$1 FRAMEWORK=$2 TARGET=$3 UPDATE=$4 HANDLER=$5 DYNCTL=$6
FN=dynamos_target:dynamos_target_fn
d() { ./dynamos "$@"; }
measure() { # KEY A: N calls of dynamos_target_fn(A, 0)
	echo "$N $2 0" > /proc/dynamos_target
	echo "@@ $1 $(tr ' ' '\n' < /proc/dynamos_target | grep -E '^(ns|last)=' | tr '\n' ' ')"
}
monitored() { # KEY A [by-caller]: measure with a monitor on the function
	"$DYNCTL" monitor "$FN" $3 > /tmp/monitor.out &
	mp=$!
	i=0
	until grep -q '^ok' /tmp/monitor.out || [ $i -ge 600 ]; do sleep 0.1; i=$((i + 1)); done
	grep -q '^ok' /tmp/monitor.out || { cat /tmp/monitor.out; exit 1; }
	measure "$1" "$2"
	kill $mp
	wait $mp || true
}
insmod "$TARGET"
d start --module "$FRAMEWORK"
insmod "$UPDATE"
measure warmup 1
measure none 1
monitored monitored 1
monitored monitored_by_caller 1 by-caller
d register t 2 dynamos_target_fn
d register t 2 dynamos_target_fn_v2
d activate t 2 2
measure v2 1
monitored v2_monitored 1
insmod "$HANDLER"
d rule t 2 dynamos_bench_handler
d activate t 2 1
measure handler 2
monitored handler_monitored 2
d stop
