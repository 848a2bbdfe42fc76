# Runs inside the VM for bench/reliability and ReliabilityIT: the reliability campaign of
# DynAMOS in one boot (sh-compatible; needs 3 vCPUs for the switching part's layout).
#
#   sh reliability.sh FUZZ SWITCH FIRE FRAMEWORK TARGET UPDATE STRESS DYNCTL [SEED]
#
# FUZZ    total fuzz ioctls, from 4 processes at once (part a)
# SWITCH  switching operations on the stress update under load (part b)
# FIRE    iterations of removal under fire (part c)
# then the modules: dynamos.ko, dynamos_target.ko, dynamos_test_update.ko, dynamos_stress.ko,
# and the dynctl binary.
#
#  a) fuzzing: "dynctl fuzzp 4 FUZZ" while loops read the status (checking that every table
#     read is consistent) and call the targets, insert and remove the stress and update
#     modules, and try "rmmod dynamos"; then the table is consistent, STOP succeeds and every
#     module unloads.
#  b) switching under load: two callers call dynamos_stress_fn flat out (one asking the handler
#     for a different version on every call, one running the active version) while
#     "dynctl switch SWITCH" activates, sets/clears the handler, registers and deregisters;
#     then calls made == hits summed over versions, no ghost (a call in a removed version), and
#     the framework's CALLS of every registered version == its hits since registration.
#  c) removal under fire: per iteration, versions of dynamos_target_fn in which a kernel thread
#     sleeps (dynamos_target_fn_sleep, and _tail and _cold where the update module has them)
#     must refuse removal (EBUSY from the quiescence check) while the thread is inside, and so
#     must the whole update and rmmod; after release removal succeeds. The version that
#     tail-calls a sleeping helper leaves no frame of its own: it is refused as its module's
#     last version (the module's whole text is checked then). The update module is removed and
#     inserted again; IN_USE of an original (dynamos_target_sleepy,
#     where the target module has it) must see a task asleep in its .cold part.
#  d) leaks: dynamos.ko's live allocations at load and before unload of each part, the kmalloc
#     slab caches and per-CPU memory before and after the campaign, module reference counts.
#
# Every figure is printed as "@@ key=value"; "@@ failures=N" counts broken invariants (each
# also printed as a "reliability: FAILED:" line). Exit status 0 when N is 0, else 1.
FUZZ=$1 SWITCH=$2 FIRE=$3 FRAMEWORK=$4 TARGET=$5 UPDATE=$6 STRESS=$7 DYNCTL=$8 SEED=${9:-1}
if [ -z "$DYNCTL" ]; then
	echo "usage: sh reliability.sh FUZZ SWITCH FIRE FRAMEWORK TARGET UPDATE STRESS DYNCTL [SEED]" >&2
	exit 2
fi
W=/tmp/reliability
rm -rf "$W" && mkdir -p "$W" || exit 1
FAILURES=0
# RELIABILITY_PARTS: which of the parts a b c run (default all; d always runs)
PARTS=${RELIABILITY_PARTS:-a b c}
ALLOCS=/sys/module/dynamos/parameters/allocations
# Console output of the framework's per-command info lines would slow every operation down;
# warnings and worse still reach the console (and everything the kernel log).
dmesg -n 5 2>/dev/null

val() { echo "@@ $1=$2"; }
fail() { echo "reliability: FAILED: $*"; FAILURES=$((FAILURES + 1)); }
now_ms() { date +%s%3N; }
# expect_eq WHAT GOT WANT
expect_eq() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; }
# kv KEY LINE: KEY's value in a "k=v k=v" line
kv() {
	case " $2" in *" $1="*) ;; *) return 1;; esac
	_v=" $2"
	_v=${_v#*" $1="}
	echo "${_v%% *}"
}
# get KEY FILE: KEY's value in the file's first line, without a fork
get() {
	read -r _line < "$2" || return 1
	kv "$1" "$_line"
}
# wait_for KEY WANT FILE [SECONDS]: poll until KEY has that value
wait_for() {
	_n=$(( ${4:-20} * 50 ))
	while [ "$(get "$1" "$3")" != "$2" ]; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.02
	done
}
loaded() { [ -d "/sys/module/$1" ]; }
allocs() { if [ -r $ALLOCS ]; then cat $ALLOCS; else echo n/a; fi; }
# table_check FILE: "ok" if the status header's counts match the rows and every update has
# exactly one active version, else what is wrong
table_check() {
	awk 'NR == 1 { u = $6; v = $8; next }
	     NR == 2 { next }
	     { rows++; k = $1 " " $2; if (!(k in seen)) { seen[k] = 1; n++ }
	       if ($4 == "yes") act[k]++ }
	     END { bad = ""
		   if (rows + 0 != v + 0 || n + 0 != u + 0)
			bad = "header says updates " u " versions " v ", rows show " n + 0 " and " rows + 0
		   for (k in seen) if (act[k] != 1) bad = bad " " k " has " act[k] + 0 " active versions"
		   print bad == "" ? "ok" : bad }' "$1"
}
# clear_hooks: removes every hook (a failing pre-activation hook of version 1 would stop STOP)
clear_hooks() {
	"$DYNCTL" status | sed 1,2d | while read -r u i v a s c f m h hooks rest; do
		[ "$hooks" = - ] && continue
		for pair in $(echo "$hooks" | tr ',' ' '); do
			"$DYNCTL" hook "${pair%%=*}" "$u" "$i" "$v" 0 > /dev/null ||
				echo "reliability: cannot clear hook $pair of $u/$i/$v"
		done
	done
}
# unload PART MODULE...: unloads the modules in this order (dependents first: a module that
# uses another's symbols holds a reference on it), each of which must have refcount 0 first
unload() {
	_p=$1; shift
	for m in "$@"; do
		loaded "$m" || continue
		r=$(cat "/sys/module/$m/refcnt")
		val "${_p}_refcnt_$m" "$r"
		expect_eq "$_p: refcount of $m before unloading" "$r" 0
		rmmod "$m" || fail "$_p: rmmod $m"
	done
}
# framework_start PART: loads dynamos.ko and records its allocations
framework_start() {
	insmod "$FRAMEWORK" || { fail "$1: insmod dynamos"; return 1; }
	val "$1_alloc_start" "$(allocs)"
}
# framework_end PART: after STOP: allocations back to the start
framework_end() {
	a=$(allocs)
	val "$1_alloc_end" "$a"
	eval "expect_eq \"$1: allocations of dynamos.ko\" \"$a\" \"\$$1_alloc0\""
}
slab() { # slab FILE: active objects and object size of the plain kmalloc caches
	awk '$1 ~ /^kmalloc-[0-9]+k?$/ { print $1, $2, $4 }' /proc/slabinfo > "$1"
}
percpu() { awk '$1 == "Percpu:" { print $2 }' /proc/meminfo; }
kernel_problems() {
	dmesg | grep -cE 'Oops|\bBUG\b|WARNING|general protection|lockdep|possible circular locking|Kernel panic|rcu_.*stall|blocked for more than'
}

echo "== reliability campaign: fuzz $FUZZ ioctls, switch $SWITCH operations, fire $FIRE iterations, seed $SEED"
val fuzz_count "$FUZZ"
val switch_count "$SWITCH"
val fire_count "$FIRE"
val cpus "$(nproc)"
T_ALL=$(now_ms)

# ---- d) leaks: before -----------------------------------------------------------------
slab "$W/slab.before"
val percpu_kb_before "$(percpu)"

want() { case " $PARTS " in *" $1 "*) return 0;; esac; return 1; }
val parts "$(echo $PARTS | tr ' ' ',')"

# ---- a) fuzzing -------------------------------------------------------------------------
part_a() {
	echo "== a) fuzzing: $FUZZ ioctls from 4 processes, status reads, module insert/remove, rmmod dynamos"
	framework_start a || return
	a_alloc0=$(allocs)
	insmod "$TARGET" || fail "a: insmod target"
	insmod "$UPDATE" || fail "a: insmod update"
	insmod "$STRESS" || fail "a: insmod stress"
	STOP=$W/stop.a
	(	# status reads, each table checked, and calls of both targets
		n=0 bad=0 rfail=0
		while [ ! -e "$STOP" ]; do
			if cat /dev/dynamos > "$W/status.a" 2> /dev/null; then
				r=$(table_check "$W/status.a")
				if [ "$r" != ok ]; then
					bad=$((bad + 1))
					echo "reliability: inconsistent table during fuzzing: $r"
					cat "$W/status.a"
				fi
			else
				rfail=$((rfail + 1))
			fi
			echo "10 1 2" 2> /dev/null > /proc/dynamos_target
			echo "10 -1 0" 2> /dev/null > /proc/dynamos_stress
			n=$((n + 1))
		done
		echo "reads=$n inconsistent=$bad read_errors=$rfail" > "$W/status.count"
	) &
	P1=$!
	(	# insert and remove the stress and update modules; refusals while pinned are expected
		ins=0 insfail=0 rm=0 rmfail=0
		while [ ! -e "$STOP" ]; do
			for m in dynamos_stress:$STRESS dynamos_test_update:$UPDATE; do
				if loaded "${m%%:*}"; then
					if rmmod "${m%%:*}" 2> /dev/null; then rm=$((rm + 1)); else rmfail=$((rmfail + 1)); fi
				else
					if insmod "${m#*:}" 2> /dev/null; then ins=$((ins + 1)); else insfail=$((insfail + 1)); fi
				fi
			done
		done
		echo "inserted=$ins insert_failed=$insfail removed=$rm remove_refused=$rmfail" > "$W/modules.count"
	) &
	P2=$!
	"$DYNCTL" fuzzp 4 "$FUZZ" "$SEED" > "$W/fuzz.out" 2>&1 &
	FP=$!
	(	# rmmod dynamos must fail until fuzzp has printed its summary: it holds the device open
		# until then (and updates are registered most of the time); afterwards an empty table may go
		n=0 bad=0 late=0
		while [ ! -e "$STOP" ] && ! grep -q '^fuzzp: procs=' "$W/fuzz.out"; do
			if rmmod dynamos 2> /dev/null; then
				if grep -q '^fuzzp: procs=' "$W/fuzz.out"; then
					late=$((late + 1))
				else
					bad=$((bad + 1))
					echo "reliability: rmmod dynamos succeeded during fuzzing"
				fi
				insmod "$FRAMEWORK"
			fi
			n=$((n + 1))
			sleep 0.2
		done
		echo "attempts=$n succeeded=$bad after_fuzzing=$late" > "$W/rmmod.count"
	) &
	P3=$!
	wait $FP
	rc=$?
	touch "$STOP"
	wait $P1 $P2 $P3
	cat "$W/fuzz.out"
	expect_eq "a: dynctl fuzzp exit status" "$rc" 0
	line=$(grep '^fuzzp: procs=' "$W/fuzz.out")
	[ -n "$line" ] || fail "a: no fuzz summary"
	for pair in ${line#fuzzp: }; do val "fuzz_${pair%%=*}" "${pair#*=}"; done
	expect_eq "a: fuzz unexpected errnos" "$(kv unexpected "${line#fuzzp: }")" 0
	expect_eq "a: fuzz processes that died" "$(kv dead "${line#fuzzp: }")" 0
	val fuzz_errnos "$(sed -n 's/^fuzzp: errnos: //p' "$W/fuzz.out" | tr ' ' ',')"
	for f in status modules rmmod; do
		if ! read -r line < "$W/$f.count"; then
			fail "a: the $f loop died"
			continue
		fi
		echo "$f: $line"
		for pair in $line; do val "fuzz_${f}_${pair%%=*}" "${pair#*=}"; done
	done
	expect_eq "a: inconsistent tables during fuzzing" "$(get inconsistent "$W/status.count")" 0
	expect_eq "a: rmmod dynamos during fuzzing" "$(get succeeded "$W/rmmod.count")" 0
	cat /dev/dynamos > "$W/status.a"
	cat "$W/status.a"
	r=$(table_check "$W/status.a")
	val fuzz_table_after "$r"
	expect_eq "a: table after fuzzing" "$r" ok
	val fuzz_versions_after "$(sed 1,2d "$W/status.a" | wc -l)"
	if [ "$(sed 1,2d "$W/status.a" | wc -l)" -gt 0 ]; then
		rmmod dynamos 2> /dev/null && fail "a: rmmod dynamos succeeded with updates registered"
	fi
	clear_hooks
	out=$("$DYNCTL" stop 10000)
	rc=$?
	echo "stop: $out"
	val fuzz_stop "$rc"
	if [ $rc != 0 ]; then
		fail "a: dynctl stop after fuzzing: $out"
		echo release > /proc/dynamos_test_update 2> /dev/null
		"$DYNCTL" stop 60000 || fail "a: second dynctl stop"
	fi
	expect_eq "a: rows after stop" "$("$DYNCTL" status | sed 1,2d | wc -l)" 0
	framework_end a
	unload a dynamos_stress dynamos_test_update dynamos_target dynamos
	val fuzz_ms $(($(now_ms) - T0))
}

# ---- b) switching under load -------------------------------------------------------------
part_b() {
	echo "== b) switching under load: 2 callers, $SWITCH switching operations"
	framework_start b || return
	b_alloc0=$(allocs)
	insmod "$STRESS" || { fail "b: insmod stress"; return; }
	echo "live 1" > /proc/dynamos_stress || fail "b: live 1"
	out=$("$DYNCTL" register stress 1 dynamos_stress_fn)
	if [ "$out" != "ok 1" ]; then
		fail "b: register the original: $out"
		unload b dynamos_stress dynamos
		return
	fi
	rmmod dynamos 2> /dev/null && fail "b: rmmod dynamos succeeded with an update registered"
	# Target modules are not pinned: unloading this one leaves the update waiting for it.
	if rmmod dynamos_stress 2> /dev/null; then
		expect_eq "b: target absent after rmmod" "$("$DYNCTL" status | awk '$1 == "stress" {print $14}')" absent
		insmod "$STRESS" || { fail "b: insmod stress again"; unload b dynamos; return; }
		echo "live 1" > /proc/dynamos_stress || fail "b: live 1 again"
		expect_eq "b: target loaded again" "$("$DYNCTL" status | awk '$1 == "stress" {print $14}')" loaded
	else
		fail "b: rmmod dynamos_stress refused: the module of an updated function is not pinned"
	fi
	STOP=$W/stop.b
	PIN0= PIN1= PIN2=
	if [ "$(nproc)" -ge 3 ] && taskset -c 0 true 2> /dev/null; then
		PIN0="taskset -c 0" PIN1="taskset -c 1" PIN2="taskset -c 2"
	fi
	# caller: N -1 asks the handler for versions 0..33 in turn; N 0 runs the active version
	$PIN0 sh -c 'n=0; while [ ! -e "$1" ]; do echo "10000 -1 0" > /proc/dynamos_stress || exit 1; n=$((n + 1)); done; echo $n > "$2"' \
		caller "$STOP" "$W/caller0" &
	C0=$!
	$PIN1 sh -c 'n=0; while [ ! -e "$1" ]; do echo "10000 0 0" > /proc/dynamos_stress || exit 1; n=$((n + 1)); done; echo $n > "$2"' \
		caller "$STOP" "$W/caller1" &
	C1=$!
	T1=$(now_ms)
	$PIN2 "$DYNCTL" switch "$SWITCH" "$SEED" > "$W/switch.out" 2>&1
	rc=$?
	T2=$(now_ms)
	touch "$STOP"
	wait $C0 || fail "b: caller 0 failed"
	wait $C1 || fail "b: caller 1 failed"
	cat "$W/switch.out"
	expect_eq "b: dynctl switch exit status" "$rc" 0
	line=$(grep '^switch: ops=' "$W/switch.out")
	[ -n "$line" ] || fail "b: no switch summary"
	for pair in ${line#switch: }; do val "switch_${pair%%=*}" "${pair#*=}"; done
	line=$(grep '^switch: latency_ms' "$W/switch.out")
	for pair in ${line#switch: latency_ms}; do val "switch_ms_${pair%%=*}" "${pair#*=}"; done
	S=$W/stress.b
	cat /proc/dynamos_stress > "$S"
	cat "$S"
	cat /dev/dynamos > "$W/status.b"
	cat "$W/status.b"
	calls=$(get calls "$S")
	sum=0
	for v in 1 2 3 4; do
		h=$(get hits$v "$S")
		val "switch_hits$v" "$h"
		sum=$((sum + h))
	done
	val switch_calls "$calls"
	val switch_hits_sum "$sum"
	val switch_ghost "$(get ghost "$S")"
	val switch_bad "$(get bad "$S")"
	val switch_handler_calls "$(get handler "$S")"
	val switch_call_ms $((T2 - T1))
	expect_eq "b: calls made == sum of hits" "$sum" "$calls"
	expect_eq "b: ghost calls (in removed versions)" "$(get ghost "$S")" 0
	expect_eq "b: results of no version" "$(get bad "$S")" 0
	r=$(table_check "$W/status.b")
	expect_eq "b: table after switching" "$r" ok
	# CALLS of each registered version == the stress module's hits since its registration
	rows=$(awk '$1 == "stress" && $2 == 1 { print $7 ":" $6 ":" $3 }' "$W/status.b")
	checked=0
	for row in $rows; do
		f=${row%%:*} c=${row#*:}; c=${c%%:*}
		case $f in
		dynamos_stress_fn) s=1;;
		dynamos_stress_fn_v[234]) s=${f#dynamos_stress_fn_v};;
		*) fail "b: unknown version $f"; continue;;
		esac
		since=$(get since$s "$S")
		val "switch_framework_calls_$f" "$c"
		val "switch_since_$f" "$since"
		expect_eq "b: framework CALLS of $f == its hits since registration" "$c" "$since"
		checked=$((checked + 1))
	done
	val switch_versions_checked "$checked"
	[ "$checked" -ge 1 ] || fail "b: no version of stress/1 in the table"
	out=$("$DYNCTL" stop 10000)
	rc=$?
	echo "stop: $out"
	val switch_stop "$rc"
	[ $rc = 0 ] || fail "b: dynctl stop: $out"
	framework_end b
	unload b dynamos_stress dynamos
	val switch_part_ms $(($(now_ms) - T0))
}

# ---- c) removal under fire -------------------------------------------------------------------
part_c() {
	echo "== c) removal under fire: $FIRE iterations"
	framework_start c || return
	c_alloc0=$(allocs)
	insmod "$TARGET" || { fail "c: insmod target"; return; }
	insmod "$UPDATE" || { fail "c: insmod update"; return; }
	SLEEPERS=dynamos_target_fn_sleep
	for f in dynamos_target_fn_tail dynamos_target_fn_cold; do
		if awk -v f=$f '$3 == f { found = 1 } END { exit !found }' /proc/kallsyms; then
			SLEEPERS="$SLEEPERS $f"
		fi
	done
	SLEEPY=
	awk '$3 == "dynamos_target_sleepy" { found = 1 } END { exit !found }' /proc/kallsyms && SLEEPY=1
	inuse_seen=0 inuse_missed=0
	echo "sleeping versions: $SLEEPERS${SLEEPY:+; IN_USE of the original dynamos_target_sleepy}"
	val fire_versions "$(echo $SLEEPERS | tr ' ' ',')"
	SHORT=${FIRE_TIMEOUT_MS:-100}
	# busy_refusal MESSAGE: the refusal is the quiescence check's (it names the busy tasks)
	busy_refusal() { case $1 in *"not quiescent"*) return 0;; esac; return 1; }
	U=/proc/dynamos_test_update
	refused=0 allowed=0 removed=0 iters=0 errors=0
	# sleep_in FUNCTION VERSION SLEEPERS: activate the version, start a kernel thread that
	# calls dynamos_target_fn and so sleeps in it, wait until SLEEPERS tasks sleep
	sleep_in() {
		out=$("$DYNCTL" activate r 1 "$2") || { fail "c$i: activate $1: $out"; return 1; }
		# 777: dynamos_target_fn_cold sleeps in its .cold part only for this argument
		echo "thread 777 $i" > /proc/dynamos_target || { fail "c$i: thread"; return 1; }
		wait_for sleepers "$3" $U || { fail "c$i: no task sleeps in $1 (sleepers $(get sleepers $U))"; return 1; }
	}
	# refuse WHAT VERSION: the removal must be refused by the quiescence check
	refuse() {
		out=$("$DYNCTL" deregister r 1 "$2" "$SHORT")
		rc=$?
		if [ $rc = 16 ] && busy_refusal "$out"; then
			refused=$((refused + 1))
		elif [ $rc = 0 ]; then
			allowed=$((allowed + 1))
			[ $allowed -le 3 ] && fail "c$i: $1 removed while a task sleeps in it: $out"
			return 0	# counted; the iteration goes on
		else
			fail "c$i: deregister $1: rc $rc: $out"
			return 1
		fi
	}
	# remove WHAT VERSION: after the release the removal must succeed
	remove() {
		out=$("$DYNCTL" deregister r 1 "$2" 5000) || { fail "c$i: deregister $1 after release: $out"; return 1; }
		removed=$((removed + 1))
	}
	release() {
		echo release > $U || { fail "c$i: release"; return 1; }
		wait_for threads 0 /proc/dynamos_target || { fail "c$i: threads did not finish"; return 1; }
	}
	i=0
	while [ $i -lt "$FIRE" ]; do
		i=$((i + 1))
		ok=1
		out=$("$DYNCTL" register r 1 dynamos_target_fn) || { fail "c$i: register original: $out"; break; }
		# all sleeping versions at once, a task asleep in each
		nums= k=0
		for f in $SLEEPERS; do
			out=$("$DYNCTL" register r 1 "$f") || { fail "c$i: register $f: $out"; ok=0; continue; }
			n=${out#ok }
			sleep_in "$f" "$n" $((k + 1)) || ok=0
			k=$((k + 1))
			nums="$nums $f:$n"
		done
		out=$("$DYNCTL" activate r 1 1) || { fail "c$i: activate v1: $out"; ok=0; }
		# each version whose own code (or .cold piece) the task is in: refused; a version
		# left by a tail call only counts while others keep its module (phase 2 below)
		for fn in $nums; do
			case ${fn%%:*} in *_tail) continue;; esac
			refuse "${fn%%:*}" "${fn#*:}" || ok=0
		done
		refuse "the whole update" 0 || ok=0
		if rmmod dynamos_test_update 2> /dev/null; then fail "c$i: rmmod of the update module with tasks inside succeeded"; ok=0; fi
		release || ok=0
		for fn in $nums; do
			case ${fn%%:*} in *_tail) continue;; esac
			remove "${fn%%:*}" "${fn#*:}" || ok=0
		done
		# the tail-calling version as its module's last version: its whole text is checked
		for fn in $nums; do
			case ${fn%%:*} in *_tail) ;; *) continue;; esac
			sleep_in "${fn%%:*}" "${fn#*:}" 1 || ok=0
			out=$("$DYNCTL" activate r 1 1) || { fail "c$i: activate v1: $out"; ok=0; }
			refuse "${fn%%:*} (the module's last version)" "${fn#*:}" || ok=0
			if rmmod dynamos_test_update 2> /dev/null; then fail "c$i: rmmod of the update module with a task in a helper succeeded"; ok=0; fi
			release || ok=0
			remove "${fn%%:*}" "${fn#*:}" || ok=0
		done
		remove "the whole update" 0 || ok=0
		if [ -n "$SLEEPY" ]; then
			# IN_USE of an original (version 1) sees a task asleep in its .cold part
			out=$("$DYNCTL" register s 1 dynamos_target_sleepy) || { fail "c$i: register sleepy: $out"; ok=0; }
			echo "sleepy 777 $i" > /proc/dynamos_target || { fail "c$i: sleepy thread"; ok=0; }
			wait_for sleepy 1 /proc/dynamos_target || { fail "c$i: no task sleeps in dynamos_target_sleepy"; ok=0; }
			out=$("$DYNCTL" in-use s 1 1 0)
			if [ "$out" = "ok 0" ]; then
				inuse_missed=$((inuse_missed + 1))
				[ $inuse_missed = 1 ] && fail "c$i: IN_USE of the original misses a task in its .cold part: $out"
			elif [ "${out#ok }" != "$out" ]; then
				inuse_seen=$((inuse_seen + 1))
			else
				fail "c$i: in-use: $out"; ok=0
			fi
			echo release > /proc/dynamos_target || { fail "c$i: release sleepy"; ok=0; }
			wait_for sleepy 0 /proc/dynamos_target || { fail "c$i: sleepy thread did not wake"; ok=0; }
			out=$("$DYNCTL" in-use s 1 1 5000)
			[ "$out" = "ok 0" ] || { fail "c$i: in-use after release: $out"; ok=0; }
			out=$("$DYNCTL" deregister s 1 0 5000) || { fail "c$i: deregister s/1: $out"; ok=0; }
		fi
		rmmod dynamos_test_update || { fail "c$i: rmmod update"; ok=0; }
		insmod "$UPDATE" || { fail "c$i: insmod update"; ok=0; break; }
		[ $ok = 1 ] || errors=$((errors + 1))
		[ $ok = 1 ] || [ $errors -lt 5 ] || { echo "reliability: too many failed iterations, part c stops"; break; }
		iters=$i
		[ $((i % 100)) = 0 ] && echo "c: $i iterations, $(($(now_ms) - T0)) ms"
	done
	val fire_iterations "$iters"
	val fire_refused "$refused"
	val fire_allowed_while_busy "$allowed"
	val fire_removed_after_release "$removed"
	val fire_failed_iterations "$errors"
	val fire_inuse_cold_seen "$inuse_seen"
	val fire_inuse_cold_missed "$inuse_missed"
	expect_eq "c: removals allowed while a task was inside" "$allowed" 0
	expect_eq "c: iterations" "$iters" "$FIRE"
	"$DYNCTL" stop 10000 > /dev/null || fail "c: dynctl stop"
	framework_end c
	unload c dynamos_test_update dynamos_target dynamos
	val fire_ms $(($(now_ms) - T0))
}

for part in a b c; do
	want $part || continue
	T0=$(now_ms)
	part_$part
done

# ---- d) leaks: after -----------------------------------------------------------------------
echo "== d) leaks"
slab "$W/slab.after"
val percpu_kb_after "$(percpu)"
total=0
while read -r name n size; do
	before=$(awk -v c="$name" '$1 == c { print $2 }' "$W/slab.before")
	val "slab_${name}_before" "${before:-0}"
	val "slab_${name}_after" "$n"
	total=$((total + (n - ${before:-0}) * size))
done < "$W/slab.after"
val slab_kmalloc_delta_bytes "$total"
for m in dynamos dynamos_target dynamos_test_update dynamos_stress; do
	loaded $m && fail "d: $m still loaded"
done
p=$(kernel_problems)
val kernel_problems "$p"
expect_eq "kernel log problems" "$p" 0
val total_ms $(($(now_ms) - T_ALL))
val failures "$FAILURES"
echo "== reliability campaign done: $FAILURES failures"
[ "$FAILURES" = 0 ]
