# Runs the scenarios named in its arguments one after another in one boot (dynamos.testing.ScenarioBatch):
# each as FrameworkGuest.runScenario runs it alone (sh -e NAME.sh, here with runScenario's limit of 10
# minutes), its output between a line "@@@ scenario NAME" and, after a newline of its own, a line
# "@@@ exit NAME STATUS". They share the test command server the first of them started (lib.sh): a boot and a JVM
# start less per scenario. After each, the framework is stopped and every module loaded since the boot
# unloaded, so that the next starts as on a fresh boot; if that fails, the rest do not run.
here="$(dirname "$0")"
CLIENT="$PWD/src/test/sh/dynamos-client"
cut -d' ' -f1 /proc/modules > /tmp/scenarios.boot-modules
# Modules loaded since the boot, newest first (as /proc/modules lists them), one a line.
loaded_since_boot() { cut -d' ' -f1 /proc/modules | grep -vxF -f /tmp/scenarios.boot-modules || true; }
reset() {
	if grep -q '^dynamos ' /proc/modules; then
		"$CLIENT" /tmp/dynamos-server stop || echo "scenarios.sh: dynamos stop failed"
	fi
	# Dependent modules first: a few rounds for modules that use one another.
	for round in 1 2 3; do
		for m in $(loaded_since_boot); do rmmod "$m" 2>/dev/null || true; done
	done
	[ -z "$(loaded_since_boot)" ]
}
for name in "$@"; do
	echo "@@@ scenario $name"
	status=0
	timeout 600 sh -e "$here/$name.sh" 2>&1 || status=$?
	printf '\n@@@ exit %s %s\n' "$name" "$status"
	if ! reset; then
		echo "scenarios.sh: still loaded after $name:" $(loaded_since_boot)
		exit 1
	fi
done
