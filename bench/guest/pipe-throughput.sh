# Guest side of bench/pipe-throughput: one boot, -icount (guest ns = instructions).
# Args: BYTES FRAMEWORK_KO UPDATE_KO PIPETOOL JAR JAVA
set -e
BYTES=$1 FRAMEWORK=$2 UPDATE=$3 PT=$4 JAR=$5 JAVA=$6
d() { "$JAVA" -Xint -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -jar "$JAR" "$@"; }
now() { cat /proc/uptime | cut -d' ' -f1; }
ns() { date +%s%N; }
measure() {
	t0=$(ns)
	"$PT" fill "$BYTES" 1048576 | "$PT" sink --no-hash > /tmp/sink.out
	t1=$(ns)
	echo "@@ $1 ns=$((t1 - t0)) $(tr '\n' ' ' < /tmp/sink.out)"
}
d start --module "$FRAMEWORK"
measure stock
d apply "$UPDATE"
measure adapting
DYNAMOS="$JAVA -Xint -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED -jar $JAR" \
	sh "$(dirname "$0")/../../examples/pipe_adaptive/finish" 60
measure final
d revert pipe_adaptive --timeout 30
measure reverted
d stop
