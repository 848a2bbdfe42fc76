# The datatype update ($TASK_FILES): a per-process count of opened files kept as shadow data of
# task_struct, for new and old processes and 10,000 forks and exits, then reverted.
. "$(dirname "$0")/lib.sh"

d start --module "$FRAMEWORK"
sleep 600 & OLD=$!
d apply "$TASK_FILES"
shadows() { sed -n 's/^shadows //p' /proc/dynamos_task_files; }
val baseline "$(shadows)"
# A static busybox shell opens nothing by itself: three redirections, then the /proc file.
busybox sh -c 'exec 3</etc/hostname; exec 4</etc/hostname; exec 5</etc/hostname; while read pid comm n; do [ "$pid" = $$ ] && echo "@@ own=$n"; done < /proc/dynamos_task_files'
busybox sh -c 'while read pid comm n; do [ "$pid" = $$ ] && echo "@@ none_opened=$n"; done < /proc/dynamos_task_files'
val old "$(grep -c "^$OLD " /proc/dynamos_task_files || true)"
kill $OLD; wait $OLD || true
val old_alive_ok yes
i=0; while [ $i -lt 10000 ]; do (:); i=$((i+1)); done
val after_forks "$(shadows)"
sleep 300 & NEW=$!
val with_new "$(shadows)"
val new_listed "$(grep -c "^$NEW sleep " /proc/dynamos_task_files || true)"
d list
d revert task_files
val proc_after_revert "$(test -e /proc/dynamos_task_files && echo present || echo gone)"
kill $NEW; wait $NEW || true
d stop
dmesg | grep 'task_files:' | no_timestamps
