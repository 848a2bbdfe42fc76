# New system calls by an update ($CHECKPOINT, examples/checkpoint; test program $CKPT): collect and
# checkpoint applied with 'dynamos apply', a checkpoint compared with /proc/PID/maps and /proc/PID/fd,
# bad input, shadows gone with the process, -ENOSYS after revert; then the same update by its
# control scripts ($CHECKPOINT_DIR), a second such update ($SYSCALL_MORE) stacked on it, and a module whose numbers are taken refused at load.
. "$(dirname "$0")/lib.sh"

shadows() { awk '$1 == "task_shadows" { t = $2 } $1 == "file_shadows" { f = $2 } END { print t, f }' /proc/dynamos_checkpoint; }
wait_file() { i=0; while [ ! -e "$1" ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done; [ -e "$1" ]; }
# The areas and files of a checkpoint, and of /proc, one "KEY NAME" a line, sorted.
ck_areas() { awk '$1 == "area" { print $2 }' "$1" | sort; }
proc_areas() { awk '$6 != "[vsyscall]" { print $1 }' /proc/$1/maps | sort; }
ck_mapped_files() { awk '$1 == "area" && $NF ~ /^\// { print $2, $NF }' "$1" | sort; }
proc_mapped_files() { awk '$6 ~ /^\// { print $1, $6 }' /proc/$1/maps | sort; }
ck_files() { awk '$1 == "file" { print $2, $NF }' "$1" | sort; }
proc_files() { for fd in $(ls /proc/$1/fd); do echo "$fd $(readlink /proc/$1/fd/$fd)"; done | sort; }
same() { if [ "$1" = "$2" ]; then echo yes; else printf 'DIFFERENT:\n%s\n---\n%s\n' "$1" "$2" >&2; echo no; fi; }

d start --module "$FRAMEWORK"
val before_apply "$("$CKPT" collect $$ || true)"

# ---- dynamos apply -------------------------------------------------------------------------------
d apply "$CHECKPOINT"
d list
W=/tmp/ckpt-apply; mkdir -p $W
"$CKPT" worker $W & PID=$!
wait_file $W/started
val collect "$("$CKPT" collect $PID)"
val collect_again "$("$CKPT" collect $PID || true)"
touch $W/go
wait_file $W/ready
cat /proc/dynamos_checkpoint
val checkpoint "$("$CKPT" checkpoint $PID 3 3>$W/ckpt.txt | cut -d' ' -f1)"
cat $W/ckpt.txt
cat /proc/$PID/maps
val areas_match "$(same "$(ck_areas $W/ckpt.txt)" "$(proc_areas $PID)")"
val mapped_files_match "$(same "$(ck_mapped_files $W/ckpt.txt)" "$(proc_mapped_files $PID)")"
val files_match "$(same "$(ck_files $W/ckpt.txt)" "$(proc_files $PID)")"
val areas "$(ck_areas $W/ckpt.txt | wc -l)"
val new_areas "$(awk '$1 == "area" && $5 == "new"' $W/ckpt.txt | wc -l)"
val collected_line "$(sed -n 's/^collected since_ns [0-9]* //p' $W/ckpt.txt)"
val old_file "$(awk '$1 == "file" && $NF == "'$W'/old" { print $3 }' $W/ckpt.txt)"
val data_files "$(awk '$1 == "file" && $NF == "'$W'/data" { print $3, $5 }' $W/ckpt.txt | sort | uniq -c | awk '{ print $1, $2, $3 }')"
val pipe_files "$(awk '$1 == "file" && $NF ~ /^pipe:/ { print $3, $5 }' $W/ckpt.txt | sort | uniq -c | awk '{ print $1, $2, $3 }')"
val shadows_running "$(shadows)"

# Bad input: clean errors.
val unknown_pid "$("$CKPT" collect 999999 || true)"
val bad_pid "$("$CKPT" checkpoint -1 1 || true)"
val bad_fd "$("$CKPT" checkpoint $PID 77 || true)"
val readonly_fd "$("$CKPT" checkpoint $PID 3 3</etc/hostname || true)"
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
val other_user_collect "$($NOBODY "$CKPT" collect $PID || true)"
val other_user_checkpoint "$($NOBODY "$CKPT" checkpoint $PID 1 || true)"
val kernel_thread "$("$CKPT" collect 2 || true)"

# A second update adding a system call stacks on this one: both work; it goes first.
d apply "$SYSCALL_MORE"
d list
val stacked_more "$("$CKPT" call 402 20 || true)"
val stacked_collect "$("$CKPT" collect 999999 || true)"
expect_fail d revert checkpoint; val revert_below "$(echo "$ERR" | tr "\n" " ")"
d revert syscall_more
val unstacked_more "$("$CKPT" call 402 20 || true)"
val unstacked_collect "$("$CKPT" collect 999999 || true)"

kill $PID; wait $PID || true
val shadows_after_exit "$(shadows)"
d revert checkpoint
val after_revert_collect "$("$CKPT" collect $$ || true)"
val after_revert_checkpoint "$("$CKPT" checkpoint $$ 1 || true)"
val proc_after_revert "$(test -e /proc/dynamos_checkpoint && echo present || echo gone)"

# ---- control scripts -----------------------------------------------------------------------------
insmod "$CHECKPOINT"
d run "$CHECKPOINT_DIR/activate.dynamos"
W=/tmp/ckpt-script; mkdir -p $W
"$CKPT" worker $W & PID=$!
wait_file $W/started
val script_collect "$("$CKPT" collect $PID)"
touch $W/go
wait_file $W/ready
"$CKPT" checkpoint $PID 1 >$W/ckpt.txt
val script_areas_match "$(same "$(ck_areas $W/ckpt.txt)" "$(proc_areas $PID)")"
val script_files_match "$(same "$(ck_files $W/ckpt.txt)" "$(proc_files $PID)")"
# Deactivated while the collected process lives: module exit frees its shadows.
val script_shadows_before "$(shadows)"
d run "$CHECKPOINT_DIR/deactivate.dynamos"
val script_after_deactivate "$("$CKPT" collect $PID || true)"
rmmod dynamos_example_checkpoint
kill $PID; wait $PID || true

# ---- numbers the kernel uses are refused at load ---------------------------------------------------
expect_fail insmod "$CHECKPOINT" nr_collect=39
expect_fail insmod "$CHECKPOINT" nr_checkpoint=460
expect_fail insmod "$CHECKPOINT" nr_checkpoint=400
val refused_loaded "$(grep -c '^dynamos_example_checkpoint ' /proc/modules || true)"

d stop
dmesg | grep -E 'checkpoint: |system call' | no_timestamps
