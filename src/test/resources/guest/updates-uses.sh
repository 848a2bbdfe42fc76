# Two updates, the second built with --uses the first ($PROVIDER and $CONSUMER: their built modules).
# The consumer is refused until the provider is applied; applied, its version of dynamos_target_fn
# calls the provider's function and reads its variable; the kernel keeps the provider's module while
# the consumer's is loaded; the consumer is reverted, then the provider.
. "$(dirname "$0")/lib.sh"

loaded() { grep -c '^dynamos_uses_' /proc/modules || true; }
rows() { tail -n +3 /dev/dynamos | wc -l; }
d start --module "$FRAMEWORK"
insmod "$TARGET"
target 1 2 3; val before "$(field last /proc/dynamos_target)"

expect_fail d apply "$CONSUMER"; val refused_err "$ERR"
val loaded_refused "$(loaded)"; val rows_refused "$(rows)"

d apply "$PROVIDER"
d apply "$CONSUMER"
target 1 2 3; val both "$(field last /proc/dynamos_target)"
val holders "$(ls /sys/module/dynamos_uses_provider/holders | tr '\n' ' ')"
expect_fail rmmod dynamos_uses_provider; val rmmod_err "$ERR"
val provider_loaded "$(grep -c '^dynamos_uses_provider ' /proc/modules || true)"
d list

d revert uses_consumer
target 1 2 3; val consumer_reverted "$(field last /proc/dynamos_target)"
val holders_after "$(ls /sys/module/dynamos_uses_provider/holders | wc -l)"
d revert uses_provider
val loaded_end "$(loaded)"; val rows_end "$(rows)"
d stop
