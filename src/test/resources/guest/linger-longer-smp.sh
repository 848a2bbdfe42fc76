# Linger-Longer ($LINGER) on two vCPUs: one guest hog against two host hogs, then one host hog.
# CPU time per mille of the interval (schedstat; two CPUs make 2000) and per mille of the three tasks' time
# (which does not shrink when the host machine is busy and the vCPUs wait), with migrations between the
# CPUs: the load balancer does not know guests.
. "$(dirname "$0")/lib.sh"

T=${LINGER_SECONDS:-6}
PROC=/proc/dynamos_linger_longer
ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }
now_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }
# measure LABEL PID...: LABEL_N, each PID's CPU time per mille of the interval, N counting from 1;
# LABEL_N_of_tasks, per mille of the PIDs' time together.
measure() {
	label=$1; shift
	for p in "$@"; do echo "$p $(ns $p)"; done > /tmp/m0; t0=$(now_cs)
	sleep $T
	for p in "$@"; do echo "$p $(ns $p)"; done > /tmp/m1; t1=$(now_cs)
	paste /tmp/m0 /tmp/m1 | awk -v l="$label" -v dt=$((t1 - t0)) \
		'{ used[NR] = $4 - $2; all += $4 - $2 }
		 END { for (i = 1; i <= NR; i++) printf "@@ %s_%d=%d\n@@ %s_%d_of_tasks=%d\n", l, i,
			used[i] / (dt * 10000), l, i, all ? used[i] * 1000 / all : 0 }'
}

d start --module "$FRAMEWORK"
d apply "$LINGER"
"$LINGERTOOL" spin & G=$!
echo $G > $PROC
"$LINGERTOOL" spin & H1=$!
"$LINGERTOOL" spin & H2=$!
sleep 1
measure two_hosts $G $H1 $H2
val migrations "$(sed -n 's/^se.nr_migrations *: *//p' /proc/$G/sched)"
kill $H2; wait $H2 || true
sleep 1
measure one_host $G $H1
kill $H1; wait $H1 || true
kill $G; wait $G || true
val redirected "$(sed -n 's/^redirected //p' $PROC)"
d revert linger_longer --timeout 60
d stop
