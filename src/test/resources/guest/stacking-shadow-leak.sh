# examples/shadow_leak (after livepatch's shadow samples): the leaking module $LEAKY, the fix
# $FIX1 (leak buffers kept as shadow data), $FIX2 stacked on it (checks counted per object, same
# free function), reverts in both orders, then $CUMULATIVE replacing both, after a replace that
# fails ($SHADOW_REPLACE_FAIL) changed nothing. $SHADOWCOUNT reads dynamos_shadow_count(id).
# Ticks are driven by hand (period_ms=0): objects live 3 ticks and are checked 4 times.
. "$(dirname "$0")/lib.sh"

LEAK=0x6c65616b
COUNT=0x636e7421
step() { echo "scenario: $1" > /dev/kmsg; }
ticks() { echo "$1" > /proc/dynamos_leaky; }
lf() { field "$1" /proc/dynamos_leaky; }
shadows() { echo "$1" > /sys/module/dynamos_shadowcount/parameters/id; cat /sys/module/dynamos_shadowcount/parameters/count; }
# The table as dynamos list --json shows it, without the call counters (the ticks move them).
table() { d list --json | sed -E 's/"calls": *[0-9]+/"calls":_/g'; }
# STACK and TARGET of every row of the text status, as "UPDATE/ID/VERSION=STACK,TARGET;...".
stacks() {
	awk 'NR == 2 { for (i = 1; i <= NF; i++) { if ($i == "STACK") s = i; if ($i == "TARGET") t = i } }
	     NR > 2 { printf "%s/%s/%s=%s,%s;", $1, $2, $3, $s, $t }' /dev/dynamos
}
fix_modules() { lsmod | grep -c '^dynamos_leaky_' || true; }

d start --module "$FRAMEWORK"
insmod "$SHADOWCOUNT"
insmod "$LEAKY" period_ms=0 lifetime=3

step original
ticks 6
val plain_leaks "$(lf leaks)"
val plain_alive "$(lf alive)"
val plain_checks "$(lf checks)"

step fix1
d apply "$FIX1"
ticks 6
val fix1_leaks "$(lf leaks)"
val fix1_leak_shadows "$(shadows $LEAK)"
ticks 3
val fix1_leaks_later "$(lf leaks)"

step fix2
d apply "$FIX2"
ticks 4
val fix2_leaks "$(lf leaks)"
val fix2_leak_shadows "$(shadows $LEAK)"
val fix2_count_shadows "$(shadows $COUNT)"
d list
cat /dev/dynamos
val list_stacked "$(d list --json)"
val stacks "$(stacks)"

step revert-fix1-refused
before=$(table)
expect_fail d revert shadow_fix1; val revert_fix1_err "$(printf "%s" "$ERR" | tr "\n" " ")"
val revert_fix1_table "$([ "$(table)" = "$before" ] && echo same || echo changed)"
ticks 1

step revert-fix2
d revert shadow_fix2
val count_shadows_after_fix2 "$(shadows $COUNT)"
val leak_shadows_after_fix2 "$(shadows $LEAK)"
ticks 4
val leaks_after_fix2 "$(lf leaks)"

step revert-fix1
d revert shadow_fix1
val leak_shadows_after_fix1 "$(shadows $LEAK)"
val count_shadows_after_fix1 "$(shadows $COUNT)"
val leaks_after_fix1 "$(lf leaks)"
ticks 3
val leaks_original_again "$(lf leaks)"
val fix_modules_after_reverts "$(fix_modules)"

step cumulative
d apply "$FIX1"
d apply "$FIX2"
ticks 2
before=$(table)
expect_fail d apply "$SHADOW_REPLACE_FAIL"; val replace_fail_err "$(printf "%s" "$ERR" | tr "\n" " ")"
val replace_fail_table "$([ "$(table)" = "$before" ] && echo same || echo changed)"
val replace_fail_modules "$(fix_modules)"
ticks 1
val before_replace_leaks "$(lf leaks)"
d apply "$CUMULATIVE"
val list_replaced "$(d list --json)"
val modules_replaced "$(lsmod | grep -o '^dynamos_leaky_[a-z0-9]*' | sort | tr '\n' ' ')"
val leak_shadows_after_replace "$(shadows $LEAK)"
val count_shadows_after_replace "$(shadows $COUNT)"
ticks 3
val cumulative_leaks "$(lf leaks)"
d revert shadow_cumulative
val leak_shadows_after_cumulative "$(shadows $LEAK)"
val count_shadows_after_cumulative "$(shadows $COUNT)"
val final_leaks "$(lf leaks)"
cat /proc/dynamos_leaky
rmmod dynamos_leaky
rmmod dynamos_shadowcount
d stop
echo "--- kernel log ---"
scenario_dmesg | grep -E '\] (scenario|shadow_fix1|shadow_fix2|shadow_cumulative|shadow_replace_fail|dynamos_leaky): ' | no_timestamps
