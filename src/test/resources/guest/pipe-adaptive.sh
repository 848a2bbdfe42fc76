# The adaptive pipe update ($PIPE_ADAPTIVE) applied while $BIG bytes flow through a pipe whose
# reader is blocked in pipe_read; then phase 2 and revert, each with the data checked by SHA-256.
. "$(dirname "$0")/lib.sh"

# pstat KEY: a value of the update's statistics file.
pstat() { tr ' ' '\n' < /proc/dynamos_pipe_adaptive | sed -n "/^$1$/{n;p;}"; }
d start --module "$FRAMEWORK"
d apply "$PIPE_ADAPTIVE"
val phase1 "$(pstat phase)"
# A pipe that carries little keeps the default size.
echo small | "$PIPETOOL" sink --no-hash | sed 's/^@@ /@@ small_/'
# The writer pauses after 16 KiB: the reader drains it and blocks in pipe_read.
rm -f /tmp/go
"$PIPETOOL" gen "$BIG" 16384 /tmp/go 2>/tmp/gen.out | "$PIPETOOL" sink > /tmp/sink.out &
sleep 3
val must_before "$(pstat must_update)"; val crossed_before "$(pstat readers_crossed)"
touch /tmp/go
wait
sed 's/^@@ /@@ big_/' /tmp/gen.out /tmp/sink.out
val must_after "$(pstat must_update)"; val crossed_after "$(pstat readers_crossed)"
val adapted "$(pstat adapted_pipes)"; val failures "$(pstat resize_failures)"
# Phase 2: no task in the originals any more, the final versions take new calls.
DYNAMOS="$DYNAMOS" sh examples/pipe_adaptive/finish 60
val phase2 "$(pstat phase)"
"$PIPETOOL" gen 67108864 2>/tmp/gen.out | "$PIPETOOL" sink > /tmp/sink.out
sed 's/^@@ /@@ final_/' /tmp/gen.out /tmp/sink.out
echo small | "$PIPETOOL" sink --no-hash | sed 's/^@@ /@@ smallfinal_/'
# The adapted pipes recycled their pages, and every closed pipe gave its pool back.
val recycled "$(pstat pages_recycled)"; val pooled_closed "$(pstat pages_pooled)"
# A FIFO held open across the revert: 8 MiB through it leave pages in its pool, which the module's
# exit frees; the pipe goes on with the stock code.
mkfifo /tmp/fifo
exec 3<>/tmp/fifo
"$PIPETOOL" fill 8388608 1048576 >&3 &
dd bs=1M count=8 iflag=fullblock status=none <&3 > /dev/null
wait
val pooled_open "$(pstat pages_pooled)"
d list
d revert pipe_adaptive --timeout 30
echo after-revert >&3
val fifo_after "$(dd bs=12 count=1 status=none <&3)"
exec 3>&-
"$PIPETOOL" gen 67108864 2>/tmp/gen.out | "$PIPETOOL" sink > /tmp/sink.out
sed 's/^@@ /@@ reverted_/' /tmp/gen.out /tmp/sink.out
d stop
dmesg | grep 'pipe_adaptive' | no_timestamps
