# Runs inside the VM for bench/apply-latency (one vCPU, -icount shift=0: a guest nanosecond is
# an instruction while the CPU is busy). Every figure is an "@@ LABEL wall_ns=W cpu_ns=C ..."
# line of bench/tools/dyntime (see there); progress goes to stderr.
#
# Usage: apply-latency.sh REPS FRAMEWORK TARGET VERSIONS ONE LIVEPATCH DYNTIME [TASKS...]
#   TARGET: dynamos_apply_target.ko (functions dynamos_apply_fn_000 ... 103), VERSIONS:
#   dynamos_apply_versions.ko (dynamos_apply_fn_NNN_v2), ONE: the "apply_one" update (of
#   fn_101), LIVEPATCH: dynamos_apply_livepatch.ko (of fn_100), TASKS: the numbers of sleeping
#   threads for the removal figures (default 100 1000 10000).
# Functions: 000-099 the group (c), 100 one function (a) and livepatch (e), 101 dynamos apply
# (b), 102 the removals (d). The group stays registered to the end (removing 100 functions
# costs about 28 s of mostly idle guest time, a minute of the host's).
set -e
REPS=$1 FRAMEWORK=$2 TARGET=$3 VERSIONS=$4 ONE=$5 LIVEPATCH=$6 DYNTIME=$7
shift 7
TASKS=${*:-100 1000 10000}
GROUP=100		# functions in the group (dynamos_apply_target has 100)
TIMEOUT_MS=60000	# quiescence timeout of every removal
progress() { echo "apply-latency: $*" >&2; }
steps() { "$DYNTIME" run; }	# the steps on stdin
threads() { sed -n 's/^[^ ]* [^ ]* [^ ]* [^/]*\/\([0-9]*\) .*/\1/p' /proc/loadavg; }

insmod "$TARGET"
insmod "$VERSIONS"
insmod "$FRAMEWORK"
echo "@@ threads_base n=$(threads)"

progress "a. register + activate one function, $REPS times"
r=1
while [ $r -le "$REPS" ]; do
	steps <<-EOF
	a_reg1_$r register one 1 dynamos_apply_fn_100
	a_reg2_$r register one 1 dynamos_apply_fn_100_v2
	a_act2_$r activate one 1 2
	a_act1_$r activate one 1 1
	a_dereg2_$r deregister one 1 2 $TIMEOUT_MS
	a_dereg0_$r deregister one 1 0 $TIMEOUT_MS
	EOF
	r=$((r + 1))
done

progress "b. dynamos apply and revert of a one-function update, end to end (JVM start included)"
T=/sys/kernel/tracing
[ -e $T/trace ] || mount -t tracefs nodev $T
echo 0 > $T/tracing_on
echo 'cmd >= 0xc200da00 && cmd <= 0xc200daff' > $T/events/syscalls/sys_enter_ioctl/filter
for e in ioctl finit_module init_module delete_module; do
	echo 1 > $T/events/syscalls/sys_enter_$e/enable
	echo 1 > $T/events/syscalls/sys_exit_$e/enable
done
# LABEL: the system calls the traced command made, summed per kind: ioctls on /dev/dynamos,
# module loads and unloads (trace timestamps have microseconds).
kernel_part() {
	echo 0 > $T/tracing_on
	awk -v label="$1" '
	{
		pid = ""; ts = ""
		for (i = 1; i <= NF; i++)
			if ($i ~ /^\[[0-9]+\]$/) { pid = $(i - 1); sub(/.*-/, "", pid); break }
		for (; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = substr($i, 1, length($i) - 1); break }
		if (ts == "" || i + 1 > NF) next
		ev = $(i + 1); name = ev; sub(/\(.*/, "", name)
		if ($(i + 2) == "->") {
			if ((pid in start) && kind[pid] == name) {
				k = name == "sys_ioctl" ? "ioctl" : name == "sys_delete_module" ? "unload" : "load"
				sum[k] += ts - start[pid]; n[k]++
				if (k == "ioctl") { c = cmd[pid]; per[c] += ts - start[pid]; pn[c]++ }
				delete start[pid]
			}
		} else {
			start[pid] = ts; kind[pid] = name
			if (name == "sys_ioctl" && match($0, /cmd: [0-9a-f]+/))
				cmd[pid] = substr($0, RSTART + 5 + 6, RLENGTH - 5 - 6)
		}
	}
	END {
		for (k in per) cmds = cmds sprintf("%s%s:%d:%.0f", cmds == "" ? "" : ",", k, pn[k], per[k] * 1e9)
		printf "@@ %s wall_ns=%.0f ioctls=%d load_ns=%.0f loads=%d unload_ns=%.0f unloads=%d cmds=%s\n",
			label, sum["ioctl"] * 1e9, n["ioctl"], sum["load"] * 1e9, n["load"], sum["unload"] * 1e9,
			n["unload"], cmds == "" ? "-" : cmds
	}' $T/trace
	echo > $T/trace
}
r=1	# once: a JVM start takes about a minute of the host's time under -icount
while [ $r -le 1 ]; do
	echo > $T/trace
	echo 1 > $T/tracing_on
	echo "?b_apply_$r exec ./dynamos apply $ONE" | steps
	kernel_part b_applyk_$r
	echo 1 > $T/tracing_on
	echo "?b_revert_$r exec ./dynamos revert apply_one" | steps
	kernel_part b_revertk_$r
	r=$((r + 1))
done
for e in ioctl finit_module init_module delete_module; do
	echo 0 > $T/events/syscalls/sys_enter_$e/enable
	echo 0 > $T/events/syscalls/sys_exit_$e/enable
done
echo 0 > $T/events/syscalls/sys_enter_ioctl/filter

# Livepatch: enable (load until the transition ends), disable, unload. Here and in b a failure
# ("?") leaves its rows empty and the rest of the figures are still taken.
livepatch() { # SUFFIX
	steps <<-EOF
	?e_enable$1 livepatch-enable $LIVEPATCH dynamos_apply_livepatch
	?e_disable$1 livepatch-disable dynamos_apply_livepatch
	?e_unload$1 unload dynamos_apply_livepatch
	EOF
}
progress "e. livepatch enable and disable of dynamos_apply_fn_100, $REPS times"
r=1
while [ $r -le "$REPS" ]; do
	livepatch "_$r"
	r=$((r + 1))
done

progress "c. a group of $GROUP functions, $REPS times"
steps <<-EOF
c_reg1 register-range grp 1 $GROUP dynamos_apply_fn_%03u
c_reg2 register-range grp 1 $GROUP dynamos_apply_fn_%03u_v2
EOF
# The largest group the kernel takes (ABI 3 promises 64 members), 100 hoped for.
chunk=
for c in $GROUP 64 32 16 8; do
	echo "?c_probe_$c group grp 1 $c 2" | steps > /tmp/apply-latency.probe
	cat /tmp/apply-latency.probe
	if grep -q "^@@ c_probe_$c wall_ns=" /tmp/apply-latency.probe; then
		echo "c_probeback_$c group grp 1 $c 1" | steps
		chunk=$c
		break
	fi
done
[ -n "$chunk" ] || { echo "apply-latency: no ACTIVATE_GROUP of 8 or more members works" >&2; exit 1; }
echo "@@ group_chunk n=$chunk"
r=1
while [ $r -le "$REPS" ]; do
	steps <<-EOF
	c_group_$r group-chunks grp 1 $GROUP 2 $chunk
	c_groupback_$r group-chunks grp 1 $GROUP 1 $chunk
	c_single_$r activate-range grp 1 $GROUP 2
	c_singleback_$r activate-range grp 1 $GROUP 1
	EOF
	r=$((r + 1))
done

progress "d. removal of one version with sleeping threads: $TASKS"
echo 200000 > /proc/sys/kernel/threads-max
pids=
have=0
for n in $TASKS; do
	if [ "$n" -gt "$have" ]; then
		rm -f /tmp/apply-latency.ready
		"$DYNTIME" sleepers $((n - have)) /tmp/apply-latency.ready &
		pids="$pids $!"
		while [ ! -e /tmp/apply-latency.ready ]; do
			kill -0 $! 2>/dev/null || { echo "apply-latency: starting $((n - have)) threads failed" >&2; exit 1; }
			sleep 0.2
		done
		have=$n
	fi
	total=$(threads)
	echo "@@ tasks_$n n=$total"
	progress "   $n sleeping threads added ($total threads in the system)"
	r=1
	while [ $r -le "$REPS" ]; do
		steps <<-EOF
		d_reg1_${n}_$r register rm 1 dynamos_apply_fn_102
		d_reg2_${n}_$r register rm 1 dynamos_apply_fn_102_v2
		d_act2_${n}_$r activate rm 1 2
		d_act1_${n}_$r activate rm 1 1
		d_dereg2_${n}_$r deregister rm 1 2 $TIMEOUT_MS
		d_dereg0_${n}_$r deregister rm 1 0 $TIMEOUT_MS
		EOF
		r=$((r + 1))
	done
	last=$n
done
progress "e. livepatch again with $last sleeping threads"
livepatch "_tasks"
progress "ending the sleeping threads"
kill -9 $pids 2>/dev/null || true
wait 2>/dev/null || true
progress "done"
