# MonitorIT: dynamos monitor end to end.
# 1. dynamos_target_fn called exactly N times under a monitor (its own JVM, ended by SIGINT):
#    calls, histogram total and per-CPU sum == N, --by-caller names target_write; no probe left.
# 2. The function an update replaces, the active version switched mid-run: the per-version split;
#    the calls reach the right version; a version removed (quiescence) while the monitor is on.
# 3. --duration ends by itself and leaves no probe; monitors stopped on the way out.
# 4. SIGKILL of the owning process: the monitor goes with its file; rmmod dynamos refused while
#    a monitor's file is open.
# 5. A monitor stopped while a call sleeps inside the function; the call returns normally.
# 6. Bad input: unknown, notrace, kprobe-blacklisted, twice the same, the 33rd: clear errors,
#    nothing changes.
. "$(dirname "$0")/lib.sh"

MON_JVM="$DYNAMOS_TEST_JAVA -XX:TieredStopAtLevel=1 $JVM_FLAGS -jar $DYNAMOS_TEST_JAR"
FN=dynamos_target:dynamos_target_fn
mount -t debugfs none /sys/kernel/debug 2>/dev/null || true
KPROBES=/sys/kernel/debug/kprobes/list
ALLOCS=/sys/module/dynamos/parameters/allocations

# monitor_bg OUT ARGS...: "dynamos monitor ARGS" in its own JVM in the background (pid in $MPID),
# stdout in OUT, stderr in OUT.err; returns once every monitor runs.
monitor_bg() {
	out=$1; shift
	"$DYNCTL" sigdfl $MON_JVM monitor "$@" > "$out" 2> "$out.err" &
	MPID=$!
	i=0
	while ! grep -q '^dynamos: monitoring' "$out.err" && [ $i -lt 1200 ]; do
		kill -0 $MPID 2>/dev/null || { cat "$out.err"; return 1; }
		sleep 0.1; i=$((i + 1))
	done
	grep -q '^dynamos: monitoring' "$out.err" || { cat "$out.err"; return 1; }
}
probes() { grep -c "$1" "$KPROBES" 2>/dev/null || true; }

start
val allocs_start "$(cat $ALLOCS)"

# ---- 1. exact counts --------------------------------------------------------------------
monitor_bg /tmp/m1 --json --by-caller --interval 1 "$FN"
val probes_while "$(probes dynamos_target_fn)"
target 1000 1 2
val target1 "$(cat /proc/dynamos_target)"
d monitor --list --json > /tmp/list1
val list_while "$(cat /tmp/list1)"
kill -INT $MPID
wait $MPID && val m1_status 0 || val m1_status $?
val m1 "$(cat /tmp/m1)"
val m1_err "$(tr '\n' '|' < /tmp/m1.err)"
val probes_after "$(probes dynamos_target_fn)"
val list_after "$(d monitor --list --json)"

# ---- 2. per-version split on an updated function -----------------------------------------
d register t 1 dynamos_target_fn
d register t 1 dynamos_test_update:dynamos_target_fn_v2
d register t 1 dynamos_test_update:dynamos_target_fn_sleep
d register t 1 dynamos_test_update:dynamos_target_fn_v3
monitor_bg /tmp/m2 --json --interval 1 "$FN"
target 100 1 2
val v1_last "$(field last /proc/dynamos_target)"
d activate t 1 2
target 200 1 2
val v2_last "$(field last /proc/dynamos_target)"
d activate t 1 1
# Removal (quiescence) of a version while the monitor is on.
d deregister t 1 4 && val deregister_while_monitored ok
kill -INT $MPID
wait $MPID || true
val m2 "$(cat /tmp/m2)"
val status_after_m2 "$(d status --json)"
# 2b. Quiescence through the kernel's return trampoline: a thread sleeps in a version while the
# function is monitored; removal is refused (also after the monitor stopped with the call in
# flight) until the thread has left.
SV=3
monitor_bg /tmp/m2b --json "$FN"
d activate t 1 "$SV"
echo "thread 1 1" > /proc/dynamos_target
wait_field sleepers /proc/dynamos_test_update 1
d activate t 1 1
expect_fail d deregister t 1 "$SV" --timeout 1; val busy_monitored "$(echo "$ERR" | tr '\n' '|')"
kill -INT $MPID
wait $MPID || true
val m2b "$(cat /tmp/m2b)"
expect_fail d deregister t 1 "$SV" --timeout 1; val busy_after_stop "$(echo "$ERR" | tr '\n' '|')"
echo release > /proc/dynamos_test_update
wait_field threads /proc/dynamos_target 0
val sleep_thread_last "$(field thread_last /proc/dynamos_target)"
d deregister t 1 "$SV" && val deregister_after_leave ok
d deregister t 1 0

# ---- 3. --duration -------------------------------------------------------------------------
d monitor "$FN" --duration 2 --interval 1 > /tmp/m3 2>&1 && val m3_status 0 || val m3_status $?
val m3 "$(tr '\n' '|' < /tmp/m3)"
val probes_after_duration "$(probes dynamos_target_fn)"
val list_after_duration "$(d monitor --list --json)"

# ---- 4. SIGKILL, and rmmod while a monitor runs ---------------------------------------------
monitor_bg /tmp/m4 "$FN"
if rmmod dynamos 2>/tmp/rmmod.err; then val rmmod_with_monitor unloaded; else val rmmod_with_monitor refused; fi
kill -KILL $MPID
wait $MPID || true
sleep 1
val list_after_kill "$(d monitor --list --json)"
val probes_after_kill "$(probes dynamos_target_fn)"

# ---- 5. stopped while a call sleeps inside ---------------------------------------------------
monitor_bg /tmp/m5 --json dynamos_target:dynamos_target_sleepy
echo "sleepy 777 1" > /proc/dynamos_target
wait_field sleepy /proc/dynamos_target 1
kill -INT $MPID
wait $MPID || true
val m5 "$(cat /tmp/m5)"
val list_after_sleep "$(d monitor --list --json)"
echo release > /proc/dynamos_target
wait_field threads /proc/dynamos_target 0
val sleepy_thread_last "$(field thread_last /proc/dynamos_target)"
target 10 1 2
val after_all_last "$(field last /proc/dynamos_target)"

# ---- 6. bad input ---------------------------------------------------------------------------
flat() { echo "$ERR" | tr '\n' '|'; }
expect_fail d monitor no_such_function_anywhere --duration 1; val bad_unknown "$(flat)"
expect_fail d monitor __schedule --duration 1; val bad_notrace "$(flat)"
# A function ftrace can patch that kprobes refuse: on both lists, with a unique name.
AVAIL=/sys/kernel/debug/tracing/available_filter_functions
BL=$(awk 'NR == FNR { if (NF == 1) a[$1]; next } ($2 in a) { print $2 }' $AVAIL /sys/kernel/debug/kprobes/blacklist |
	sort -u | head -40 | while read -r f; do
		[ "$(grep -c " $f\$" /proc/kallsyms)" = 1 ] && { echo "$f"; break; }
	done || true)
val bl_fn "$BL"
expect_fail d monitor "$BL" --duration 1; val bad_blacklisted "$(flat)"
expect_fail d monitor "$FN" "$FN" --duration 1; val bad_twice "$(flat)"
val list_after_twice "$(d monitor --list --json)"
# 32 monitors in one process; the 33rd, from another, is refused by the kernel.
FNS=$(grep -E '^__x64_sys_[a-z0-9_]*$' $AVAIL | grep -vE 'exit|execve|sigreturn|clone|fork' | sort -u | head -32 | tr '\n' ' ')
val nr_fns "$(echo $FNS | wc -w)"
monitor_bg /tmp/m6 --interval 60 $FNS
i=0
while [ "$(grep -c '^dynamos: monitoring' /tmp/m6.err)" -lt 32 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
val nr_running "$(grep -c '^dynamos: monitoring' /tmp/m6.err)"
expect_fail d monitor "$FN" --duration 1; val bad_33rd "$(flat)"
kill -INT $MPID
wait $MPID || true
val m6_reports "$(grep -c ' calls in ' /tmp/m6)"
expect_fail d monitor "$FN" --max-active 5000 --duration 1; val bad_max_active "$(flat)"
val list_after_bad "$(d monitor --list --json)"
val probes_after_bad "$(grep -c . "$KPROBES" 2>/dev/null || true)"
val allocs_end "$(cat $ALLOCS)"

d stop
val stopped yes
