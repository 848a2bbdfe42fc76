# Runs inside the VM for bench/syscall-overhead: the workload in four configurations, then without
# any update again (the baseline's noise), all in one boot.
# Each operation is reported by the workload as "@@ CONFIG OP n=N ns=T empty_ns=E" (guest
# nanoseconds = instructions under -icount shift=0); this script adds "@@ function ..." lines
# (is each redirected function traceable and unique in kallsyms) and "@@ livepatch transition=".
# Args: SCALE FRAMEWORK_KO UPDATE_KO LIVEPATCH_KO WORKLOAD
set -e
SCALE=$1 FRAMEWORK=$2 UPDATE=$3 LIVEPATCH=$4 WORKLOAD=$5
UPDATE_NAME=syscall_overhead
# <id> <function> for the eight rows, as declared in bench/kmod/syscall-update.
FUNCTIONS="1:__do_sys_getpid 2:__do_sys_getppid 3:vfs_read 4:vfs_write 5:do_sys_openat2 6:vfs_fstatat 7:pipe_write 8:kernel_clone"
d() { ./dynamos "$@"; }
step() { echo "==> [$(date +%T)] $*" >&2; }
# Each configuration starts from the same memory state as far as we can make it: the JVM of the
# dynamos commands in between leaves page cache and fragmented memory behind, which shows in the
# heavier rows (open, stat, fork) as a few percent either way.
workload() {
	sync
	echo 3 > /proc/sys/vm/drop_caches
	echo 1 > /proc/sys/vm/compact_memory
	"$WORKLOAD" "$1" "$SCALE"
}

mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing
for f in $FUNCTIONS; do
	fn=${f#*:}
	echo "@@ function $fn traceable=$(grep -c "^$fn\$" /sys/kernel/tracing/available_filter_functions)" \
		"kallsyms=$(grep -c " $fn\$" /proc/kallsyms)"
done

step "1/5 no update"
workload none

step "2/5 DynAMOS: eight functions redirected to wrapper versions, no handler (fast path)"
d start --module "$FRAMEWORK" >&2
d apply "$UPDATE" >&2
workload fast

step "3/5 DynAMOS: the same with an adaptation handler on each (returns 0: the active version)"
rules=/tmp/syscall-overhead-rules.dynamos
: > "$rules"
for f in $FUNCTIONS; do
	echo "rule $UPDATE_NAME ${f%%:*} dynamos_bench_syscall_handler" >> "$rules"
done
d run "$rules" >&2
workload handler
d list >&2

step "4/5 livepatch of the same eight functions"
d stop >&2
insmod "$LIVEPATCH"
lp=/sys/kernel/livepatch/dynamos_bench_syscall_livepatch
i=0
while [ "$(cat $lp/transition)" != 0 ] && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
echo "@@ livepatch transition=$(cat $lp/transition) enabled=$(cat $lp/enabled)"
workload livepatch

step "5/5 no update again (livepatch disabled and unloaded): the baseline's noise"
echo 0 > $lp/enabled
# Once the transition back is over, livepatch frees the patch (its sysfs directory goes) and
# drops its hold on the module, from a work item: wait for both.
i=0
while { [ -d $lp ] || ! rmmod dynamos_bench_syscall_livepatch 2>/dev/null; } && [ $i -lt 600 ]; do
	sleep 0.1; i=$((i + 1))
done
if grep -q '^dynamos_bench_syscall_livepatch ' /proc/modules; then
	echo "syscall-overhead: the livepatch did not go away within 60 s" >&2
	exit 1
fi
workload none_again
step "done"
