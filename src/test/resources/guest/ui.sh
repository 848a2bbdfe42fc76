# The Control Center in a browser (UiIT): applies stack_a ($STACK_A) to the target module's functions, keeps
# dynamos_target_fn busy, serves 'dynamos ui --port $UI_PORT' on 127.0.0.1 with a relay from 10.0.2.15 (the
# forwarded port) and waits until the host's browser test writes $DONE. The UI's output goes to $UI_OUT,
# which the host reads for the URL.
. "$(dirname "$0")/lib.sh"

d start --module "$FRAMEWORK"
insmod "$TARGET"
d apply "$STACK_A"
# The workload: calls of dynamos_target_fn, whichever version is active, until the test is done.
(while [ ! -e "$DONE" ]; do target 300 1 2; sleep 0.1; done) &
WORKLOAD=$!
FAST="-XX:TieredStopAtLevel=1 $JVM_FLAGS"
"$DYNAMOS_TEST_JAVA" $FAST -cp "$DYNAMOS_TEST_CLASSPATH" dynamos.testing.PortRelay 10.0.2.15 "$UI_PORT" 127.0.0.1 "$UI_PORT" \
	>/tmp/relay.log 2>&1 &
RELAY=$!
"$DYNAMOS_TEST_JAVA" $FAST -jar "$DYNAMOS_TEST_JAR" ui --port "$UI_PORT" >"$UI_OUT" 2>&1 &
UI=$!

i=0
while [ ! -e "$DONE" ] && [ $i -lt 900 ]; do
	kill -0 $UI 2>/dev/null || { echo "dynamos ui ended early:"; cat "$UI_OUT"; break; }
	sleep 1; i=$((i + 1))
done
val done_seen "$([ -e "$DONE" ] && echo yes || echo no)"
val ui_alive "$(kill -0 $UI 2>/dev/null && echo yes || echo no)"
kill $UI $RELAY 2>/dev/null || true
wait $WORKLOAD 2>/dev/null || true
wait $UI 2>/dev/null || true
cat /tmp/relay.log
# What the browser left: stack_a reverted, so nothing applied.
val list_after "$(d list | tr '\n' ' ')"
d stop
