# The framework updating itself: get_pid ($GET_PID, control scripts) applied first, then
# self_update ($SELF_UPDATE), a new version of dynamos.ko's dyn_status_show; its line in
# /dev/dynamos; both listed; self_update reverted while get_pid stays applied and working; a
# framework function on the redirection/removal path refused.
. "$(dirname "$0")/lib.sh"

selfline() { grep -c '^# status text by update self_update' /dev/dynamos || true; }
getpid_lines() { dmesg | grep -c 'alloc_pid_v2: called from pid' || true; }
d start --module "$FRAMEWORK"
insmod "$GET_PID"
d run examples/get_pid/activate.dynamos
val line_before "$(selfline)"

d apply "$SELF_UPDATE"
cat /dev/dynamos
val line_applied "$(selfline)"
val second_read "$(sed -n 's/^# status text by update self_update.*read \([0-9]*\) time(s)$/\1/p' /dev/dynamos)"
val list "$(d list --json)"
d list

d revert self_update
val line_reverted "$(selfline)"
n=$(getpid_lines); /bin/true; /bin/true
val getpid_working "$([ "$(getpid_lines)" -gt "$n" ] && echo yes || echo no)"
val rows_get_pid "$(grep -c '^get_pid ' /dev/dynamos || true)"

for fn in dyn_quiesce dyn_handler_dispatch; do
  rows=$(tail -n +3 /dev/dynamos | wc -l)
  expect_fail d register selfbad 1 "dynamos:$fn"; val "refused_$fn" "$ERR"
  val "rows_changed_$fn" "$([ "$(tail -n +3 /dev/dynamos | wc -l)" = "$rows" ] && echo no || echo yes)"
done

d run examples/get_pid/deactivate.dynamos
rmmod dynamos_example_get_pid
d stop
