# Updates of a module that comes and goes (after livepatch's test-callbacks.sh): $CB_UPDATE
# (dynamos_cb_target_fn: a+1000) applied before $CB_TARGET loads, the module unloaded, loaded
# again, unloaded by force; $CB_STACKED (a+2000) on top of it; a target_coming hook that refuses
# the module's load; an update whose pre-activation hook fails ($CB_FAIL). Every hook and the
# module's init and exit log a line; "scenario:" lines mark the steps in the kernel log.
. "$(dirname "$0")/lib.sh"

step() { echo "scenario: $1" > /dev/kmsg; }
P=/sys/module/dynamos_cb_target/parameters
fn() { echo "$1" > $P/call; cat $P/last; }
table() { d list --json | sed -E 's/"calls": *[0-9]+/"calls":_/g'; }
stacks() {
	awk 'NR == 2 { for (i = 1; i <= NF; i++) { if ($i == "STACK") s = i; if ($i == "TARGET") t = i } }
	     NR > 2 { printf "%s/%s/%s=%s,%s;", $1, $2, $3, $s, $t }' /dev/dynamos
}
loaded() { [ -d /sys/module/dynamos_cb_target ] && echo yes || echo no; }

d start --module "$FRAMEWORK"

step apply-absent
d apply "$CB_UPDATE"
val absent_stacks "$(stacks)"
val absent_list "$(d list --json)"
d list

step load
insmod "$CB_TARGET"
val init_result "$(cat $P/init_result)"
val loaded_fn "$(fn 5)"
val loaded_stacks "$(stacks)"

step unload
rmmod dynamos_cb_target
val unloaded_stacks "$(stacks)"
val unloaded_list "$(d list --json)"

step load-again
insmod "$CB_TARGET" pin=1
val again_init "$(cat $P/init_result)"
val again_fn "$(fn 5)"

step apply-stacked
d apply "$CB_STACKED"
val stacked_fn "$(fn 5)"
val stacked_stacks "$(stacks)"

step force-unload
expect_fail rmmod dynamos_cb_target; val in_use_rmmod "$(printf "%s" "$ERR" | tr "\n" " ")"
val in_use_loaded "$(loaded)"
rmmod -f dynamos_cb_target
val forced_loaded "$(loaded)"
val forced_stacks "$(stacks)"

step load-stacked
insmod "$CB_TARGET"
val stacked_init "$(cat $P/init_result)"

step revert-stacked
expect_fail d revert cb_update; val revert_below_err "$(printf "%s" "$ERR" | tr "\n" " ")"
d revert cb_stacked
val unstacked_fn "$(fn 5)"

step coming-refuses
rmmod dynamos_cb_target
echo 19 > /sys/module/dynamos_test_cb_update/parameters/fail_coming
before=$(table)
expect_fail insmod "$CB_TARGET"; val refused_insmod "$(printf "%s" "$ERR" | tr "\n" " ")"
val refused_loaded "$(loaded)"
val refused_table "$([ "$(table)" = "$before" ] && echo same || echo changed)"
echo 0 > /sys/module/dynamos_test_cb_update/parameters/fail_coming
insmod "$CB_TARGET"
val after_refused_init "$(cat $P/init_result)"

step pre-activation-fails
before=$(table)
expect_fail d apply "$CB_FAIL"; val fail_err "$(printf "%s" "$ERR" | tr "\n" " ")"
val fail_table "$([ "$(table)" = "$before" ] && echo same || echo changed)"
val fail_fn "$(fn 5)"
val fail_module "$(lsmod | grep -c '^dynamos_test_cb_fail' || true)"

step revert
d revert cb_update
val reverted_fn "$(fn 5)"

step revert-absent
d apply "$CB_UPDATE"
rmmod dynamos_cb_target
d revert cb_update
insmod "$CB_TARGET"
val revert_absent_init "$(cat $P/init_result)"
val revert_absent_rows "$(tail -n +3 /dev/dynamos | wc -l)"
rmmod dynamos_cb_target
d stop
echo "--- kernel log ---"
scenario_dmesg | grep -E '\] (scenario|cb_update|cb_stacked|cb_fail|dynamos_cb_target): ' | no_timestamps
