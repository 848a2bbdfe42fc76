# Guest side of bench/pipe-profile: one boot, -icount (guest ns = instructions).
# Args: BYTES FRAMEWORK_KO BEFORE_KO AFTER_KO PIPETOOL JAR JAVA
# For the stock pipe and each update (final versions): instructions per 4 KiB page with 64 KiB,
# 256 KiB and 1 MiB reads (1 MiB writes), context switches, and ftrace function-tracer call counts
# of the page allocator, the release of pipe buffers and the scheduler over 8 MiB.
set -e
BYTES=$1 FRAMEWORK=$2 BEFORE=$3 AFTER=$4 JAR=$6 JAVA=$7
cp "$5" /tmp/pipetool	# from RAM: a 9p exec between timestamps would add host I/O time
PT=/tmp/pipetool
D="$JAVA -Xint -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -jar $JAR"
d() { $D "$@"; }
ctxt() { sed -n 's/^ctxt //p' /proc/stat; }
# measure KEY READ_SIZE [BYTES]
measure() {
	c0=$(ctxt)
	"$PT" fill "${3:-$BYTES}" 1048576 | "$PT" sink --no-hash "$2" > /tmp/sink.out
	c1=$(ctxt)
	echo "@@ $1 r=$2 bytes=${3:-$BYTES} ctxt=$((c1 - c0)) $(tr '\n' ' ' < /tmp/sink.out)"
}
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null || true
FUNCS="__alloc_pages free_unref_page anon_pipe_buf_release schedule __wake_up_sync_key"
# count KEY: calls of $FUNCS while 8 MiB go through the pipe in 64 KiB reads.
count() {
	echo 0 > $T/tracing_on; echo nop > $T/current_tracer; echo 16384 > $T/buffer_size_kb
	: > $T/set_ftrace_filter
	for f in $FUNCS; do echo "$f" >> $T/set_ftrace_filter; done
	echo function > $T/current_tracer; : > $T/trace; echo 1 > $T/tracing_on
	measure "$1" 65536 8388608 > /dev/null
	echo 0 > $T/tracing_on
	printf "@@calls %s" "$1"
	for f in $FUNCS; do printf " %s=%s" "$f" "$(grep -c " $f <-" $T/trace)"; done
	echo
	echo nop > $T/current_tracer; : > $T/set_ftrace_filter
}
config() {
	measure "$1" 65536; measure "$1" 65536
	measure "$1" 262144; measure "$1" 1048576
	count "$1"
}
measure warmup 65536
config stock
d start --module "$FRAMEWORK"
for v in before after; do
	if [ $v = before ]; then u=$BEFORE; else u=$AFTER; fi
	d apply "$u" > /dev/null
	DYNAMOS="$D" sh "$(dirname "$0")/../../examples/pipe_adaptive/finish" 60 > /dev/null
	config $v
	d revert pipe_adaptive --timeout 30 > /dev/null
done
d stop > /dev/null
