# dynamos top against the real kernel: an update whose function a workload calls all the time shows
# calls/s on its active version (text and --json), the calls move when another version is activated,
# and the full-screen mode in a tmux pane draws, takes keys and gives the terminal back as it was.
. "$(dirname "$0")/lib.sh"

expect_fail d top --once --interval 0.2; val stopped "$ERR"
start
d register t 2 dynamos_target_fn
d register t 2 dynamos_test_update:dynamos_target_fn_v2
d register t 2 dynamos_test_update:dynamos_target_fn_v3
d activate t 2 2

# The workload: dynamos_target_fn 2000 times, 20 times a second, until told to stop.
(while [ ! -e /tmp/stop-workload ]; do target 2000 1 2; sleep 0.05; done) &
WORKLOAD=$!

# One-shot text (the command server has no terminal): the row of each version.
d top --once > /tmp/top1.txt; cat /tmp/top1.txt
# ACT CALLS/S of version N of t 2 in a text picture
row() { awk -v v="$2" '$1 == "t" && $2 == 2 && $4 == v { print $5, $9 }' "$1"; }
val once_v1 "$(row /tmp/top1.txt 1)"
val once_v2 "$(row /tmp/top1.txt 2)"
val once_header "$(head -1 /tmp/top1.txt)"
val json "$(d top --json)"

# Switch: the next picture has the calls on version 3.
d activate t 2 3
d top --once > /tmp/top2.txt; cat /tmp/top2.txt
val switched_v2 "$(row /tmp/top2.txt 2)"
val switched_v3 "$(row /tmp/top2.txt 3)"
d top --iterations 2 --interval 0.5 > /tmp/top3.txt
val iterations_headers "$(grep -c '^dynamos top - kernel' /tmp/top3.txt)"

# A monitored function (its monitor held by a small C client): the monitors section shows its rate.
"$DYNCTL" monitor dynamos_target:dynamos_target_fn > /tmp/mon.out 2>&1 &
MONITOR=$!
i=0; while ! d monitor --list | grep -q dynamos_target_fn && [ $i -lt 50 ]; do sleep 0.2; i=$((i + 1)); done
d top --once > /tmp/top4.txt; cat /tmp/top4.txt
val monitor_header "$(head -1 /tmp/top4.txt)"
val monitor_row "$(awk '$1 ~ /^dynamos_target:dynamos_targ/ { print $2 }' /tmp/top4.txt)"
kill $MONITOR; wait $MONITOR || true

# Full screen in a 120x30 tmux pane, as a user runs it: its own JVM on a terminal.
export TMUX_TMPDIR=/tmp
JAVA_TOP="$DYNAMOS_TEST_JAVA -XX:TieredStopAtLevel=1 $JVM_FLAGS -jar $DYNAMOS_TEST_JAR top --interval 1"
STARTED=$(date +%s)
tmux new-session -d -s top -x 120 -y 30 \
	"export TERM=xterm; stty -g > /tmp/stty.before; $JAVA_TOP 2>/tmp/top.err; echo \$? > /tmp/top.status; stty -g > /tmp/stty.after; exec sleep 600"
pane() { tmux capture-pane -p -t top; }
# wait_pane PATTERN: up to 240 s (a JVM starts slowly under emulation) for a line matching PATTERN
wait_pane() {
	i=0
	while ! pane | grep -q -- "$1" && [ $i -lt 240 ]; do sleep 1; i=$((i + 1)); done
	pane | grep -q -- "$1" && return 0
	echo "top.sh: no line matching '$1' in the pane:"; pane; cat /tmp/top.err 2>/dev/null; return 1
}
wait_pane '^t  *2 dynamos_target.*  3 \* '
val pane_seconds "$(($(date +%s) - STARTED))"
sleep 3 # a picture or two more: rates for the screenshot
val pane_alternate "$(tmux display -p -t top '#{alternate_on}')"
val pane_cursor "$(tmux display -p -t top '#{cursor_flag}')"
echo "=== pane begin"; pane; echo "=== pane end"
tmux send-keys -t top s
wait_pane 'sort: name'
val pane_sorted "$(pane | grep -c 'sort: name (smallest first)')"
# The view keeps /dev/dynamos open only while it takes a picture, so between pictures (here: paused,
# no picture under way) the framework stops under it, and on resume the screen says it is stopped.
touch /tmp/stop-workload; wait $WORKLOAD
tmux send-keys -t top p
wait_pane '^dynamos top \[paused\] - kernel'
d activate t 2 1
d deregister t 2 0
d stop
tmux send-keys -t top p
wait_pane 'framework stopped'
val pane_stopped "$(pane | grep -c '^the framework is not started; start it with: dynamos start')"
tmux send-keys -t top q
i=0; while [ ! -s /tmp/top.status ] && [ $i -lt 300 ]; do sleep 0.2; i=$((i + 1)); done
val top_status "$(cat /tmp/top.status)"
val top_err "$(cat /tmp/top.err)"
val stty_restored "$([ "$(cat /tmp/stty.before)" = "$(cat /tmp/stty.after)" ] && echo yes || echo no)"
val pane_alternate_after "$(tmux display -p -t top '#{alternate_on}')"
val pane_cursor_after "$(tmux display -p -t top '#{cursor_flag}')"
val pane_after "$(pane | grep -c 'dynamos top')"
tmux kill-server
