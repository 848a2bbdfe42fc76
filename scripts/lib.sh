# Shared shell functions for ./dynamos, ./run-tests and .ci/run. Source it; do not run it.

# Prints the home of a JDK >= 25 (java and javac): $JAVA_HOME first, then /usr/lib/jvm/*.
find_jdk() {
	local c major
	for c in ${JAVA_HOME:-} /usr/lib/jvm/*; do
		[ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
		# The JDK's release file names its version; starting a JVM to ask costs seconds in the VM.
		major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$c/release" 2>/dev/null)
		[ -n "$major" ] || major=$("$c/bin/java" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
		if [ -n "$major" ] && [ "$major" -ge 25 ]; then
			echo "$c"
			return 0
		fi
	done
	cat >&2 <<-MSG
	dynamos: no JDK 25 or newer found (looked at \$JAVA_HOME and /usr/lib/jvm/*).
	    Install one, e.g. 'apt-get install openjdk-25-jdk' where Debian has it, or unpack
	    Temurin 25 under /usr/lib/jvm; or point JAVA_HOME at it.
	MSG
	return 1
}

# Makes sure Maven is installed, for building the toolchain.
ensure_maven() {
	command -v mvn >/dev/null 2>&1 && return 0
	ensure_packages "building the toolchain" /usr/bin/mvn maven
}

# Makes sure the browser of the Control Center's tests is installed: Debian's chromium and chromium-driver
# (the tests never download a browser). Only the test command needs it.
ensure_test_browser() {
	[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
	ensure_packages "the browser tests" "" chromium chromium-driver
}

# The JVM's ahead-of-time cache for JAR (classes loaded and linked once, JEP 483): JAR with ".aot" for
# ".jar". A JVM start in the emulated VM spends most of its seconds loading classes; with the cache
# about a third less. Made on the host by a run of "--help" (which loads every command's classes and
# has no effect), whenever the jar is newer; never in the VM (read-only tree). The JVM checks the
# jar's size and time itself and ignores a stale cache (-Xlog:aot=off keeps that quiet). The cache
# holds classes only, no machine code: adapters made for the host's CPU (AVX-512) died of SIGILL on
# the VM's emulated CPU. DYNAMOS_AOT_FLAGS must be given both when making and when using it (the
# commands dynamos runs in the VM itself use the same list, Self.AOT_CACHE_OPTIONS).
aot_cache_of() { echo "${1%.jar}.aot"; }
DYNAMOS_AOT_FLAGS="-XX:+UnlockDiagnosticVMOptions -XX:-AOTAdapterCaching -XX:-AOTStubCaching -Xlog:aot=off"
ensure_aot_cache() {
	local jar=$1 cache tmp
	cache=$(aot_cache_of "$jar")
	[ "$cache" -nt "$jar" ] && return 0
	tmp="$cache.$$"
	if "$DYNAMOS_JDK/bin/java" -Xint $DYNAMOS_JVM_FLAGS $DYNAMOS_AOT_FLAGS -XX:AOTCacheOutput="$tmp" -jar "$jar" --help \
		>/dev/null 2>&1 && [ -s "$tmp" ]; then
		mv -f "$tmp" "$cache"
	else
		rm -f "$tmp" "$tmp.config"
	fi
	return 0
}
# Flags of every short-lived dynamos JVM: the serial collector starts fastest; no perf data file.
DYNAMOS_JVM_FLAGS="-XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED"

# Makes sure Debian packages are installed: apt-get as root, its output in a log file under the cache, a
# failure shows the log's tail. $1: what needs them (for the messages); $2: a file that exists once they
# are installed (checked first, so a second run costs nothing; "" if the caller checks); the rest: the packages.
ensure_packages() {
	local purpose="$1" marker="$2" logs log
	shift 2
	[ -n "$marker" ] && [ -e "$marker" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "dynamos: $purpose needs $*; install as root: apt-get install $*" >&2
		return 1
	fi
	logs="${DYNAMOS_CACHE:-$HOME/.cache/dynamos}/logs"
	mkdir -p "$logs" || return 1
	log="$logs/apt-$1-$(date +%Y%m%d-%H%M%S).log"	# named for the first package
	echo "==> Installing $* for $purpose (apt-get, first run only; log: $log)" >&2
	if ! { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" ||
		{ apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; }; } \
		>"$log" 2>&1; then
		echo "dynamos: installing $* failed; the last lines of $log:" >&2
		tail -n 10 "$log" | sed 's/^/    /' >&2
		return 1
	fi
	echo "    installed $*" >&2
}

# Makes sure Debian's Zydis 4 (the x86 decoder `dynamos analyze` calls through FFM) and its headers (the
# layout test compiles against them) are installed.
ensure_zydis() {
	ensure_packages "decoding machine code (dynamos analyze)" /usr/include/Zydis/Zydis.h libzydis-dev
}

# Makes sure Debian's DKMS is installed: the package test installs the .deb in the VM, whose root is the
# host's, and DKMS builds dynamos.ko there. Only the test command needs it on the host.
ensure_dkms() {
	ensure_packages "the package test (DKMS in the VM)" /usr/sbin/dkms dkms
}

# Runs Maven with the JDK found by find_jdk, in batch mode without colour codes.
run_maven() {
	JAVA_HOME="$DYNAMOS_JDK" mvn -B -Dstyle.color=never "$@"
}
