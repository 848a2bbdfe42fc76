# Runs inside the VM for bench/redirection-cost: N calls of dynamos_target_fn per configuration,
# each reported as "@@ KEY ns=T" (T = guest nanoseconds = instructions under -icount shift=0).
set -e
N=$1 FRAMEWORK=$2 TARGET=$3 UPDATE=$4 HANDLER=$5 LIVEPATCH=$6
d() { ./dynamos "$@"; }
measure() { # KEY A: N calls of dynamos_target_fn(A, 0)
	echo "$N $2 0" > /proc/dynamos_target
	echo "@@ $1 $(tr ' ' '\n' < /proc/dynamos_target | grep -E '^(ns|last)=' | tr '\n' ' ')"
}
insmod "$TARGET"
measure warmup 1
measure none 1
d start --module "$FRAMEWORK"
insmod "$UPDATE"
d register t 2 dynamos_target_fn
measure original 1
d register t 2 dynamos_target_fn_v2
d activate t 2 2
measure v2 1
d register u 2 dynamos_target_fn
measure stacked 1
d deregister u 2 0
insmod "$HANDLER"
d rule t 2 dynamos_bench_handler
d activate t 2 1
measure handler 2
d stop
insmod "$LIVEPATCH"
i=0
while [ "$(cat /sys/kernel/livepatch/dynamos_bench_livepatch/transition)" != 0 ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
measure livepatch 1
