# Guest side of bench/pipe-throughput: one boot, -icount (guest ns = instructions).
# Args: BYTES FRAMEWORK_KO UPDATE_KO PIPETOOL JAR JAVA
# Each measurement is timed by the reader itself (pipetool sink: CLOCK_MONOTONIC from its first
# read to EOF), and pipetool runs from the guest's RAM: a program started from the host's 9p file
# system between two timestamps would add host I/O latency to the guest clock (icount advances
# with real time while the vCPU waits).
set -e
BYTES=$1 FRAMEWORK=$2 UPDATE=$3 JAR=$5 JAVA=$6
cp "$4" /tmp/pipetool
PT=/tmp/pipetool
d() { "$JAVA" -Xint -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -jar "$JAR" "$@"; }
ctxt() { sed -n 's/^ctxt //p' /proc/stat; }
# measure KEY READ_SIZE: BYTES in 1 MiB writes, read in READ_SIZE reads.
measure() {
	c0=$(ctxt)
	"$PT" fill "$BYTES" 1048576 | "$PT" sink --no-hash "$2" > /tmp/sink.out
	c1=$(ctxt)
	echo "@@ $1 ctxt=$((c1 - c0)) $(tr '\n' ' ' < /tmp/sink.out)"
}
measure warmup 65536
d start --module "$FRAMEWORK"
measure stock 65536
measure stock_r1m 1048576
d apply "$UPDATE"
measure adapting 65536
DYNAMOS="$JAVA -Xint -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -jar $JAR" \
	sh "$(dirname "$0")/../../examples/pipe_adaptive/finish" 60
measure final 65536
measure final_r256k 262144
measure final_r1m 1048576
cat /proc/dynamos_pipe_adaptive
d revert pipe_adaptive --timeout 30
measure reverted 65536
d stop
