# The Debian package in the guest, first boot (PackageIT): dpkg installs it and the postinst's DKMS add and
# install put dynamos.ko in place for the guest's kernel; man pages render, bash completion loads;
# /usr/bin/dynamos applies and reverts an update, installs it for the boot, and refuses bad input. What the next
# boot keeps of a real disk is packed into $KEEP. Environment: DEB (the package), UPDATE_KO (boot_version built
# for this kernel), KEEP (shared dir), DKMS_BUILT (DKMS's tree of its build of the package for this kernel, made
# on the host; empty: DKMS compiles here).
set -e
val() { echo "@@ $1=$2"; }
K=$(uname -r)

T0=$(date +%s)
# man-db's trigger re-indexes every manual page (minutes under TCG) while /var/lib/man-db/auto-update exists;
# nothing here reads the index.
rm -f /var/lib/man-db/auto-update
# DKMS's compile of dynamos.ko (make in kbuild, 20 units) took 4 to 13 minutes of emulated CPU here. Unless
# DKMS_BUILT is empty (-Ddynamos.it.dkmsInGuest=true), it is DKMS's tree of the same build, with the package's
# source and dkms.conf and this kernel's headers (the guest's root is the host's), made natively on the host;
# its built module goes where DKMS keeps one, without the source link that marks a module added. So the
# postinst's `dkms add` still runs, and its `dkms install` finds the module built and installs it. The host's
# signing key goes where DKMS keeps its own (DKMS would make one, slowly under TCG, to sign what it builds).
V=$(dpkg-deb -f "$DEB" Version)
if [ -n "${DKMS_BUILT:-}" ]; then
	mkdir -p "/var/lib/dkms/dynamos/$V"
	cp -a "$DKMS_BUILT/dynamos/$V/$K" "/var/lib/dkms/dynamos/$V/"
fi
cp "$KEEP/mok.key" "$KEEP/mok.pub" /var/lib/dkms/
dpkg -i "$DEB"
val seconds_dpkg $(( $(date +%s) - T0 ))
val dkms_status "$(dkms status -m dynamos -k "$K" | tr -d '\n')"
val module_built "$(test -f "/lib/modules/$K/updates/dkms/dynamos.ko" && echo yes || echo no)"
val unit_enabled "$(test -L /etc/systemd/system/sysinit.target.wants/dynamos.service && echo yes || echo no)"
val state_dir "$(stat -c %a /var/lib/dynamos)"

# Manual pages: every command has one; man renders them (ManPagesTest has groff check every page for warnings).
val man_pages "$(ls /usr/share/man/man8/dynamos*.8.gz | wc -l)"
val man_install "$(MANWIDTH=100 man -l /usr/share/man/man8/dynamos-install.8.gz 2>/dev/null | col -b | grep -c 'var/lib/dynamos/updates' || true)"
# Completion: the script loads in bash and completes a command name and an option.
val completion "$(bash -c '. /usr/share/bash-completion/completions/dynamos; complete -p dynamos >/dev/null &&
	COMP_WORDS=(dynamos unin); COMP_CWORD=1; COMP_LINE="dynamos unin"; COMP_POINT=${#COMP_LINE}; _complete_dynamos;
	echo "${COMPREPLY[*]}"')"
val completion_option "$(bash -c '. /usr/share/bash-completion/completions/dynamos;
	COMP_WORDS=(dynamos list --inst); COMP_CWORD=2; COMP_LINE="dynamos list --inst"; COMP_POINT=${#COMP_LINE};
	_complete_dynamos; echo "${COMPREPLY[*]}"')"

# The installed command: start (DKMS's module), apply, revert.
dynamos start
val loaded_from "$(cat /sys/module/dynamos/srcversion >/dev/null && modinfo -n dynamos 2>/dev/null || true)"
dynamos apply "$UPDATE_KO"
val applied_version "$(grep -c 'DynAMOS boot_version update applied' /proc/version || true)"
dynamos revert boot_version
val reverted_version "$(grep -c 'DynAMOS boot_version update applied' /proc/version || true)"

# Installed for the boot, not applied now.
dynamos install "$UPDATE_KO"
val installed_json "$(dynamos list --installed --json)"
val installed_applied_now "$(grep -c 'DynAMOS boot_version update applied' /proc/version || true)"
# Bad input changes nothing.
if dynamos install "$UPDATE_KO" 2>/tmp/err; then val twice ok; else val twice "rc=$? $(cat /tmp/err)"; fi
if dynamos install /etc/hostname 2>/tmp/err; then val not_a_module ok; else val not_a_module "rc=$? $(cat /tmp/err)"; fi
if dynamos uninstall no_such_update 2>/tmp/err; then val uninstall_unknown ok; else val uninstall_unknown "rc=$? $(cat /tmp/err)"; fi
val installed_count "$(ls /var/lib/dynamos/updates | wc -l)"
dynamos stop

# What a disk keeps across the reboot: every file of the package and every file its scripts and DKMS wrote
# (the guest's own writes stay in memory, so they are packed into $KEEP for the next boot to unpack).
val seconds_commands $(( $(date +%s) - T0 ))
{
	dpkg -L dynamos | while read -r f; do if [ -f "$f" ] || [ -L "$f" ]; then echo "$f"; fi; done
	echo /var/lib/dpkg/status
	ls /var/lib/dpkg/info/dynamos.*
	printf '%s\n' /var/lib/dynamos /var/lib/dkms /etc/systemd/system/sysinit.target.wants/dynamos.service
	# deb-systemd-helper's record of what it enabled, which purge reads to take the link away again.
	find /var/lib/systemd/deb-systemd-helper-enabled -name '*dynamos*'
	echo "/lib/modules/$K/updates"
	ls "/lib/modules/$K"/modules.*
} > /tmp/kept-files
tar -cf "$KEEP/disk.tar" -T /tmp/kept-files
val kept "$(tar -tf "$KEEP/disk.tar" | grep -c .)"
