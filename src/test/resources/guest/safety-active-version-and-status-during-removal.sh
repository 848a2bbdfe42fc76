# The active version is never removed, and status reads go on while a removal waits.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_target_fn_v2
d register t 2 dynamos_target_fn_sleep
d activate t 2 2
expect_fail d deregister t 2 2; val active_removal "$ERR"
expect_fail d deregister t 2 0; val whole_removal "$ERR"
target 1 1 1; val still "$(field last /proc/dynamos_target)"
d activate t 2 3
echo "thread 1 1" > /proc/dynamos_target
wait_field sleepers /proc/dynamos_test_update 1
d activate t 2 2
( "$DYNCTL" deregister t 2 3 6000 > /tmp/dereg 2>&1; echo $? > /tmp/dereg.rc ) &
sleep 2
cat /dev/dynamos > /tmp/status
if [ -e /tmp/dereg.rc ]; then val status_read after; else val status_read during; fi
val removing "$(grep -c ' removing ' /tmp/status || true)"
target 1 1 1; val during_removal "$(field last /proc/dynamos_target)"
wait
val dereg "$(cat /tmp/dereg)"
echo release > /proc/dynamos_test_update
wait_field threads /proc/dynamos_target 0
d activate t 2 1
d deregister t 2 0
d stop
