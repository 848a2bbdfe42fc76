# Non-root is refused at open, ioctl and read; 12,000 malformed ioctls leave the framework working.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
expect_fail setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$DYNCTL" status; val nonroot_open "$ERR"
chmod 0666 /dev/dynamos
expect_fail setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$DYNCTL" register x 1 schedule; val nonroot_ioctl "$ERR"
expect_fail setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all cat /dev/dynamos; val nonroot_read "$ERR"
chmod 0600 /dev/dynamos
"$DYNCTL" fuzz 10000 1
"$DYNCTL" fuzz 2000 7
d status
val json "$(d status --json)"
d stop
