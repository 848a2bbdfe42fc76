# A control script failing on line 7 is rolled back, leaving the version table as before;
# with --no-rollback its steps stay.
. "$(dirname "$0")/lib.sh"

start
d register t 2 dynamos_target_fn
d register t 2 dynamos_target_fn_v2
d activate t 2 2
d hook post-activation t 2 2 dynamos_test_post_activation
val before "$(d status --json)"
cat > /tmp/update.dynamos <<'SCRIPT'
# a new version, made active, with a handler and a hook - then a line that fails
DYNREPLACE_REGISTER_INTUITIVELY("t", 2, dynamos_target_fn_v3)
DYNREPLACE_ACTIVATE_FUNCTION("t", 2, 3)
DYNREPLACE_SET_RULE_EVALUATION_FUNCTION_BY_NAME("t", 2, dynamos_test_handler_arg)
hook post-activation t 2 2 dynamos_test_pre_activation
register u 1 dynamos_target_fn_wrap
DYNREPLACE_REGISTER_INTUITIVELY("t", 2, no_such_function_anywhere)
DYNREPLACE_ACTIVATE_FUNCTION("t", 2, 1)
SCRIPT
if d run /tmp/update.dynamos 2>/tmp/err; then echo UNEXPECTED SUCCESS; exit 1; fi
val err "$(cat /tmp/err)"
val after "$(d status --json)"
target 3 1 1; val result "$(field last /proc/dynamos_target)"
d run /tmp/update.dynamos --no-rollback 2>/dev/null || true
val norollback "$(d status --json)"
d stop
