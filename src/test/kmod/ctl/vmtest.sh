#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# In-VM test of dynamos.ko with the test modules.  Run inside the guest:

#   ./dynamos vm -- bash src/test/kmod/ctl/vmtest.sh [TEST...]
# Tests: basic errors stack absent handler hooks quiesce pins stop schedule nonroot group namesake fuzz
# (default: all).  Prints PASS/FAIL lines; exit status = number of failures.
# dynamos.framework.ClientSuitesIT runs it with the modules and dynctl it built
# (FRAMEWORK, TARGET, UPDATE, DYNCTL); by hand, they default to in-tree builds.
R=$(cd "$(dirname "$0")/../../../.." && pwd)
T=$R/src/test/kmod
FRAMEWORK=${FRAMEWORK:-$R/kernel/dynamos.ko}
TARGET=${TARGET:-$T/target/dynamos_target.ko}
UPDATE=${UPDATE:-$T/update/dynamos_test_update.ko}
C=${DYNCTL:-$T/ctl/dynctl}
FAILS=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
# ok CMD...: command must succeed
ok() { local out; out=$("$@" 2>&1); local rc=$?; echo "  \$ ${*#$T/} -> $out";
	[ $rc = 0 ] || fail "expected success: $*"; LAST=$out; }
# err ERRNO CMD...: command must fail with that errno
err() { local e=$1; shift; local out; out=$("$@" 2>&1); local rc=$?; echo "  \$ ${*#$T/} -> $out (rc $rc)";
	[ $rc = $e ] || fail "expected errno $e, got $rc: $*"; LAST=$out; }
# eq WHAT GOT WANT
eq() { if [ "$2" = "$3" ]; then pass "$1 = $3"; else fail "$1: got '$2', want '$3'"; fi; }
field() { tr " " "\n" < "$2" | sed -n "s/^$1=//p"; }
calls() { $C status | awk -v u=$1 -v i=$2 -v v=$3 '$1==u && $2==i && $3==v {print $6}'; }
active() { $C status | awk -v u=$1 -v i=$2 '$1==u && $2==i && $4=="yes" {print $3}'; }
target() { echo "$1 $2 $3" > /proc/dynamos_target; }
setup() {
	lsmod | grep -q '^dynamos ' || insmod "$FRAMEWORK" || exit 100
	lsmod | grep -q '^dynamos_target ' || insmod "$TARGET" || exit 100
	lsmod | grep -q '^dynamos_test_update ' || insmod "$UPDATE" || exit 100
}

t_basic() {
	echo "== basic: versions, activation, exact counters"
	ok $C version
	ok $C register t 1 dynamos_target_fn; eq "first version" "$LAST" "ok 1"
	ok $C register t 1 dynamos_target_fn_v2; eq "v2" "$LAST" "ok 2"
	ok $C register t 1 dynamos_test_update:dynamos_target_fn_v3; eq "v3" "$LAST" "ok 3"
	ok $C register t 1 dynamos_target_fn_wrap; eq "v4" "$LAST" "ok 4"
	target 100 1 2; eq "original result" "$(field last /proc/dynamos_target)" 3
	ok $C activate t 1 2
	target 1000 1 2; eq "v2 result" "$(field sum /proc/dynamos_target)" 1003000
	ok $C activate t 1 3
	target 10 1 2; eq "v3 result" "$(field last /proc/dynamos_target)" 2003
	ok $C activate t 1 4
	target 7 1 2; eq "wrapper result" "$(field last /proc/dynamos_target)" 3003
	eq "wrapper calls" "$(field wrap_calls /proc/dynamos_test_update)" 7
	ok $C activate t 1 1
	target 5 1 2; eq "back to original" "$(field last /proc/dynamos_target)" 3
	eq "v1 calls" "$(calls t 1 1)" 105
	eq "v2 calls" "$(calls t 1 2)" 1000
	eq "v3 calls" "$(calls t 1 3)" 10
	eq "v4 calls" "$(calls t 1 4)" 7
	ok $C deregister t 1 3
	ok $C register t 1 dynamos_target_fn_v3; eq "hole stays, next is 5" "$LAST" "ok 5"
	ok $C deregister t 1 5
	ok $C register t 1 dynamos_target_fn_v3; eq "highest+1 reused" "$LAST" "ok 5"
	eq "fresh counter" "$(calls t 1 5)" 0
	$C status
	ok $C deregister t 1 0
	eq "table empty" "$($C status | wc -l)" 2
}

t_errors() {
	echo "== errors: each with a message, nothing changed"
	ok $C register t 1 dynamos_target_fn
	err 2 $C register e 1 no_such_function
	err 2 $C register e 1 dynamos_target:no_such_function
	err 8 $C register e 1 jiffies
	err 95 $C register e 1 __schedule
	local dup; dup=$(awk '$2 ~ /^[tT]$/ {print $3}' /proc/kallsyms | sort | uniq -d | grep -v '\.' | head -1)
	echo "  (duplicate symbol: $dup)"
	err 76 $C register e 1 "$dup"
	ok $C register t 1 dynamos_target_fn_v2
	err 16 $C register e 1 dynamos_target_fn_v2
	case $LAST in *"version 2 of update t/1"*) pass "a version cannot be updated itself";;
		*) fail "message: $LAST";; esac
	ok $C deregister t 1 2
	err 17 $C register t 1 dynamos_target_fn
	eq "original of a framework function by name" "$(field framework_original /proc/dynamos_test_update)" 1
	err 95 $C register e 1 dynamos:dyn_cmd_stop
	case $LAST in *"redirection, removal or command path"*) pass "framework path refused, saying why";;
		*) fail "message: $LAST";; esac
	err 22 $C register "a b" 1 dynamos_target_fn
	err 22 $C register t 1 dynamos:dyn_cmd_stop
	err 2 $C activate t 1 2
	err 2 $C activate t 2 1
	err 22 $C deregister t 1 1
	err 2 $C deregister t 1 7
	err 22 $C activate t 1 33
	err 8 $C rule t 1 schedule
	err 2 $C rule t 1 nothing_here
	err 22 $C hook 9 t 1 1 dynamos_test_pre_activation
	err 2 $C hook pre-activation t 1 2 dynamos_test_pre_activation
	err 8 $C call schedule
	ok $C call dynamos_test_init; eq "CALL result" "$LAST" "ok 42"
	eq "only t/1 left" "$($C status | sed 1,2d | wc -l)" 1
	ok $C deregister t 1 0
}

t_handler() {
	echo "== adaptation handler: per call, by argument and by pid"
	ok $C register h 1 dynamos_target_fn
	ok $C register h 1 dynamos_target_fn_v2
	ok $C register h 1 dynamos_target_fn_v3
	ok $C rule h 1 dynamos_test_handler_arg
	target 10 2 0; eq "a=2 -> v2" "$(field last /proc/dynamos_target)" 1002
	target 10 3 0; eq "a=3 -> v3" "$(field last /proc/dynamos_target)" 2003
	target 10 5 0; eq "a=5 (no v5) -> active" "$(field last /proc/dynamos_target)" 5
	target 10 1 0; eq "a=1 -> active v1" "$(field last /proc/dynamos_target)" 1
	eq "v1 calls" "$(calls h 1 1)" 20
	eq "v2 calls" "$(calls h 1 2)" 10
	eq "v3 calls" "$(calls h 1 3)" 10
	target 1 99 0; eq "a=99 sets active v2 from the handler" "$(active h 1)" 2
	eq "... and this call already ran v2" "$(field last /proc/dynamos_target)" 1099
	ok $C rule h 1 0
	target 10 3 0; eq "no handler: active v2" "$(field last /proc/dynamos_target)" 1003
	ok $C rule h 1 dynamos_test_handler_pid
	echo 3 > /sys/module/dynamos_test_update/parameters/handler_pid_version
	bash -c 'echo $$ > /sys/module/dynamos_test_update/parameters/handler_pid; echo "10 1 1" > /proc/dynamos_target'
	eq "pid handler: this pid -> v3" "$(field last /proc/dynamos_target)" 2002
	target 10 1 1; eq "other pid -> active v2" "$(field last /proc/dynamos_target)" 1002
	# concurrent: two processes, different versions at the same time
	ok $C rule h 1 dynamos_test_handler_arg
	ok $C activate h 1 1
	(echo "200000 2 0" > /proc/dynamos_target) & (echo "200000 3 0" > /proc/dynamos_target) & wait
	eq "concurrent v2 calls" "$(calls h 1 2)" $((10 + 1 + 10 + 10 + 200000))
	eq "concurrent v3 calls" "$(calls h 1 3)" $((10 + 10 + 200000))
	echo "-- handlers set and cleared more often than there are keyed handler paths (8)"
	local i bad=0 path
	for i in $(seq 1 12); do
		$C rule h 1 dynamos_test_handler_arg > /dev/null || bad=$((bad + 1))
		path=$($C status | awk '$1 == "h" && $3 == 1 {print $NF}')
		target 1 3 0; [ "$(field last /proc/dynamos_target)" = 2003 ] && [ "$path" = handler ] || bad=$((bad + 1))
		$C rule h 1 0 > /dev/null || bad=$((bad + 1))
		path=$($C status | awk '$1 == "h" && $3 == 1 {print $NF}')
		target 1 3 0; [ "$(field last /proc/dynamos_target)" = 3 ] && [ "$path" = fast ] || bad=$((bad + 1))
	done
	eq "12 handler set/clear rounds, each call right, PATH right" "$bad" 0
	ok $C deregister h 1 0
}

t_hooks() {
	echo "== hooks: order, failing pre-activation hook"
	ok $C register k 1 dynamos_target_fn
	ok $C register k 1 dynamos_target_fn_v2
	ok $C register k 1 dynamos_target_fn_v3
	for h in pre-activation post-activation pre-removal post-removal; do
		ok $C hook $h k 1 2 dynamos_test_${h/-/_}
	done
	$C status | grep "^k 1 2"
	dmesg -C
	ok $C activate k 1 2
	# The active version is never removed: activate another first.
	ok $C activate k 1 1
	ok $C deregister k 1 2
	local order; order=$(dmesg | sed -n 's/.*dynamos_test_update: hook \([a-z_]*\).*/\1/p' | tr '\n' ' ')
	eq "hook order" "$order" "pre_activation post_activation pre_removal post_removal "
	eq "v1 stays active after the removal" "$(active k 1)" 1
	ok $C hook pre-activation k 1 3 dynamos_test_pre_activation_fail
	echo 13 > /sys/module/dynamos_test_update/parameters/fail_pre_activation
	err 13 $C activate k 1 3
	eq "failed activation changed nothing" "$(active k 1)" 1
	echo 0 > /sys/module/dynamos_test_update/parameters/fail_pre_activation
	ok $C activate k 1 3
	eq "activation after hook succeeds" "$(active k 1)" 3
	ok $C hook pre-activation k 1 3 0
	$C status | grep "^k 1 3"
	ok $C activate k 1 1
	ok $C deregister k 1 0
}

t_quiesce() {
	echo "== quiescence: removal refused while a kthread sleeps in a version"
	ok $C register q 1 dynamos_target_fn
	ok $C register q 1 dynamos_target_fn_v2
	ok $C register q 1 dynamos_target_fn_sleep
	ok $C activate q 1 3
	echo "thread 1 2" > /proc/dynamos_target
	sleep 1
	eq "sleepers" "$(field sleepers /proc/dynamos_test_update)" 1
	# The active version is never removed, so v2 takes new calls while v3's removal is tried.
	ok $C activate q 1 2
	err 16 $C deregister q 1 3 500
	echo "$LAST" | grep -q "dynamos_target_fn_sleep" && pass "message names the busy task and function" || fail "message: $LAST"
	eq "active version unchanged after refusal" "$(active q 1)" 2
	$C status | grep -q "^q 1 3 no live" && pass "state restored" || fail "state not restored"
	ok $C activate q 1 1
	err 16 $C deregister q 1 0 300
	eq "whole update kept" "$($C status | grep -c '^q 1 ')" 3
	ok $C activate q 1 2
	target 3 1 2; eq "new calls still work meanwhile" "$(field last /proc/dynamos_target)" 1003
	err 1 rmmod dynamos_test_update
	echo release > /proc/dynamos_test_update
	sleep 1
	eq "thread left the version" "$(field thread_last /proc/dynamos_target)" 5003
	ok $C deregister q 1 3 2000
	echo "-- pre-removal hook releases the sleeper"
	ok $C register q 1 dynamos_target_fn_sleep
	ok $C activate q 1 3
	echo "thread 4 5" > /proc/dynamos_target
	sleep 1
	eq "sleepers" "$(field sleepers /proc/dynamos_test_update)" 1
	ok $C hook pre-removal q 1 3 dynamos_test_release
	ok $C activate q 1 1
	ok $C deregister q 1 0 5000
	sleep 0.5
	eq "thread result" "$(field thread_last /proc/dynamos_target)" 5009
	eq "table empty" "$($C status | wc -l)" 2
}

t_pins() {
	echo "== module pinning"
	ok $C register p 1 dynamos_target_fn
	ok $C register p 1 dynamos_target_fn_v2
	err 1 rmmod dynamos_test_update
	ok $C deregister p 1 2
	ok rmmod dynamos_test_update
	err 1 rmmod dynamos
	ok $C deregister p 1 0
	ok rmmod dynamos_target
	ok rmmod dynamos
	setup
}

# status columns of <name,id>'s version 1: STACK and TARGET
stack() { $C status | awk -v u=$1 -v i=$2 '$1==u && $2==i && $3==1 {print $13, $14}'; }

t_stack() {
	echo "== stacking: two updates on one function"
	ok $C register a 1 dynamos_target_fn
	ok $C register a 1 dynamos_target_fn_v2
	ok $C activate a 1 2
	target 10 1 2; eq "a's version 2" "$(field last /proc/dynamos_target)" 1003
	ok $C register b 1 dynamos_target:dynamos_target_fn; eq "b stacked, version 1" "$LAST" "ok 1"
	eq "a's place" "$(stack a 1)" "1/2 loaded"
	eq "b's place" "$(stack b 1)" "2/2 loaded"
	target 10 1 2; eq "b's version 1 falls through to a's choice" "$(field last /proc/dynamos_target)" 1003
	ok $C register b 1 dynamos_target_fn_v3
	ok $C activate b 1 2
	target 10 1 2; eq "b's version 2 runs" "$(field last /proc/dynamos_target)" 2003
	eq "a v2 calls" "$(calls a 1 2)" 20
	eq "b v1 calls" "$(calls b 1 1)" 10
	eq "b v2 calls" "$(calls b 1 2)" 10
	err 16 $C register c 1 dynamos_target_fn_v3
	ok $C activate a 1 1
	target 10 1 2; eq "a below switched: b still decides" "$(field last /proc/dynamos_target)" 2003
	ok $C activate a 1 2
	ok $C activate b 1 1
	ok $C deregister b 1 0
	eq "a alone again" "$(stack a 1)" "1/1 loaded"
	target 10 1 2; eq "reverting the top gives back a's choice" "$(field last /proc/dynamos_target)" 1003
	eq "a's counter continues" "$(calls a 1 2)" 30
	ok $C register b 1 dynamos_target_fn
	ok $C register b 1 dynamos_target_fn_wrap
	ok $C activate b 1 2
	ok $C activate a 1 1
	ok $C deregister a 1 0
	eq "bottom removed from beneath" "$(stack b 1)" "1/1 loaded"
	target 10 1 2; eq "b's wrapper" "$(field last /proc/dynamos_target)" 3003
	ok $C activate b 1 1
	target 10 1 2; eq "original" "$(field last /proc/dynamos_target)" 3
	ok $C deregister b 1 0
	eq "table empty" "$($C status | wc -l)" 2
}

t_absent() {
	echo "== module targets that come and go"
	ok rmmod dynamos_test_update dynamos_target
	ok $C register m 1 dynamos_target:dynamos_target_fn; eq "accepted while absent" "$LAST" "ok 1"
	eq "absent" "$(stack m 1)" "1/1 absent"
	err 2 $C register x 1 dynamos_target_fn
	ok $C register n 1 dynamos_target:dynamos_target_fn; eq "stacked while absent" "$(stack n 1)" "2/2 absent"
	ok insmod "$TARGET"
	eq "redirected when it loads" "$(stack m 1)" "1/2 loaded"
	target 5 1 2; eq "original" "$(field last /proc/dynamos_target)" 3
	eq "calls through the redirection" "$(calls n 1 1)" 5
	ok rmmod dynamos_target
	eq "not pinned; absent again" "$(stack n 1)" "2/2 absent"
	ok insmod "$TARGET"
	ok insmod "$UPDATE"
	ok $C register n 1 dynamos_target_fn_v2
	ok $C activate n 1 2
	target 3 1 2; eq "back, with n's version 2" "$(field last /proc/dynamos_target)" 1003
	eq "n v1 counter continued" "$(calls n 1 1)" 5
	ok $C activate n 1 1
	ok $C deregister n 1 0
	ok rmmod -f dynamos_test_update dynamos_target
	eq "forced unload: absent" "$(stack m 1)" "1/1 absent"
	ok $C deregister m 1 0
	eq "table empty" "$($C status | wc -l)" 2
	setup
}

t_stop() {
	echo "== STOP with active updates"
	ok $C register s 1 dynamos_target_fn
	ok $C register s 1 dynamos_target_fn_v2
	ok $C hook pre-activation s 1 1 dynamos_test_pre_activation
	ok $C activate s 1 2
	ok $C register s 2 dynamos_test_update:dynamos_test_schedule
	ok $C register s 2 dynamos_test_update:dynamos_test_init
	dmesg -C
	ok $C stop; eq "STOP result" "$LAST" "ok 2"
	dmesg | grep -q "hook pre_activation" && pass "deactivation ran v1 hook" || fail "no v1 hook"
	eq "table empty" "$($C status | wc -l)" 2
	echo "-- STOP stops at a busy update"
	ok $C register s 1 dynamos_target_fn
	ok $C register s 1 dynamos_target_fn_sleep
	ok $C register s 3 dynamos_test_update:dynamos_test_init
	ok $C activate s 1 2
	echo "thread 1 1" > /proc/dynamos_target
	sleep 1
	err 16 $C stop 300
	echo "$LAST" | grep -q "s/1" && pass "error names the update" || fail "message: $LAST"
	eq "s/3 removed first, s/1 kept" "$($C status | sed 1,2d | awk '{print $1"/"$2}' | sort -u | tr '\n' ' ')" "s/1 "
	echo release > /proc/dynamos_test_update
	ok $C stop
	ok rmmod dynamos_test_update dynamos_target dynamos
	setup
}

t_schedule() {
	echo "== redirect schedule through a wrapper calling the original"
	ok $C register sch 1 schedule
	ok $C register sch 1 dynamos_test_update:dynamos_test_schedule
	ok $C activate sch 1 2
	sleep 2; ls / > /dev/null; sleep 1
	local n; n=$(field sched_calls /proc/dynamos_test_update)
	[ "$n" -gt 100 ] && pass "wrapper ran ($n calls)" || fail "wrapper calls $n"
	$C status | grep "^sch"
	ok $C activate sch 1 1
	ok $C deregister sch 1 2 60000
	ok $C deregister sch 1 0
	sleep 1; ls / > /dev/null
	pass "system alive after schedule redirect"
}

t_nonroot() {
	echo "== non-root"
	local nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	err 13 $nobody $C version
	chmod 666 /dev/dynamos
	err 1 $nobody $C version
	err 1 $nobody $C status
	chmod 600 /dev/dynamos
	err 1 env DYNAMOS_FD=3 $nobody $C version 3<>/dev/dynamos
	err 1 env DYNAMOS_FD=3 $nobody $C register n 1 dynamos_target_fn 3<>/dev/dynamos
	ok env DYNAMOS_FD=3 $C version 3<>/dev/dynamos
}

t_fuzz() {
	echo "== fuzz"
	ok $C fuzz ${FUZZ_N:-10000} ${FUZZ_SEED:-1}
	$C status
	# The fuzzer sets arbitrary hooks; a failing pre-activation hook of a
	# version 1 would (rightly) stop STOP, so clear all hooks first.
	$C status | sed 1,2d | while read u i v a s c f m h hooks rest; do
		[ "$hooks" = - ] && continue
		for kv in ${hooks//,/ }; do
			$C hook ${kv%%=*} $u $i $v 0 > /dev/null || fail "clear hook $kv"
		done
	done
	ok $C stop
	eq "table empty" "$($C status | wc -l)" 2
}

t_group() {
	echo "== ACTIVATE_GROUP: more members than there are version numbers"
	local i args=""
	for i in $(seq 1 40); do
		$C register g$i 1 dynamos_target_fn > /dev/null || fail "register g$i"
		args="$args g$i 1 1"
	done
	ok $C register g40 1 dynamos_target_fn_v2
	ok $C group $args; eq "group of 40, all version 1" "$LAST" "ok 40"
	ok $C group ${args% 1} 2; eq "group of 40, the top to version 2" "$LAST" "ok 40"
	target 1 1 2; eq "the top's version 2 runs" "$(field last /proc/dynamos_target)" 1003
	ok $C stop
	eq "table empty" "$($C status | wc -l)" 2
}

t_namesake() {
	echo "== namesakes: REGISTER picks one of several same-named statics by address"
	# load_elf_binary: fs/binfmt_elf.c (64-bit ELF, every exec here) and
	# fs/compat_binfmt_elf.c (32-bit ELF), in that order in kallsyms.
	local a1 a2 other
	a1=$(awk '$3 == "load_elf_binary" && NF == 3 {print "0x" $1}' /proc/kallsyms | sed -n 1p)
	a2=$(awk '$3 == "load_elf_binary" && NF == 3 {print "0x" $1}' /proc/kallsyms | sed -n 2p)
	other=$(awk '$3 == "load_elf_library" && NF == 3 {print "0x" $1}' /proc/kallsyms | sed -n 1p)
	echo "  (load_elf_binary at $a1 and $a2, load_elf_library at $other)"
	[ -n "$a2" ] || { fail "two load_elf_binary entries in /proc/kallsyms"; return; }
	err 76 $C register n 1 load_elf_binary
	case $LAST in *"give the address of one"*) pass "ambiguous without an address says what to give";;
		*) fail "message: $LAST";; esac
	err 8 $C register n 1 load_elf_binary $(printf '0x%x' $((a1 + 1)))
	err 22 $C register n 1 load_elf_binary "$other"
	case $LAST in *"not one of the 2 kallsyms entries named 'load_elf_binary'"*) pass "another function's address refused";;
		*) fail "message: $LAST";; esac
	err 2 $C register n 1 no_such_function "$a1"
	err 22 $C register n 1 dynamos_target:dynamos_target_fn "$a1"
	eq "nothing registered" "$($C status | wc -l)" 2
	ok $C register n 1 load_elf_binary "$a1"; eq "position 1 by address" "$LAST" "ok 1"
	ok $C register n 2 vmlinux:load_elf_binary "$a2"; eq "position 2 by address" "$LAST" "ok 1"
	err 22 $C register n 1 dynamos_target_fn_v2 "$a1"
	case $LAST in *"only names the original"*) pass "address refused on a later registration";;
		*) fail "message: $LAST";; esac
	/bin/true; /bin/true
	local c1 c2; c1=$(calls n 1 1); c2=$(calls n 2 1)
	echo "  (calls: position 1 $c1, position 2 $c2)"
	[ "${c1:-0}" -ge 2 ] && pass "exec runs the redirected native load_elf_binary" || fail "position 1 calls: $c1"
	eq "the compat load_elf_binary is not called" "$c2" 0
	ok $C deregister n 2 0
	ok $C deregister n 1 0
	eq "table empty" "$($C status | wc -l)" 2
}

setup
TESTS=${*:-basic errors stack absent handler hooks quiesce pins stop schedule nonroot group namesake fuzz}
for t in $TESTS; do t_$t; done
ok $C stop
ok rmmod dynamos_test_update dynamos_target dynamos
dmesg | grep -E "Oops|BUG|WARNING|general protection|lockdep|Call Trace" && fail "kernel log not clean"
echo "failures: $FAILS"
exit $FAILS
