# FastPathIT: calls reach the right version, each exactly once, while functions move between the
# fast path (no handler) and the handler path under two CPUs calling them flat out.
#   FASTPATH FASTPATH_UPDATE  src/test/kmod/fastpath's two modules (targets and callers; versions)
#   FASTPATH_SECONDS          how long the switching loop runs (30)
# 1. For FASTPATH_SECONDS: set and clear the adaptation handler of fn, activate its versions
#    1/2/3 in turn, activate fn and other as a group; at each quiescent point (every worker
#    parked) the module checks that the versions' runs add up to the calls made; every run checks
#    that it was allowed (fastpath.h). Then the framework's per-version counters against the runs.
# 2. Removal refused (exit status, message, in-use) while a task sleeps in version 4 with no
#    handler set; allowed once it has left.
# 3. Versions removed while the workers call flat out (one right after it stopped being active),
#    the redirections removed (callers paused: see there), the versions' module unloaded with the
#    calls going on.
. "$(dirname "$0")/lib.sh"

FP=/proc/dynamos_fastpath
SECONDS_TO_RUN=${FASTPATH_SECONDS:-30}
fp() { echo "$*" > "$FP"; }
# mask V...: the bit mask of versions V...
mask() { m=0; for v in "$@"; do m=$((m | (1 << v))); done; echo "$m"; }
# State the control loop set: A the active version of fn, O of other, H fn's handler (0 off, 1 on).
A=1 O=1 H=0
# expect_switch FN_VERSIONS OTHER_VERSIONS HANDLER: what calls may run until the next checkpoint.
expect_switch() { fp "expect $(mask $1) $(mask $2) $3"; }
# checkpoint: a quiescent point (the module checks the counts), then only the new state is allowed.
checkpoint() { fp pause; fp "expect $(mask $A) $(mask $O) $H"; fp resume; }
# ctl ARGS...: the switching loop's operations straight through the ioctl ABI (the C client
# dynctl): a dynamos command costs seconds of a JVM in the TCG guest, a dynctl one a few
# milliseconds, and the loop's point is many switches. The dynamos command does the rest.
ctl() {
	"$DYNCTL" "$@" > /tmp/ctl.out || { echo "dynctl $* failed: $(cat /tmp/ctl.out)" >&2; return 1; }
}

d start --module "$FRAMEWORK"
insmod "$FASTPATH"
insmod "$FASTPATH_UPDATE"
for f in dynamos_fastpath_fn dynamos_fastpath_fn_v2 dynamos_fastpath_fn_v3 dynamos_fastpath_fn_sleep dynamos_fastpath_fn_v5; do
	ctl register fp 1 "$f"
done
ctl register fp 2 dynamos_fastpath_other
ctl register fp 2 dynamos_fastpath_other_v2
fp start
val workers "$(field workers $FP)"

# ---- 1. switching under load -------------------------------------------------------------
ops=0 activations=0 groups=0 handler_set=0 handler_cleared=0
start_s=$(date +%s)
end_s=$((start_s + SECONDS_TO_RUN))
while [ "$(date +%s)" -lt "$end_s" ]; do
	N=$((A % 3 + 1))
	case $((ops % 4)) in
	0)	expect_switch "$A" "$O" 2
		if [ "$H" = 0 ]; then
			ctl rule fp 1 dynamos_fastpath_handler; H=1; handler_set=$((handler_set + 1))
		else
			ctl rule fp 1 0; H=0; handler_cleared=$((handler_cleared + 1))
		fi;;
	2)	P=$((3 - O))
		expect_switch "$A $N" "$O $P" "$H"
		fp "group $A $O $N $P"
		ctl group fp 1 "$N" fp 2 "$P"; A=$N O=$P; groups=$((groups + 1));;
	*)	expect_switch "$A $N" "$O" "$H"
		ctl activate fp 1 "$N"; A=$N; activations=$((activations + 1));;
	esac
	checkpoint
	ops=$((ops + 1))
done
val loop_seconds $(($(date +%s) - start_s))
val loop_ops "$ops"
val loop_activations "$activations"
val loop_groups "$groups"
val loop_handler_set "$handler_set"
val loop_handler_cleared "$handler_cleared"
# The workers parked: the versions' own counts against the framework's.
fp pause
val loop_counts "$(cat $FP)"
val loop_status "$(d status --json)"
fp resume
if [ "$H" = 1 ]; then
	expect_switch "$A" "$O" 2
	ctl rule fp 1 0; H=0
	checkpoint
fi

# ---- 2. removal refused while a task sleeps in a version, no handler ----------------------
expect_switch "$A 4" "$O" 0
ctl activate fp 1 4; A=4
checkpoint
fp park
wait_field parked $FP 1
expect_switch "4 2" "$O" 0
ctl activate fp 1 2; A=2
checkpoint
set +e
d deregister fp 1 4 --timeout 1 > /tmp/busy 2>&1; val busy_rc $?
d in-use fp 1 4 > /tmp/inuse 2>&1; val inuse_rc $?
set -e
val busy "$(tr '\n' ' ' < /tmp/busy)"
val inuse "$(tr '\n' ' ' < /tmp/inuse)"
val busy_status "$(d status --json)"
fp release
wait_field parked $FP 0
# the thread's call returned from version 4: FP_PARK + slot 8 + 4 * FP_TAG
wait_field park_result $FP 4004008
d deregister fp 1 4
fp "gone 0 4"
val park_result "$(field park_result $FP)"

# ---- 3. removal under fire, then the versions' module unloaded ----------------------------
expect_switch "2 5" "$O" 0
ctl activate fp 1 5; A=5
checkpoint
sleep 1
val before_removal "$(cat $FP)"
# Version 5 goes right after calls stop entering it; the workers never stop calling.
expect_switch "5 1" "$O" 0
ctl activate fp 1 1; A=1
ctl deregister fp 1 5
fp "gone 0 5"
checkpoint
ctl deregister fp 1 3; fp "gone 0 3"
ctl deregister fp 1 2; fp "gone 0 2"
if [ "$O" = 2 ]; then
	expect_switch 1 "2 1" 0
	ctl activate fp 2 1; O=1
	ctl deregister fp 2 2
	fp "gone 1 2"
	checkpoint
else
	ctl deregister fp 2 2
	fp "gone 1 2"
fi
# Removing the redirections makes ftrace patch the fentry sites with text_poke_bp(); under QEMU's
# TCG two vCPUs calling a site flat out can keep trapping on its int3 after the patch completed
# (seen twice: a soft lockup at the site, the nop in memory). That is the emulator, not the
# framework (our own stubs switch under stop_machine for the same reason), so the callers pause
# for these two commands only; every version removal above and the module unload below run
# under fire.
fp pause
d deregister fp 1 0
d deregister fp 2 0
fp resume
rmmod dynamos_fastpath_update
val update_unloaded "$(grep -c '^dynamos_fastpath_update ' /proc/modules || true)"
sleep 1
fp pause
val end_counts "$(cat $FP)"
val end_status "$(d status --json)"
fp stop
rmmod dynamos_fastpath
d stop
