#!/bin/busybox sh
# PID 1 of the DynAMOS guest (written into the initramfs by dynamos.vm.Initramfs).
#
# Mounts the host's root filesystem read-only over 9p as the guest's root, gives the guest
# tmpfs where it must write, runs the command the host wrote into the run directory, saves
# the kernel log and the exit status there, and powers off.
#
# Kernel command line parameters read here:
#   dynamos.run=DIR     host run directory, shared writable at the same path (command.sh in it)
#   dynamos.share=DIR   optional host directory shared writable at the same path
#   dynamos.net=1       a network card is there (ports forwarded from the host): bring it up as 10.0.2.15
#   dynamos.systemd=1   boot the host's systemd as PID 1; the command runs as a service of it (after
#                       RUN/before-systemd.sh, if there, ran here), and the service powers off
/bin/busybox --install -s /bin
export PATH=/bin

say() { echo "dynamos-init: $*" > /dev/ttyS0; }
fail() { say "$*"; echo "DYNAMOS_EXIT=125" > /dev/ttyS0; poweroff -f; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

for m in $(cat /lib/modules/load-order); do
	insmod "/lib/modules/$m" || fail "cannot load $m"
done

RUN=
SHARE=
NET=
SYSTEMD=
for a in $(cat /proc/cmdline); do
	case "$a" in
	dynamos.run=*) RUN="${a#dynamos.run=}" ;;
	dynamos.share=*) SHARE="${a#dynamos.share=}" ;;
	dynamos.net=1) NET=1 ;;
	dynamos.systemd=1) SYSTEMD=1 ;;
	esac
done
[ -n "$RUN" ] || fail "no dynamos.run= on the kernel command line"

R=/newroot
OPTS=trans=virtio,version=9p2000.L,msize=512000
# cache=loose: the host root is read-only and does not change under the guest, so caching is safe and
# makes starting a JVM from it several times faster.
# The host's root, read-only, under a tmpfs overlay: every host path is visible (a repository under
# /tmp too) and the guest may write anywhere, but its writes stay in guest memory.
mkdir -p /lower /rw
mount -t 9p -o "ro,$OPTS,cache=loose" hostroot /lower || fail "cannot mount the host root over 9p"
mount -t tmpfs -o mode=755 tmpfs /rw && mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay $R \
	|| fail "cannot mount the overlay on the host root"
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm
# What udev makes on a real machine: bash's <(...) and tools such as DKMS need /dev/fd.
ln -sf /proc/self/fd $R/dev/fd
ln -sf /proc/self/fd/0 $R/dev/stdin
ln -sf /proc/self/fd/1 $R/dev/stdout
ln -sf /proc/self/fd/2 $R/dev/stderr
mount -t devpts devpts $R/dev/pts
mount -t tmpfs tmpfs $R/dev/shm
mount -t tmpfs -o mode=755 tmpfs $R/run
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mount -t securityfs securityfs $R/sys/kernel/security 2>/dev/null

# The guest kernel's modules, so that modprobe works inside.
KVER=$(uname -r)
MODS=$(cat /lib/modules/host-path 2>/dev/null)
if [ -n "$MODS" ] && [ -d "$R$MODS" ]; then
	mkdir -p "$R/lib/modules/$KVER" && mount -o bind "$R$MODS" "$R/lib/modules/$KVER"
	# As Debian's linux-image package does: build/ names the kernel's headers (DKMS looks there).
	if [ ! -e "$R/lib/modules/$KVER/build" ] && [ -d "$R/usr/src/linux-headers-$KVER" ]; then
		ln -s "/usr/src/linux-headers-$KVER" "$R/lib/modules/$KVER/build" 2>/dev/null
	fi
fi

# Loopback always: servers in the guest bind 127.0.0.1. The card of forwarded ports: QEMU's user network
# gives the guest 10.0.2.15 and the host 10.0.2.2; the driver comes from the guest kernel's modules.
ip link set lo up
if [ -n "$NET" ]; then
	chroot $R /sbin/modprobe virtio_net || say "cannot load virtio_net: forwarded ports will not answer"
	IF=$(ls $R/sys/class/net | grep -v '^lo$' | head -n 1)
	if [ -n "$IF" ]; then
		ip addr add 10.0.2.15/24 dev "$IF" && ip link set "$IF" up || say "cannot bring up $IF"
	else
		say "no network card found: forwarded ports will not answer"
	fi
fi

# Writable shares: written through to the host.
mkdir -p "$R$RUN" 2>/dev/null
mount -t 9p -o "$OPTS" rundir "$R$RUN" || fail "cannot mount the run directory $RUN"
if [ -n "$SHARE" ]; then
	mkdir -p "$R$SHARE" 2>/dev/null
	mount -t 9p -o "$OPTS" share "$R$SHARE" || fail "cannot mount the shared directory $SHARE"
fi

# The command's output goes to the second serial port, which the host streams; the first one
# carries the kernel console into the console log.
stty -F /dev/ttyS1 raw -echo 2>/dev/null

# Under systemd: the same steps as below, as a service that runs once basic.target is reached (after
# early units such as dynamos.service), then powers off at once.
if [ -n "$SYSTEMD" ]; then
	if [ -f "$R$RUN/before-systemd.sh" ]; then
		say "running before-systemd.sh"
		chroot $R /bin/sh "$RUN/before-systemd.sh" > /dev/ttyS1 2>&1 < /dev/null \
			|| say "before-systemd.sh exited $?"
	fi
	cat > $R/etc/dynamos-vm-command <<-SCRIPT
	#!/bin/sh
	/bin/sh "$RUN/command.sh" > /dev/ttyS1 2>&1 < /dev/null
	rc=\$?
	dmesg > "$RUN/kernel.log"
	echo "\$rc" > "$RUN/exit-status"
	sync
	echo "DYNAMOS_EXIT=\$rc" > /dev/ttyS0
	systemctl poweroff --force --force
	SCRIPT
	chmod 755 $R/etc/dynamos-vm-command
	# The guest's /tmp is the host's (a checkout, the command's files, a share may be there): Debian's
	# tmpfiles.d/tmp.conf would empty it at boot ("D"); this one of the same name only makes sure it exists.
	mkdir -p $R/etc/tmpfiles.d
	echo "d /tmp 1777 root root -" > $R/etc/tmpfiles.d/tmp.conf
	mkdir -p $R/etc/systemd/system/multi-user.target.wants
	cat > $R/etc/systemd/system/dynamos-vm-command.service <<-UNIT
	[Unit]
	Description=The dynamos vm command
	After=basic.target
	[Service]
	Type=oneshot
	ExecStart=/etc/dynamos-vm-command
	UNIT
	ln -sf ../dynamos-vm-command.service $R/etc/systemd/system/multi-user.target.wants/
	say "starting systemd"
	exec switch_root $R /lib/systemd/systemd
fi
say "running command"
chroot $R /bin/sh "$RUN/command.sh" > /dev/ttyS1 2>&1 < /dev/null
rc=$?
dmesg > "$R$RUN/kernel.log"
echo "$rc" > "$R$RUN/exit-status"
sync
echo "DYNAMOS_EXIT=$rc" > /dev/ttyS0
umount "$R$RUN" 2>/dev/null
poweroff -f
