# Updates made from source patches by 'dynamos generate' (GenerateIT) on the host, applied and reverted live:
#   GEN_CMDLINE   cmdline-string.patch: fs/proc/cmdline.c's handler prints the command line with a suffix
#   GEN_VERSION   new-function-and-data.patch: /proc/version counts its reads in new data, through a new function
#   GEN_GETPPID   syscall-getppid.patch: getppid() answers 4242 to a program called ppid-probe
#   GEN_INLINED   inlined-static.patch: fs/proc/generic.c's functions that inline a changed static, with new data,
#                 run while /proc entries come and go (the target module's) and /proc directories are read
#   GEN_UNAME     syscall-newuname.patch: uname() reports another node name to a program called uname-probe; its
#                 __do_sys_newuname has no ftrace site, so its callers __x64_sys_newuname and __ia32_sys_newuname
#                 are replaced
#   GEN_HEADER    header-inline.patch: a changed inline of fs/proc/fd.h; the functions of fs/proc/fd.c that use it
#                 are replaced and run while /proc/PID/fd and fdinfo are read
#   GEN_SHADOW    shadow-fork.patch: two units; a task forked under the update gets klp_shadow data (its parent's
#                 tgid), shown in /proc/PID/status, freed at exit; its kpatch-style hooks say when they run (a load
#                 hook after apply, a post-unpatch callback freeing every shadow after revert)
. "$(dirname "$0")/lib.sh"

cp /bin/bash /tmp/ppid-probe
# probe: what the probe gets from getppid(), and its parent's pid.
probe() { sh -c '/tmp/ppid-probe -c "echo \$PPID"; echo $$' | tr '\n' ' ' | sed 's/ $//'; }
same_pids() { set -- $1; [ "$1" = "$2" ] && echo same || echo "different: $1 $2"; }

d start --module "$FRAMEWORK"
val cmdline_before "$(cat /proc/cmdline)"
val version_before "$(cat /proc/version | wc -l)"
val probe_before "$(same_pids "$(probe)")"
d apply "$GEN_CMDLINE"
d apply "$GEN_VERSION"
d apply "$GEN_GETPPID"
d list
val cmdline_applied "$(cat /proc/cmdline)"
val version_first "$(sed -n 2p /proc/version)"
val version_second "$(sed -n 2p /proc/version)"
val probe_applied "$(probe | cut -d" " -f1)"
val ppid_applied "$(sh -c 'echo $PPID')"
val shell_pid "$$"
d revert syscall-getppid
val probe_reverted "$(same_pids "$(probe)")"
d revert new-function-and-data
val version_reverted "$(cat /proc/version | wc -l)"
d revert cmdline-string
val cmdline_reverted "$(cat /proc/cmdline)"
d apply "$GEN_INLINED"
val inlined_data "$(grep -c ' pde_first_lookups.*\[dynamos_patch_inlined_static\]' /proc/kallsyms)"
insmod "$TARGET"
val target_entry "$(ls /proc | grep -c '^dynamos_target$')"
rmmod dynamos_target
val target_entry_removed "$(ls /proc | grep -c '^dynamos_target$' || true)"
val proc_fs_entries "$(ls /proc/fs | wc -l)"
d revert inlined-static
cp /bin/uname /tmp/uname-probe
val uname_before "$(/tmp/uname-probe -n)"
d apply "$GEN_UNAME"
val uname_probe "$(/tmp/uname-probe -n)"
val uname_other "$(uname -n)"
d revert syscall-newuname
val uname_reverted "$(/tmp/uname-probe -n)"
d apply "$GEN_HEADER"
val header_fds "$(ls -l /proc/self/fd/ | grep -c ' -> ')"
val header_fdinfo "$(grep -c '^pos:' /proc/self/fdinfo/0)"
d revert header-inline
d apply "$GEN_SHADOW"
val shadow_loaded "$(dmesg | grep -c 'shadow-fork: forks get shadow data')"
val shadow_units "$(grep -c ' proc_pid_status__patched\| proc_fork_connector__patched' /proc/kallsyms)"
val shadow_child "$(sh -c 'sed -n "s/^ForkedUnderUpdate:\t//p" /proc/self/status; echo $$' | tr '\n' ' ' | sed 's/ $//')"
val shadow_older "$(grep -c '^ForkedUnderUpdate:' /proc/$$/status || true)"
val shadow_freed_early "$(dmesg | grep -c 'shadow-fork: shadow data freed' || true)"
d revert shadow-fork
val shadow_freed "$(dmesg | grep -c 'shadow-fork: shadow data freed')"
val shadow_after_revert "$(grep -c '^ForkedUnderUpdate:' /proc/self/status || true)"
val modules_left "$(grep -c '^dynamos_patch_' /proc/modules || true)"
d stop
