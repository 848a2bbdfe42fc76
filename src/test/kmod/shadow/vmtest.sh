#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-VM test of the shadow data API (dynamos_shadow_*) with
# dynamos_test_shadow.ko.  Run inside the guest:
#   ./dynamos vm -- bash src/test/kmod/shadow/vmtest.sh [TEST...]
# Tests: api contexts stress handler unload global race keep exit (default:
# all; exit unloads and reloads both modules).  api..unload test the
# per-update tables, global..exit the framework-wide namespace <object, id>.  "handler" needs
# src/test/kmod/target/dynamos_target.ko and src/test/kmod/ctl/dynctl built
# and is skipped (SKIP line, not a failure) without them.
# Prints PASS/FAIL lines; exit status = number of failures.
# dynamos.framework.ClientSuitesIT runs it with the modules and dynctl it built
# (FRAMEWORK, SHADOW, TARGET, DYNCTL); by hand, they default to in-tree builds.
R=$(cd "$(dirname "$0")/../../../.." && pwd)
T=$R/src/test/kmod
FRAMEWORK=${FRAMEWORK:-$R/kernel/dynamos.ko}
S=${SHADOW:-$T/shadow/dynamos_test_shadow.ko}
TARGET=${TARGET:-$T/target/dynamos_target.ko}
C=${DYNCTL:-$T/ctl/dynctl}
P=/proc/dynamos_test_shadow
A=/sys/module/dynamos/parameters/allocations
FAILS=0
LOG0=$(dmesg | wc -l)	# kernel log lines before this run
# runlog: the kernel log of this run
runlog() { dmesg | tail -n +$((LOG0 + 1)); }

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
# eq WHAT GOT WANT
eq() { if [ "$2" = "$3" ]; then pass "$1 = $3"; else fail "$1: got '$2', want '$3'"; fi; }
field() { head -1 "$2" | tr " " "\n" | sed -n "s/^$1=//p"; }
# cmd "COMMAND": write it, print the state, fail if the module counted a failure
cmd() {
	if ! echo "$1" > $P; then fail "write '$1'"; return; fi
	LAST=$(head -1 $P)	# the state before a reset
	echo "  [$1] $LAST"
	local f; f=$(field failures $P)
	if [ "$f" = 0 ]; then pass "$1"; else
		fail "$1: $f failure(s): $(sed -n 's/^first_failure: //p' $P)"
		echo reset > $P
	fi
}
setup() {
	lsmod | grep -q '^dynamos ' || insmod "$FRAMEWORK" || exit 100
	lsmod | grep -q '^dynamos_test_shadow ' || insmod $S || exit 100
}

t_api() {
	echo "== api: create/find/remove/cleanup, errors, compat names"
	cmd errors
	cmd compat
	cmd "create 1000"
	eq "count after create 1000" "$(field count $P)" 1000
	cmd find
	cmd "create 1500"
	eq "count after create 1500 (1000 existed)" "$(field count $P)" 1500
	cmd "remove 700"
	eq "count after remove 700" "$(field count $P)" 800
	cmd find
	cmd "remove 2000"
	eq "count after remove all" "$(field count $P)" 0
	cmd "create 5000"
	cmd cleanup
	eq "cleanup freed" "$(field cleaned $P)" 5000
	eq "count after cleanup" "$(field count $P)" 0
	cmd find
	cmd "create 10"
	cmd find
	cmd "remove 10"
	if echo "bogus" > $P 2>/dev/null; then fail "unknown command accepted"; else pass "unknown command rejected"; fi
}

t_contexts() {
	echo "== contexts: hardirq find, softirq create/remove, table lock"
	cmd contexts
	cmd contexts
}

t_stress() {
	echo "== stress: kthreads racing, reader kthread, hardirq reader, softirq writer"
	cmd "create 100"
	cmd "stress 10000"
	eq "stress left the table as it was" "$(field count $P)" 100
	local h; h=$(field hardirq_finds $P)
	if [ "${h:-0}" -gt 0 ]; then pass "hardirq finds ran ($h)"; else fail "no hardirq finds"; fi
	cmd "stress 100000"
	cmd "stress 1"
	cmd find
	cmd "remove 100"
}

t_handler() {
	echo "== handler: shadow lookup in the ftrace callback picks the version"
	if [ ! -x "$C" ] || [ ! -f "$TARGET" ]; then
		echo "SKIP: handler (build src/test/kmod/ctl and src/test/kmod/target)"
		return
	fi
	lsmod | grep -q '^dynamos_target ' || insmod "$TARGET" || { fail "insmod target"; return; }
	local out
	out=$($C register sh 1 dynamos_target_fn 2>&1); eq "register v1" "$out" "ok 1"
	out=$($C register sh 1 dynamos_test_shadow:dynamos_test_shadow_target_v2 2>&1); eq "register v2" "$out" "ok 2"
	out=$($C rule sh 1 dynamos_test_shadow:dynamos_test_shadow_handler 2>&1); eq "set handler" "${out%% *}" "ok"
	cmd reset
	cmd "setver 5 2"
	echo "10 5 1" > /proc/dynamos_target; eq "object 5 has version 2 in its shadow" "$(field last /proc/dynamos_target)" 1006
	echo "10 6 1" > /proc/dynamos_target; eq "object 6 has no shadow: active v1" "$(field last /proc/dynamos_target)" 7
	eq "handler lookups" "$(field handler_finds $P)" 20
	eq "handler hits" "$(field handler_hits $P)" 10
	cmd "remove 6"
	echo "10 5 1" > /proc/dynamos_target; eq "shadow removed: v1" "$(field last /proc/dynamos_target)" 6
	cmd "setver 5 2"
	# handler lookups while shadows come and go, on both CPUs
	(echo "200000 5 1" > /proc/dynamos_target) &
	(echo "200000 5 1" > /proc/dynamos_target) &
	for i in 1 2 3 4 5 6 7 8 9 10; do cmd "remove 6"; cmd "setver 5 2"; done
	wait
	cmd "remove 6"
	out=$($C deregister sh 1 0 2>&1); eq "deregister" "${out%% *}" "ok"
	rmmod dynamos_target || fail "rmmod dynamos_target"
}

t_unload() {
	echo "== unload with shadows left: module exit frees them"
	cmd "create 300"
	if rmmod dynamos_test_shadow; then pass "rmmod with 300 shadows"; else fail "rmmod"; fi
	dmesg | grep -q "shadow table tbl \[dynamos_test_shadow\]: freed 300 remaining" &&
		pass "cleanup reported 300" || fail "no cleanup message"
	insmod $S || fail "insmod again"
	eq "fresh table" "$(field count $P)" 0
}

t_global() {
	echo "== global: namespace <object, id>: get, alloc, get_or_alloc, free, free_all, count"
	local a0 d0; a0=$(cat $A); d0=$(( $(field gctor $P) - $(field gdtor $P) ))
	cmd global
	cmd global	# again: the first run left nothing behind
	eq "framework allocations after global" "$(cat $A)" "$a0"
	eq "ctor calls - dtor calls (2 failed ctors per run)" "$(( $(field gctor $P) - $(field gdtor $P) - d0 ))" 4
	runlog | grep -q "dynamos: shadow <.*, id 0x[0-9a-f]*> exists already: alloc refused" &&
		pass "alloc of an existing shadow logged" || fail "no message for alloc of an existing shadow"
	runlog | grep -q "dynamos: a shadow constructor called" &&
		pass "ctor calling the API logged" || fail "no message for a ctor calling the API"
}

t_race() {
	echo "== race: kthreads get_or_alloc/free the same <object, id>s, softirq adds/frees, hardirq gets"
	local a0; a0=$(cat $A)
	cmd "race 1000"
	local h; h=$(echo "$LAST" | tr " " "\n" | sed -n "s/^hardirq_gets=//p")
	if [ "${h:-0}" -gt 0 ]; then pass "hardirq gets ran ($h)"; else fail "no hardirq gets"; fi
	cmd "race 20000"
	eq "framework allocations after race (losers freed)" "$(cat $A)" "$a0"
}

t_keep() {
	echo "== keep: shadows outlive the module that allocated them"
	cmd "keep 50"
	eq "kept" "$(field kept $P)" 50
	rmmod dynamos_test_shadow || fail "rmmod dynamos_test_shadow"
	insmod $S || { fail "insmod again"; return; }
	eq "kept across the reload" "$(field kept $P)" 50
	cmd "adopt 50"
	eq "adopted and freed" "$(field kept $P)" 0
	eq "dtors of the new module" "$(field gdtor $P)" 50
}

t_exit() {
	echo "== exit: dynamos unloaded with shadows left frees them and says so"
	cmd "keep 5"
	rmmod dynamos_test_shadow || fail "rmmod dynamos_test_shadow"
	rmmod dynamos || fail "rmmod dynamos with 5 shadows"
	runlog | grep -q "dynamos: 5 shadow(s) still present at unload (one is <.*, id 0xd15a0021>); freed without destructor" &&
		pass "unload reported 5 shadows" || fail "no unload message for 5 shadows"
	runlog | grep "allocation(s) not freed at unload" && fail "dynamos leaked at unload"
	setup
	eq "namespace empty after reload" "$(field kept $P)" 0
}

setup
TESTS=${*:-api contexts stress handler unload global race keep exit}
for t in $TESTS; do t_$t; done
rmmod dynamos_test_shadow || fail "rmmod dynamos_test_shadow"
rmmod dynamos || fail "rmmod dynamos"
n=$(runlog | grep -c "shadow(s) still present at unload")
case " $TESTS " in *" exit "*) want=1 ;; *) want=0 ;; esac
eq "unloads with shadows left" "$n" "$want"
runlog | grep "allocation(s) not freed at unload" && fail "dynamos leaked at unload"
dmesg | grep -E "Oops|BUG|WARNING|general protection|lockdep|Call Trace" && fail "kernel log not clean"
echo "failures: $FAILS"
exit $FAILS
