# Synchronized updates: an update name's phase and must_update flag, group activation (all or
# none), the in-use query, and a script that switches a group and fails.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_test_update:dynamos_target_fn_v2
d register t 2 dynamos_test_update:dynamos_target_fn_sleep
d register s 1 schedule
d register s 1 dynamos_test_update:dynamos_test_schedule
val state0 "$(d state t --json)"
d state t --phase 2 --must-update true
val state1 "$(d state t --json)"
d state t --phase 0 --must-update false
# a handler raises must_update and sets the phase, seen by userspace and the status
d rule t 2 dynamos_test_update:dynamos_test_handler_state
target 3 77 1
val state2 "$(d state t --json)"
val row "$(grep '^t 2 1 ' /dev/dynamos)"
d rule t 2 --clear
expect_fail d state nobody; val nostate "$ERR"

# all or nothing: s's pre-activation hook fails, so t does not switch either
echo 1 > /sys/module/dynamos_test_update/parameters/fail_pre_activation
d hook pre-activation s 1 2 dynamos_test_update:dynamos_test_pre_activation_fail
expect_fail d activate-group t 2 2 s 1 2; val group_fail "$ERR"
val active_after_fail "$(grep ' yes live ' /dev/dynamos | cut -d' ' -f1-3 | tr '\n' ';')"
expect_fail d activate-group t 2 2 t 2 1; val group_dup "$ERR"
expect_fail d activate-group t 2 9 s 1 1; val group_missing "$ERR"
d hook pre-activation s 1 2 --clear
d activate-group t 2 2 s 1 2
val active_after_group "$(grep ' yes live ' /dev/dynamos | cut -d' ' -f1-3 | tr '\n' ';')"
target 10 1 2; val v2 "$(field last /proc/dynamos_target)"
d activate-group t 2 1 s 1 1
# the largest group the ABI promises (DYNAMOS_MAX_GROUP, 64 members) passes the size check and
# fails only on its members, none of which is registered
i=1 members=
while [ $i -le 64 ]; do members="$members g $i 1"; i=$((i + 1)); done
expect_fail d activate-group $members; val group64 "$ERR"

# in-use: a kernel thread sleeps inside version 3
d activate t 2 3
echo "thread 1 1" > /proc/dynamos_target
wait_field sleepers /proc/dynamos_test_update 1
d activate t 2 1
set +e
d in-use t 2 3; val busy_rc $?
val busy_json "$(d in-use t 2 3 --json)"
d in-use t 2 2; val idle_rc $?
set -e
echo release > /proc/dynamos_test_update
d in-use t 2 3 --timeout 10; val released_rc $?
cat > /tmp/group.dynamos <<'EOS'
# a script that switches a group and then fails: the group goes back as one
activate-group t 2 2 s 1 2
DYNREPLACE_ACTIVATE_FUNCTION("t", 2, 9)
EOS
expect_fail d run /tmp/group.dynamos; val script_err "$ERR"
val active_after_script "$(grep ' yes live ' /dev/dynamos | cut -d' ' -f1-3 | tr '\n' ';')"
d deregister s 1 0
d deregister t 2 0
rmmod dynamos_test_update
d stop
