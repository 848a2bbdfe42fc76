# The manual's chapter 5 examples applied live with their control scripts and reverted: get_pid
# ($GET_PID) logs every pid allocation, schedule ($SCHEDULE) reports every 5000 scheduler calls.
. "$(dirname "$0")/lib.sh"

d start --module "$FRAMEWORK"
insmod "$GET_PID"
d run examples/get_pid/activate.dynamos
for i in 1 2 3 4 5; do /bin/true; done
sh -c 'echo $$ > /tmp/child.pid'; val child "$(cat /tmp/child.pid)"; val parent $$
d run examples/get_pid/deactivate.dynamos
val getpid_lines "$(dmesg | grep -c 'alloc_pid_v2: called from pid')"
/bin/true; val getpid_after "$(dmesg | grep -c 'alloc_pid_v2: called from pid')"
rmmod dynamos_example_get_pid
insmod "$SCHEDULE"
d run examples/schedule/activate.dynamos
i=0; while ! dmesg | grep -q 'schedule_v2 called for 5000 times' && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
for i in 1 2 3; do ls / >/dev/null; sleep 0.1; done; val healthy yes
d run examples/schedule/deactivate.dynamos
rmmod dynamos_example_schedule
d stop
dmesg | grep -E 'alloc_pid_v2|schedule_v2' | no_timestamps
