# KthreadIT: a kernel thread that never exits (src/test/kmod/kthread: $KT_TARGET, $KT_UPDATE) moved
# onto version 2 of its main function and back with the control scripts; its state, a local round
# counter, must survive both moves exactly (no jump: /proc/dynamos_kt). In between: removal is
# refused while the thread runs version 2. At the end the target module stops the thread it now
# keeps (the successor the move published).
. "$(dirname "$0")/lib.sh"

KT=/proc/dynamos_kt
DIR=src/test/kmod/kthread
# rounds_after N: waits until the counter passed N (the thread runs), prints the status line.
rounds_after() {
	i=0
	while [ "$(field last $KT)" -le "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	cat $KT
}

# stack PID: the task's kernel stack on one line (empty while it runs on a CPU: retried).
stack() {
	i=0 s=""
	while [ -z "$s" ] && [ $i -lt 50 ]; do s=$(tr '\n' ' ' < /proc/"$1"/stack); i=$((i + 1)); [ -n "$s" ] || sleep 0.02; done
	echo "$s"
}

d start --module "$FRAMEWORK"
insmod "$KT_TARGET"
rounds_after 5
val pid0 "$(field pid $KT)"
val main0 "$(field main $KT)"
insmod "$KT_UPDATE"
ALLOC=/sys/module/dynamos/parameters/allocations

# ---- no safe point: the move times out, nothing changes, nothing leaks ----------------------
d register dynamos_kt 1 dynamos_kt_target:dynamos_kt_main
d register dynamos_kt 1 dynamos_kt_update:dynamos_kt_main_v2
allocs1=$(cat $ALLOC)
d hook post-activation dynamos_kt 1 2 dynamos_kt_update:kt_forward
d activate dynamos_kt 1 2
val nosafe_pid "$(field pid $KT)"
val nosafe_main "$(field main $KT)"
d activate dynamos_kt 1 1
d hook post-activation dynamos_kt 1 2 --clear
val nosafe_leak $(($(cat $ALLOC) - allocs1))
d deregister dynamos_kt 1 0
val nosafe_threads "$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^dynamos_kt$' || true)"

# ---- forward -------------------------------------------------------------------------------
d run "$DIR/activate.dynamos"
rounds_after "$(field last $KT)"
val pid1 "$(field pid $KT)"
val main1 "$(field main $KT)"
val comm1 "$(field comm $KT)"
val jumps1 "$(field jumps $KT)"
val v2_starts1 "$(cat /sys/module/dynamos_kt_update/parameters/v2_starts)"
val stack1 "$(stack "$(field pid $KT)")"

# ---- removal refused while the thread runs version 2 ----------------------------------------
d hook pre-activation dynamos_kt 1 1 --clear
d activate dynamos_kt 1 1
expect_fail d deregister dynamos_kt 1 0 --timeout 1
val refused_names "$(echo "$ERR" | grep -c "$(field pid $KT)" || true)"
val still_v2 "$(field main $KT)"
# Back as it was: version 2 active (its hook has nothing to move: the thread runs it), the hook set.
d activate dynamos_kt 1 2
d hook pre-activation dynamos_kt 1 1 dynamos_kt_update:kt_back
val v2_starts_again "$(cat /sys/module/dynamos_kt_update/parameters/v2_starts)"

# ---- back ------------------------------------------------------------------------------------
d run "$DIR/deactivate.dynamos"
rounds_after "$(field last $KT)"
val pid2 "$(field pid $KT)"
val main2 "$(field main $KT)"
val jumps2 "$(field jumps $KT)"
val bad_data "$(field bad_data $KT)"
val stack2 "$(stack "$(field pid $KT)")"
val threads "$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^dynamos_kt$' || true)"
# ---- more round trips: the counter stays exact ------------------------------------------------
for trip in 1 2 3; do
	d run "$DIR/activate.dynamos" >/dev/null
	rounds_after "$(field last $KT)" >/dev/null
	d run "$DIR/deactivate.dynamos" >/dev/null
done
rounds_after "$(field last $KT)"
val jumps3 "$(field jumps $KT)"
val main3 "$(field main $KT)"
val threads3 "$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^dynamos_kt$' || true)"
d list
rmmod dynamos_kt_update
rmmod dynamos_kt_target
val target_unloaded "$(test -e $KT && echo no || echo yes)"
d stop
dmesg | grep -E 'dynamos(_kt)?: ' | no_timestamps | grep -E 'moved|safe point|did not|round|dynamos_kt' || true
