# The FIFO hardening ($FIFO_STICKY) applied live with dynamos apply, listed and reverted; then
# each bad update ($BAD_UPDATES, blank-separated) refused, leaving nothing loaded or registered; then
# $NAMESAKE, an update of one of two same-named kernel functions, applied, observed and reverted.
. "$(dirname "$0")/lib.sh"

rows() { tail -n +3 /dev/dynamos | wc -l; }
loaded() { grep -c '^dynamos_bad\|^dynamos_fifo' /proc/modules || true; }
d start --module "$FRAMEWORK"
mkdir -p /tmp/st && chmod 1777 /tmp/st && mkfifo /tmp/st/f && chown 1000:1000 /tmp/st/f && chmod 666 /tmp/st/f
mkdir -p /tmp/plain && chmod 777 /tmp/plain && mkfifo /tmp/plain/f && chown 1000:1000 /tmp/plain/f && chmod 666 /tmp/plain/f
# open_as UID FIFO: opens it for writing (O_RDWR, so it does not wait for a reader) as UID
open_as() { if setpriv --reuid=$1 --regid=$1 --clear-groups sh -c "exec 3<>$2" 2>/dev/null; then echo allowed; else echo refused; fi; }
val before "$(open_as 2000 /tmp/st/f)"
d apply "$FIFO_STICKY"
val after "$(open_as 2000 /tmp/st/f)"
val root_after "$(open_as 0 /tmp/st/f)"
val owner_after "$(open_as 1000 /tmp/st/f)"
val plain_after "$(open_as 2000 /tmp/plain/f)"
d list
val list "$(d list --json)"
expect_fail d apply "$FIFO_STICKY"; val again_err "$ERR"
d revert fifo_sticky
val reverted "$(open_as 2000 /tmp/st/f)"
val rows_reverted "$(rows)"; val loaded_reverted "$(loaded)"
expect_fail d revert fifo_sticky; val revert_again_err "$ERR"
for bad in $BAD_UPDATES; do
  n=$(basename "$bad" .ko)
  expect_fail d apply "$bad"
  val "rows_$n" "$(rows)"; val "loaded_$n" "$(loaded)"
done
val opens_after_bad "$(open_as 2000 /tmp/st/f)"
# One of two same-named kernel functions ($NAMESAKE: fs/binfmt_elf.c's load_elf_binary), by DYNAMOS_SYMBOL.
d apply "$NAMESAKE"
val namesake_table "$(tail -n +3 /dev/dynamos | awk '{print $1, $3, $4, $7, $8}' | tr '\n' ';')"
for i in 1 2 3; do /bin/true; done
d revert namesake_elf
val rows_namesake "$(rows)"; val loaded_namesake "$(grep -c '^dynamos_namesake' /proc/modules || true)"
d stop
dmesg | grep -E 'fifo_sticky|bad_failing_hook|bad_failing_post_hook|namesake_elf' | no_timestamps
