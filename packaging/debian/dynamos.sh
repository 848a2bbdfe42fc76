#!/bin/sh
# The dynamos command as the Debian package installs it: the package's own Java runtime runs the jar.
# A short-lived command: the client compiler and the serial collector start fastest. Inside the
# DynAMOS VM (emulated CPU) the JVM runs interpreted: JIT-compiled code crashes now and then there.
if [ -n "${DYNAMOS_IN_VM:-}" ]; then
	jvm="-Xint"
else
	jvm="-XX:TieredStopAtLevel=1"
fi
exec /usr/lib/dynamos/runtime/bin/java $jvm -XX:+UseSerialGC -XX:-UsePerfData --enable-native-access=ALL-UNNAMED \
	-jar /usr/share/dynamos/dynamos.jar "$@"
