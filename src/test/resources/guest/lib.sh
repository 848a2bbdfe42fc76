# Sourced by every guest scenario of the end-to-end tests (dynamos.testing.FrameworkGuest runs them
# as "sh -e SCENARIO.sh" in the VM, with the variables below in the environment):
#   FRAMEWORK TARGET UPDATE LIVEPATCH COMING   dynamos.ko and the test modules built for the guest kernel
#   DYNCTL PIPETOOL                            the C test clients
#   DYNAMOS_TEST_JAVA DYNAMOS_TEST_CLASSPATH   the JVM and class path of the test command server
#   DYNAMOS_TEST_JAR                           the packaged dynamos jar
# It gives the scenarios: d (the dynamos command, answered by one long-lived JVM), $DYNAMOS (the same
# for scripts run with sh), $DYNAMOS_JVM (the real command line in a fresh JVM), start, target, field,
# wait_field, val, expect_fail, scenario_dmesg and no_timestamps. Values for the Java side are printed as "@@ key=value" lines.
set -e
for v in FRAMEWORK TARGET UPDATE LIVEPATCH COMING DYNCTL PIPETOOL DYNAMOS_TEST_JAVA DYNAMOS_TEST_CLASSPATH DYNAMOS_TEST_JAR; do
	eval "[ -n \"\${$v}\" ]" || { echo "lib.sh: $v is not set (the scenarios are run by dynamos.testing.FrameworkGuest)" >&2; exit 64; }
done

JVM_FLAGS="-XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED"
# The jar's AOT cache, made on the host (FrameworkGuest): a JVM starts seconds faster under TCG.
JVM_FLAGS="$JVM_FLAGS ${DYNAMOS_TEST_AOT_OPTIONS:-}"
CLIENT="$PWD/src/test/sh/dynamos-client"

# One JVM answers every d: interpreted start-up costs seconds per command under TCG. Scenarios run one
# after another in one boot (scenarios.sh) share the one the first of them started.
server_alive() {
	server_pid=$(cat /tmp/dynamos-server/pid 2>/dev/null) && [ -n "$server_pid" ] \
		&& read -r _ _ state _ < "/proc/$server_pid/stat" 2>/dev/null && [ "$state" != Z ]
}
if ! server_alive; then
	rm -rf /tmp/dynamos-server
	mkdir -p /tmp/dynamos-server && mkfifo /tmp/dynamos-server/request
	# Started from a subshell: not a job of the script, so the script's "wait" does not wait for it.
	("$DYNAMOS_TEST_JAVA" -XX:TieredStopAtLevel=1 $JVM_FLAGS -cp "$DYNAMOS_TEST_CLASSPATH" \
		dynamos.testing.CommandServer /tmp/dynamos-server \
		</dev/null >/tmp/dynamos-server/server.log 2>&1 & echo $! > /tmp/dynamos-server/pid)
fi

# For scripts run with sh (word-split, so no blanks in these paths).
DYNAMOS="$CLIENT /tmp/dynamos-server"
d() { "$CLIENT" /tmp/dynamos-server "$@"; }
# The dynamos command as its own process, as users run it.
DYNAMOS_JVM="$DYNAMOS_TEST_JAVA -Xint $JVM_FLAGS -jar $DYNAMOS_TEST_JAR"

# start: the framework via the tool, then the test modules.
start() { d start --module "$FRAMEWORK" && insmod "$TARGET" && insmod "$UPDATE"; }
# target COUNT A B: the target module calls dynamos_target_fn COUNT times with arguments A and B.
target() { echo "$1 $2 $3" > /proc/dynamos_target; }
# field KEY FILE: the value of KEY=VALUE in a one-line status file.
field() { tr ' ' '\n' < "$2" | sed -n "s/^$1=//p"; }
# wait_field KEY FILE VALUE: waits (up to 10 s) until the field reads VALUE; fails otherwise.
wait_field() {
	i=0
	while [ "$(field "$1" "$2")" != "$3" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ "$(field "$1" "$2")" = "$3" ]
}
# val KEY VALUE: reports a value to the Java side.
val() { echo "@@ $1=$2"; }
# expect_fail CMD...: the command must fail; its stderr is shown and kept in $ERR.
expect_fail() {
	if ERR=$("$@" 2>&1); then echo "UNEXPECTED SUCCESS: $*"; return 1; fi
	echo "expected failure: $ERR"
}
# scenario_dmesg: the kernel log since this scenario began (an earlier scenario of the same boot logged
# before it).
SCENARIO_MARK="scenario $(basename "$0" .sh) begins (shell $$)"
echo "$SCENARIO_MARK" > /dev/kmsg
scenario_dmesg() { dmesg | sed -n "/] $SCENARIO_MARK\$/,\$p"; }
# no_timestamps: kernel log lines without their [time] prefix.
no_timestamps() { sed 's/^\[[^]]*\] //'; }
