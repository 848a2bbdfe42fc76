# Updates made from source patches by 'dynamos generate' (GenerateIT) on the host, applied and reverted live:
#   GEN_CMDLINE   cmdline-string.patch: fs/proc/cmdline.c's handler prints the command line with a suffix
. "$(dirname "$0")/lib.sh"

d start --module "$FRAMEWORK"
val cmdline_before "$(cat /proc/cmdline)"
d apply "$GEN_CMDLINE"
d list
val cmdline_applied "$(cat /proc/cmdline)"
d revert cmdline-string
val cmdline_reverted "$(cat /proc/cmdline)"
val modules_left "$(grep -c '^dynamos_patch_' /proc/modules || true)"
d stop
