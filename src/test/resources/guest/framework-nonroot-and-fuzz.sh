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
# Fuzzed SET_HOOKs leave hooks that refuse (dynamos_target_fn returns its call count, a "failure"), and
# stop honours them. Clear every hook the table shows (the last column: KIND=SYMBOL,...) in one control
# script, then stop.
d status | awk '$2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ && $NF != "-" {
	n = split($NF, hooks, ",")
	for (i = 1; i <= n; i++) { sub(/=.*/, "", hooks[i]); print "hook", hooks[i], $1, $2, $3, "--clear" }
}' > /tmp/clear-hooks.dynamos
d run /tmp/clear-hooks.dynamos
val hooks_cleared "$(wc -l < /tmp/clear-hooks.dynamos)"
d stop
