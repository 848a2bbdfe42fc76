# The Debian package in the guest, second boot under systemd (PackageIT): what the disk kept from the first
# boot (the package's files, dpkg's record, DKMS's tree and module, /var/lib/dynamos) was unpacked before
# systemd started, so dynamos.service ran at boot. It applied the
# installed update: the unit's status and journal say so and /proc/version shows it. Then uninstall,
# revert, and purge, which leaves nothing behind.
set -e
val() { echo "@@ $1=$2"; }
K=$(uname -r)

val unit_active "$(systemctl is-active dynamos.service || true)"
val unit_result "$(systemctl show -p Result --value dynamos.service)"
systemctl status --no-pager dynamos.service || true
journalctl -u dynamos.service --no-pager -o cat > /tmp/journal.txt || true
cat /tmp/journal.txt
val journal_applied "$(grep -c '^applied boot_version$' /tmp/journal.txt || true)"
val journal_summary "$(grep 'already applied' /tmp/journal.txt | tail -n 1)"
val boot_version "$(grep -c 'DynAMOS boot_version update applied' /proc/version || true)"
val listed "$(dynamos list --installed --json)"

dynamos uninstall boot_version
val installed_after_uninstall "$(ls /var/lib/dynamos/updates | wc -l)"
val still_applied "$(grep -c 'DynAMOS boot_version update applied' /proc/version || true)"
dynamos stop
val stopped_version "$(grep -c 'DynAMOS boot_version update applied' /proc/version || true)"

# As in the first boot: no man-db re-index in the purge's trigger.
rm -f /var/lib/man-db/auto-update
dpkg --purge dynamos
left=""
for p in /usr/bin/dynamos /usr/share/dynamos /usr/lib/dynamos /usr/src/dynamos-* /usr/include/dynamos \
	/lib/systemd/system/dynamos.service /etc/systemd/system/sysinit.target.wants/dynamos.service \
	/var/lib/dynamos /var/lib/dkms/dynamos "/lib/modules/$K/updates/dkms/dynamos.ko" \
	/usr/share/man/man8/dynamos.8.gz /usr/share/bash-completion/completions/dynamos; do
	if [ -e "$p" ] || [ -L "$p" ]; then left="$left $p"; fi
done
val left_after_purge "${left:-none}"
val dpkg_status "$(dpkg-query -W -f='${Status}' dynamos 2>&1 || true)"
