# Linger-Longer ($LINGER, examples/linger_longer) on one vCPU: a guest CPU hog and a host CPU hog.
# Shares are per mille of the interval, from /proc/PID/stat (utime+stime, in 1/100 s) and, more
# precisely, /proc/PID/schedstat (ns on the CPU). Order: stock kernel; the update through its
# control scripts; the update through apply (host hog on, off, on again; a guest that exits);
# revert; the stock SCHED_IDLE policy for the guest, for comparison. $LINGERTOOL spins or sets SCHED_IDLE.
. "$(dirname "$0")/lib.sh"

T=${LINGER_SECONDS:-4}
PROC=/proc/dynamos_linger_longer
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }
now_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
# snap FILE: "PID ns-on-CPU" of every task (shell builtins only: nothing forks meanwhile).
snap() {
	for d in /proc/[0-9]*; do
		{ read n rest < $d/schedstat && echo "${d#/proc/} $n"; } 2>/dev/null || true
	done > "$1"
}
# CPU time, in ns, of the tasks alive in both snapshots.
tasks_ns() { awk 'NR == FNR { a[$1] = $2; next } ($1 in a) { s += $2 - a[$1] } END { printf "%.0f\n", s }' "$1" "$2"; }
# measure LABEL: the shares of $G and $H (if set) over $T seconds, per mille:
#   LABEL_guest, LABEL_host        of the interval, from /proc/PID/stat (utime+stime)
#   LABEL_guest_ns, LABEL_host_ns  of the interval, from /proc/PID/schedstat
#   LABEL_guest_ppm                the same per million
#   LABEL_guest_of_tasks           of the CPU time all tasks got (kernel threads, this script and
#                                  its JVM are hosts and come first)
#   LABEL_guest_of_hogs            of the CPU time the two hogs got
#   LABEL_lost                     the interval no task got: idle, and, under TCG on a busy host,
#                                  time the virtual CPU did not run at all
measure() {
	gt0=$(ticks $G); gn0=$(ns $G); ht0=0; hn0=0; ht1=0; hn1=0
	if [ -n "$H" ]; then ht0=$(ticks $H); hn0=$(ns $H); fi
	snap /tmp/snap0; t0=$(now_cs)
	sleep $T
	gt1=$(ticks $G); gn1=$(ns $G)
	if [ -n "$H" ]; then ht1=$(ticks $H); hn1=$(ns $H); fi
	snap /tmp/snap1; t1=$(now_cs)
	dt=$((t1 - t0)); dtn=$((dt * 10000000)); all=$(tasks_ns /tmp/snap0 /tmp/snap1)
	gd=$((gn1 - gn0)); hd=$((hn1 - hn0))
	val "${1}_lost" $(((dtn - all) * 1000 / dtn))
	val "${1}_guest" $(((gt1 - gt0) * 1000 / dt))
	val "${1}_guest_ns" $((gd * 1000 / dtn))
	val "${1}_guest_ppm" $((gd * 1000 / (dtn / 1000)))
	val "${1}_guest_of_tasks" $((gd * 1000 / all))
	if [ -n "$H" ]; then
		val "${1}_host" $(((ht1 - ht0) * 1000 / dt))
		val "${1}_host_ns" $((hd * 1000 / dtn))
		val "${1}_guest_of_hogs" $((gd * 1000 / (gd + hd)))
	fi
}
field_of() { sed -n "s/^$1 //p" $PROC; }

d start --module "$FRAMEWORK"
# Apply and revert with no guest and no hog, for the time a removal takes here.
d apply "$LINGER"
t0=$(now_cs)
d revert linger_longer --timeout 60
val quiet_revert_cs $(($(now_cs) - t0))
"$LINGERTOOL" spin & G=$!
"$LINGERTOOL" spin & H=$!
measure stock

# The control scripts, on the module loaded by hand.
insmod "$LINGER"
d run examples/linger_longer/activate.dynamos
echo $G > $PROC
val scripts_listed "$(grep -c "^$G lingertool\$" $PROC || true)"
sleep 1
measure scripts
d status | grep -E 'linger_longer|pick_next_entity|check_preempt|release_task' || true
t0=$(now_cs)
d run examples/linger_longer/deactivate.dynamos
val scripts_removal_cs $(($(now_cs) - t0))
rmmod dynamos_linger_longer
measure scripts_reverted

# The self-declaring update, applied in one step.
d apply "$LINGER"
d list
val marked_before "$(field_of guests)"
echo $G > $PROC
echo $G > $PROC
val marked "$(field_of guests)"
val bad_pid "$(echo 999999 > $PROC 2>/dev/null && echo accepted || echo refused)"
sleep 1
measure applied
# A second guest in its own session, i.e. its own autogroup: the top-level pick is between group
# entities, and the update has to look inside them.
setsid sh -c 'echo $$ > /tmp/g2.pid; exec "$0" spin' "$LINGERTOOL" &
sleep 1
G2=$(cat /tmp/g2.pid)
val own_group "$(test "$(cat /proc/$G2/autogroup)" != "$(cat /proc/$G/autogroup)" && echo yes || echo no)"
echo $G2 > $PROC
sleep 1
G1=$G; G=$G2; measure other_group; G=$G1
kill $H; wait $H || true; H=
# Guests may run now: G2 can act on its signal.
kill $G2
i=0; while [ -e /proc/$G2 ] && ! grep -q '^State:.*Z' /proc/$G2/status 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
wait $G2 2>/dev/null || true
measure alone
# A guest that exits while marked: release_task drops its mark.
sleep 300 & S=$!
echo $S > $PROC
val with_sleeper "$(field_of guests)"
kill $S; wait $S || true
val after_sleeper "$(field_of guests)"
# A host hog that starts now preempts the guest at once and keeps it off the CPU.
"$LINGERTOOL" spin & H=$!
sleep 1
measure host_again
# Unmarked after starving for seconds: a host again, on a par with the other host at once (no
# credit for the time it was kept off the CPU), then a guest again.
echo -$G > $PROC
val unmarked_count "$(field_of guests)"
measure unmarked
echo $G > $PROC
sleep 2
val redirected "$(field_of redirected)"
val preempted "$(field_of preempted)"
# No task ever sleeps in a version: each returns before its caller switches tasks.
if d in-use linger_longer 1 2 --timeout 10; then val pick_in_use no; else val pick_in_use "yes($?)"; fi
if d in-use linger_longer 2 2 --timeout 10; then val preempt_in_use no; else val preempt_in_use "yes($?)"; fi
t0=$(now_cs)
d revert linger_longer --timeout 60
val revert_cs $(($(now_cs) - t0))
val proc_after_revert "$(test -e $PROC && echo present || echo gone)"
measure reverted

# For comparison: the stock SCHED_IDLE policy for the guest.
"$LINGERTOOL" idle $G
sleep 1
measure sched_idle
kill $G $H; wait $G $H || true
d stop
dmesg | grep 'linger_longer:' | no_timestamps
