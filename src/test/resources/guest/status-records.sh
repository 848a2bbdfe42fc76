# StatusRecordsIT: the framework's state as LIST records and as the text table, read by dynctl (C)
# and by the dynamos command (Java); a too-small and an unwritable buffer; busy tasks as records.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_test_update:dynamos_target_fn_v2
d register t 2 dynamos_test_update:dynamos_target_fn_sleep
d rule t 2 dynamos_test_update:dynamos_test_handler_arg
d hook pre-activation t 2 2 dynamos_test_update:dynamos_test_pre_activation
d hook post-removal t 2 2 dynamos_test_update:dynamos_test_post_removal
d state t --phase 3 --must-update true
target 10 1 2
target 7 2 2
cat /dev/dynamos > /tmp/text
"$DYNCTL" list > /tmp/list 2> /tmp/list.err
val text "$(tr '\n' ';' < /tmp/text)"
val same "$(cmp -s /tmp/text /tmp/list && echo yes || echo no)"
val list_ok "$(cat /tmp/list.err)"
val json "$(d status --json)"
val allocs_before "$(cat /sys/module/dynamos/parameters/allocations)"
set +e
"$DYNCTL" list 100 > /tmp/small; val small_rc $?
"$DYNCTL" list bad > /tmp/bad; val bad_rc $?
set -e
val small "$(tr '\n' ';' < /tmp/small)"
val bad "$(cat /tmp/bad)"
val unchanged "$(cmp -s /tmp/text /dev/dynamos && echo yes || echo no)"
val allocs_after "$(cat /sys/module/dynamos/parameters/allocations)"

# busy tasks as records: a kernel thread sleeps inside version 3
d rule t 2 --clear
d activate t 2 3
echo "thread 1 1" > /proc/dynamos_target
wait_field sleepers /proc/dynamos_test_update 1
d activate t 2 1
set +e
"$DYNCTL" in-use t 2 3 > /tmp/inuse; val inuse_rc $?
"$DYNCTL" deregister t 2 3 300 > /tmp/dereg; val dereg_rc $?
set -e
val inuse "$(tr '\n' ';' < /tmp/inuse)"
val dereg "$(tr '\n' ';' < /tmp/dereg)"
echo release > /proc/dynamos_test_update
d in-use t 2 3 --timeout 10
"$DYNCTL" in-use t 2 3 > /tmp/idle
val idle "$(tr '\n' ';' < /tmp/idle)"
d stop

