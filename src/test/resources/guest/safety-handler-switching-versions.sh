# A handler that keeps making version 2 active while version 2 is removed never leaves a
# removed version active.
. "$(dirname "$0")/lib.sh"

start
d register t 3 dynamos_target_fn
d rule t 3 dynamos_test_handler_set_active
( target 3000000 1 1 ) & hammer=$!
bad=0; refused=0; removed=0
for i in $(seq 150); do
    "$DYNCTL" register t 3 gcd > /dev/null || true
    if "$DYNCTL" deregister t 3 2 > /dev/null; then removed=$((removed+1)); else refused=$((refused+1)); fi
    active=$(tail -n +3 /dev/dynamos | awk '$1 == "t" && $4 == "yes" {print $3}')
    [ -n "$active" ] || bad=$((bad+1))
done
val bad "$bad"; val attempts "$((removed+refused))"
d rule t 3 --clear
"$DYNCTL" activate t 3 1 > /dev/null
"$DYNCTL" deregister t 3 2 > /dev/null || true
"$DYNCTL" register t 3 gcd > /dev/null
val active_after "$(tail -n +3 /dev/dynamos | awk '$1 == "t" && $4 == "yes" {print $3}')"
kill $hammer 2>/dev/null || true; wait || true
d stop
