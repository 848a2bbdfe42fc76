# Updates stacked on one function (after livepatch's test-livepatch.sh), on the test target module:
# $STACK_A (dynamos_target_fn: a+b+100, dynamos_target_sleepy: a+b+100), $STACK_B on top of it
# (a+b+200), revert order, a replace by name ($STACK_REPLACE_B, a+b+400), replaces that fail
# (a busy version; $STACK_REPLACE_FAIL's pre-activation hook) and the atomic replace of all
# ($STACK_REPLACE, a+b+300, does not cover dynamos_target_sleepy).
. "$(dirname "$0")/lib.sh"

step() { echo "scenario: $1" > /dev/kmsg; }
fn() { target 1 "$1" "$2"; field last /proc/dynamos_target; }
sleepy() { echo "sleepy $1 $2" > /proc/dynamos_target; wait_field threads /proc/dynamos_target 0; field thread_last /proc/dynamos_target; }
table() { d list --json | sed -E 's/"calls": *[0-9]+/"calls":_/g'; }
# Calls of UPDATE's version VERSION of id 1, from the text status.
calls() { awk -v u="$1" -v v="$2" 'NR > 2 && $1 == u && $2 == 1 && $3 == v { print $6 }' /dev/dynamos; }
stacks() {
	awk 'NR == 2 { for (i = 1; i <= NF; i++) { if ($i == "STACK") s = i; if ($i == "TARGET") t = i } }
	     NR > 2 { printf "%s/%s/%s=%s,%s;", $1, $2, $3, $s, $t }' /dev/dynamos
}
# wait_value FILE VALUE: waits (up to 10 s) until FILE reads VALUE.
wait_value() {
	i=0
	while [ "$(cat "$1")" != "$2" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(cat "$1")" = "$2" ]
}
modules() { lsmod | grep -o '^dynamos_test_stack_[a-z_]*' | sort | tr '\n' ' '; }

d start --module "$FRAMEWORK"
insmod "$TARGET"
val original "$(fn 1 1)"

step apply-a
d apply "$STACK_A"
val a "$(fn 1 1)"
val a_sleepy "$(sleepy 5 5)"
fn 1 1 >/dev/null
val calls_a_before_b "$(calls stack_a 2)"

step apply-b
d apply "$STACK_B"
val b "$(fn 1 1)"
val b_sleepy "$(sleepy 5 5)"
target 10 1 1
val calls_b "$(calls stack_b 2)"
val calls_a_under_b "$(calls stack_a 2)"
d list
cat /dev/dynamos
val list_stacked "$(d list --json)"
val stacks "$(stacks)"

step revert-a-refused
before=$(table)
expect_fail d revert stack_a; val revert_a_err "$(printf "%s" "$ERR" | tr "\n" " ")"
val revert_a_table "$([ "$(table)" = "$before" ] && echo same || echo changed)"
val after_refused "$(fn 1 1)"

step revert-b
d revert stack_b
val reverted_b "$(fn 1 1)"
val calls_a_after_b "$(calls stack_a 2)"
val reverted_b_modules "$(modules)"

step replace-by-name
d apply "$STACK_B"
val b_again "$(fn 1 1)"
d apply "$STACK_REPLACE_B"
val replaced_b "$(fn 1 1)"
val replaced_b_sleepy "$(sleepy 5 5)"
val replaced_b_modules "$(modules)"
val list_replaced_b "$(d list --json)"
d revert stack_replace_b
val reverted_replace_b "$(fn 1 1)"

step replace-busy
d apply "$STACK_B"
echo 1 > /sys/module/dynamos_test_stack_b/parameters/hold
echo "thread 777 0" > /proc/dynamos_target
wait_value /sys/module/dynamos_test_stack_b/parameters/parked 1
val parked "$(cat /sys/module/dynamos_test_stack_b/parameters/parked)"
before=$(table)
expect_fail d apply "$STACK_REPLACE"; val replace_busy_err "$(printf "%s" "$ERR" | tr "\n" " ")"
val replace_busy_table "$([ "$(table)" = "$before" ] && echo same || echo changed)"
val replace_busy_modules "$(modules)"
val after_busy "$(fn 1 1)"
echo 0 > /sys/module/dynamos_test_stack_b/parameters/hold
wait_field threads /proc/dynamos_target 0
val parked_result "$(field thread_last /proc/dynamos_target)"
val after_busy_sleepy "$(sleepy 5 5)"

step replace-hook-fails
before=$(table)
expect_fail d apply "$STACK_REPLACE_FAIL"; val replace_fail_err "$(printf "%s" "$ERR" | tr "\n" " ")"
val replace_fail_table "$([ "$(table)" = "$before" ] && echo same || echo changed)"
val replace_fail_modules "$(modules)"
val after_replace_fail "$(fn 1 1)"

step replace-all
d apply "$STACK_REPLACE"
val replaced "$(fn 1 1)"
val replaced_sleepy "$(sleepy 5 5)"
val replaced_modules "$(modules)"
val list_replaced "$(d list --json)"
d list
d revert stack_replace
val reverted_all "$(fn 1 1)"
val reverted_all_rows "$(tail -n +3 /dev/dynamos | wc -l)"
d stop
echo "--- kernel log ---"
scenario_dmesg | grep -E '\] (scenario|stack_[a-z_]*): ' | no_timestamps
