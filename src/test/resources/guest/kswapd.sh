# KswapdIT: examples/kswapd ($KSWAPD, built) in a small-memory VM. kswapd0 moved live onto kswapd_v2
# with dynamos apply; memory pressure (page cache read from the host tree, then a process touching
# more anonymous memory than is free; the guest has no swap) makes kswapd_v2 reclaim: it counts its
# rounds in /proc/dynamos_kswapd. dynamos revert moves it back onto the stock kswapd, which then
# reclaims under pressure again. Second path: insmod and the control scripts.
. "$(dirname "$0")/lib.sh"

P=/proc/dynamos_kswapd
mem() { sed -n "s/^$1: *\([0-9]*\) kB/\1/p" /proc/meminfo; }
vmstat() { sed -n "s/^$1 //p" /proc/vmstat; }
kswapd_pid() { grep -lx kswapd0 /proc/[0-9]*/comm 2>/dev/null | cut -d/ -f3 || true; }
# stack PID: the task's kernel stack on one line (empty while it runs on a CPU: retried).
stack() {
	i=0 s=""
	while [ -z "$s" ] && [ $i -lt 50 ]; do s=$(tr '\n' ' ' < /proc/"$1"/stack); i=$((i + 1)); [ -n "$s" ] || sleep 0.02; done
	echo "$s"
}
# cache_files: big files of the host tree, largest first (the test JDK's, the system's libraries):
# reading them fills the page cache, which is what reclaim can free (the guest has no swap).
cache_files() {
	jh=$(dirname "$(dirname "$DYNAMOS_TEST_JAVA")")
	ls -S "$jh"/lib/modules "$jh"/lib/src.zip "$jh"/lib/*.so "$jh"/jmods/*.jmod /usr/lib/x86_64-linux-gnu/*.so* 2>/dev/null || true
}
# pressure TAG: fills the page cache, then touches more anonymous memory than is free (half of what
# reclaim can give back on top); reports whether the process completed.
pressure() {
	free=$(($(mem MemFree) / 1024))
	cache_files | xargs cat 2>/dev/null |
		dd of=/dev/null bs=1M count=$((free > 96 ? free - 64 : 32)) iflag=fullblock 2>/dev/null || true
	free=$(($(mem MemFree) / 1024)) avail=$(($(mem MemAvailable) / 1024))
	n=$((free + (avail - free) / 2))
	echo "$1: MemFree $free MiB, MemAvailable $avail MiB, Cached $(($(mem Cached) / 1024)) MiB: touching $n MiB"
	if python3 -c "b = b'\x01' * ($n << 20); print('touched', len(b) >> 20, 'MiB')"; then
		val "${1}_completed" yes
	else
		val "${1}_completed" "no ($?)"
	fi
}

d start --module "$FRAMEWORK"
PID0=$(kswapd_pid)
val pid0 "$PID0"

# ---- dynamos apply ---------------------------------------------------------------------------
d apply "$KSWAPD"
cat $P
PID1=$(kswapd_pid)
val pid1 "$PID1"
val version1 "$(field version $P)"
val main1 "$(field main $P)"
val proc_pid1 "$(field pid $P)"
val old_gone "$(test -d /proc/"$PID0" && echo no || echo yes)"
val stack1 "$(stack "$PID1")"
steal=$(vmstat pgsteal_kswapd)
pressure v2
cat $P
val rounds "$(field rounds $P)"
val steal_v2 $(($(vmstat pgsteal_kswapd) - steal))
val pid_after_pressure "$(kswapd_pid)"
d list

# ---- dynamos revert --------------------------------------------------------------------------
d revert kswapd
PID2=$(kswapd_pid)
val pid2 "$PID2"
val proc_after_revert "$(test -e $P && echo present || echo gone)"
val stack2 "$(stack "$PID2")"
val kswapd_threads "$(cat /proc/[0-9]*/comm 2>/dev/null | grep -c '^kswapd0$' || true)"
steal=$(vmstat pgsteal_kswapd)
pressure stock
val steal_stock $(($(vmstat pgsteal_kswapd) - steal))
val pid_stock_after_pressure "$(kswapd_pid)"

# ---- insmod and the control scripts ----------------------------------------------------------
insmod "$KSWAPD"
d run examples/kswapd/activate.dynamos
PID3=$(kswapd_pid)
val pid3 "$PID3"
val version3 "$(field version $P)"
val stack3 "$(stack "$PID3")"
d run examples/kswapd/deactivate.dynamos
rmmod dynamos_example_kswapd
PID4=$(kswapd_pid)
val pid4 "$PID4"
val stack4 "$(stack "$PID4")"
val uninterruptible "$(grep -l '^State:.*D (disk sleep)' /proc/[0-9]*/status 2>/dev/null | wc -l)"
d stop
dmesg | grep -E 'dynamos: kswapd' | no_timestamps
