/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * DynAMOS userspace ABI: the ioctl interface of /dev/dynamos.
 *
 * Every command uses the same fixed-size request, struct dynamos_req, so a
 * client (the Java tool reads this layout through FFM) mirrors one struct.
 * All fields have fixed sizes, natural alignment and explicit padding; the
 * layout is identical for 32- and 64-bit callers.
 *
 * Calling convention:
 *   - open("/dev/dynamos") and every ioctl need CAP_SYS_ADMIN (EPERM);
 *     REGISTER, SET_HANDLER, SET_HOOK and CALL need CAP_SYS_MODULE too.
 *   - ioctl(fd, DYNAMOS_IOC_xxx, &req) with req.abi = DYNAMOS_ABI_VERSION,
 *     flags and reserved[] zero, unused fields zero.
 *   - The kernel always copies the whole request back: on success
 *     req.result holds the command's result; on failure the ioctl returns
 *     -1/errno and req.error holds a NUL-terminated message saying what
 *     was wrong.  A failed command changes nothing (exceptions are listed
 *     at the command).
 *
 * Strings (name, symbol) must be NUL-terminated within their field
 * (otherwise ENAMETOOLONG).  A function is named "symbol", "module:symbol"
 * or "vmlinux:symbol" (core kernel only).
 *
 * Status comes in two forms made from one snapshot of the table (taken
 * under the lock status reads use, so it is consistent): LIST gives it as
 * fixed-size binary records (below), read() as this text.
 *
 * Text status (read /dev/dynamos), one record per line, fields separated by
 * single spaces, no field contains whitespace:
 *   line 1:  dynamos <framework-version> abi <abi> updates <n> versions <m>
 *   line 2:  UPDATE ID VERSION ACTIVE STATE CALLS FUNCTION MODULE HANDLER HOOKS
 *            PHASE MUST_UPDATE STACK TARGET PATH
 *   then one row per registered version, ordered by registration of the
 *   update, then by version number:
 *     UPDATE   update name
 *     ID       update id (decimal)
 *     VERSION  version number (decimal, 1 = original kernel function)
 *     ACTIVE   "yes" for the active version of the update, else "no"
 *     STATE    "live", or "removing" while a removal is in progress
 *     CALLS    calls that entered this version through the redirection
 *              (decimal, summed over CPUs; calls a wrapper makes to the
 *              original through dynamos_original_entry() are not counted)
 *     FUNCTION symbol name of the version's code
 *     MODULE   module holding it, "vmlinux" for the core kernel
 *     HANDLER  adaptation handler symbol of the update, or "-"
 *     HOOKS    "-" or comma-separated kind=symbol pairs, kinds
 *              pre_activation, post_activation, pre_removal, post_removal
 *     PHASE    the update name's phase (decimal, starts at 0)
 *     MUST_UPDATE  the update name's must_update flag, "yes" or "no"
 *     STACK    "L/D": the update is layer L (1 = bottom) of the D updates
 *              on its function; calls run layer D's choice
 *     TARGET   "loaded", or "absent" while the function's module is not
 *              loaded (the redirection waits for it)
 *     PATH     how the function's calls reach their version: "fast" (a
 *              route straight to it), "handler" (through the handler
 *              path: an update of its stack has a handler), "-" absent
 */
#ifndef _UAPI_LINUX_DYNAMOS_H
#define _UAPI_LINUX_DYNAMOS_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define DYNAMOS_ABI_VERSION		3	/* 3: size, count, LIST, records */

#define DYNAMOS_NAME_LEN		64	/* update name, incl. NUL */
#define DYNAMOS_SYMBOL_LEN		128	/* "sym" or "mod:sym", incl. NUL */
#define DYNAMOS_ERROR_LEN		256	/* error message, incl. NUL */
#define DYNAMOS_MAX_VERSIONS		32	/* versions 1..32 per update */
#define DYNAMOS_MAX_UPDATES		1024	/* registered <name,id> pairs */
#define DYNAMOS_DEFAULT_TIMEOUT_MS	5000	/* timeout_ms == 0 means this */
#define DYNAMOS_MAX_TIMEOUT_MS		600000
#define DYNAMOS_MAX_GROUP		256	/* members of one ACTIVATE_GROUP */
#define DYNAMOS_MAX_TASKS		8	/* busy-task records of one answer */

/* Values of dynamos_req.flags for STATE (all other commands: 0). */
#define DYNAMOS_STATE_SET_PHASE		0x1
#define DYNAMOS_STATE_SET_MUST_UPDATE	0x2

/* One member of an ACTIVATE_GROUP request: 72 bytes. */
struct dynamos_group_member {
	char name[DYNAMOS_NAME_LEN];
	__u32 id;
	__u32 version;
};

/* Values of dynamos_req.hook. */
#define DYNAMOS_HOOK_PRE_ACTIVATION	1
#define DYNAMOS_HOOK_POST_ACTIVATION	2
#define DYNAMOS_HOOK_PRE_REMOVAL	3
#define DYNAMOS_HOOK_POST_REMOVAL	4
/*
 * Hooks of the moments a target module comes and goes (the update's
 * original function lives in a module that loads or unloads while the
 * update is registered).  They run for the active version of every
 * <name,id> whose function is in that module, oldest registration first
 * when the module comes, newest first when it goes:
 *   TARGET_COMING  the module is loading, its init has not run yet, the
 *                  redirection is not installed yet; non-zero refuses the
 *                  module's load (the kernel log says which hook).
 *   TARGET_GOING   the module's exit has run and the redirection has been
 *                  removed; the module's memory is still there.  The
 *                  result is only logged.
 */
#define DYNAMOS_HOOK_TARGET_COMING	5
#define DYNAMOS_HOOK_TARGET_GOING	6
#define DYNAMOS_NR_HOOKS		6

/*
 * The request.  Offsets in bytes; total size 512.
 *
 *   off size field
 *     0    4 abi         in:  DYNAMOS_ABI_VERSION; anything else: EPROTO
 *     4    4 flags       in:  DYNAMOS_STATE_* for STATE, else 0 (EINVAL)
 *     8   64 name        in:  update name; 1..63 printable non-space
 *                             ASCII characters
 *    72    4 id          in:  update id (any value)
 *    76    4 version     in:  version number (command specific; the
 *                             number of members for ACTIVATE_GROUP)
 *    80  128 symbol      in:  function name, "" if unused
 *   208    8 address     in:  function address (SET_HANDLER/SET_HOOK
 *                             alternative to symbol; REGISTER: which of
 *                             several same-named functions symbol is),
 *                             the members' array
 *                             for ACTIVATE_GROUP, the record buffer (see
 *                             size), 0 if unused
 *   216    4 hook        in:  DYNAMOS_HOOK_* for SET_HOOK, else 0
 *   220    4 timeout_ms  in:  quiescence timeout for DEREGISTER/STOP (IN_USE: 0 = check once),
 *                             0 = DYNAMOS_DEFAULT_TIMEOUT_MS,
 *                             at most DYNAMOS_MAX_TIMEOUT_MS
 *   224    8 result      out: command result (see below), 0 otherwise
 *   232  256 error       out: "" on success, message on failure
 *   488    4 phase       in/out: STATE only (else 0)
 *   492    4 must_update in/out: STATE only, 0 or 1 (else 0)
 *   496    4 size        in:  bytes of the record buffer at address (LIST;
 *                             IN_USE, DEREGISTER, STOP: optional, for
 *                             busy-task records), else 0; out: bytes all
 *                             the records of the answer need
 *   500    4 count       out: records written to the buffer;
 *                             ACTIVATE_GROUP: post-activation hooks that failed
 *   504    8 reserved    in:  must be zero (EINVAL)
 */
struct dynamos_req {
	__u32 abi;
	__u32 flags;
	char name[DYNAMOS_NAME_LEN];
	__u32 id;
	__u32 version;
	char symbol[DYNAMOS_SYMBOL_LEN];
	__u64 address;
	__u32 hook;
	__u32 timeout_ms;
	__s64 result;
	char error[DYNAMOS_ERROR_LEN];
	__s32 phase;
	__u32 must_update;
	__u32 size;
	__u32 count;
	__u8 reserved[8];
};

/*
 * Records: what LIST writes (the whole table) and what IN_USE, DEREGISTER
 * and STOP write when tasks keep a version busy.  A buffer holds records
 * back to back; each starts with struct dynamos_rec_head, whose size is the
 * record's length in bytes (a multiple of 8).
 *
 * Format DYNAMOS_RECORD_FORMAT (given in the framework record) may grow:
 * a later format only appends fields to a kind (its size grows) or adds
 * kinds, never moves a field.  A reader steps from record to record by
 * head.size, skips kinds it does not know, and reads a field only if it
 * lies within head.size.  Strings are NUL-terminated, "" if none.
 *
 * LIST writes: one FRAMEWORK record, then for each update in registration
 * order its UPDATE record followed by one VERSION record per registered
 * version in version order (update.nr_versions of them).
 *
 * Offsets below are relative to the record's start.
 */
#define DYNAMOS_RECORD_FORMAT		2	/* 2: stacks, target modules, hooks 5-6 */

/* Values of dynamos_rec_head.kind. */
#define DYNAMOS_REC_FRAMEWORK		1
#define DYNAMOS_REC_UPDATE		2
#define DYNAMOS_REC_VERSION		3
#define DYNAMOS_REC_TASK		4

/*
 *   off size field
 *    +0    2 kind         DYNAMOS_REC_*
 *    +2    2 size         bytes of the whole record
 *    +4    4 reserved     0
 */
struct dynamos_rec_head {
	__u16 kind;
	__u16 size;
	__u32 reserved;
};

/*
 * The framework, 56 bytes:
 *    +8    4 version_code major<<16 | minor<<8 | patch (as VERSION)
 *   +12    4 abi          DYNAMOS_ABI_VERSION
 *   +16    4 format       DYNAMOS_RECORD_FORMAT
 *   +20    4 nr_updates   registered <name,id> pairs
 *   +24    4 nr_versions  registered versions, over all updates
 *   +28    4 reserved2    0
 *   +32   24 version      "0.1.0"
 */
struct dynamos_rec_framework {
	struct dynamos_rec_head head;
	__u32 version_code;
	__u32 abi;
	__u32 format;
	__u32 nr_updates;
	__u32 nr_versions;
	__u32 reserved2;
	char version[24];
};

/*
 * One update <name,id>, 288 bytes:
 *    +8   64 name         update name
 *   +72    4 id           update id
 *   +76    4 active       the version new calls run
 *   +80    4 nr_versions  VERSION records that follow this one
 *   +84    4 phase        the update name's phase (signed)
 *   +88    4 must_update  the update name's must_update flag, 0 or 1
 *   +92    4 reserved2    0
 *   +96  128 handler      adaptation handler symbol, "" if none
 *  +224   64 handler_module  its module
 * format 2 appends:
 *  +288    4 level        position in its function's stack of updates:
 *                         0 = the first (bottom); depth - 1 = the top,
 *                         whose choice calls run
 *  +292    4 depth        updates on its function
 *  +296    4 flags        DYNAMOS_UPDATE_* below
 *  +300    4 reserved3    0
 */
struct dynamos_rec_update {
	struct dynamos_rec_head head;
	char name[DYNAMOS_NAME_LEN];
	__u32 id;
	__u32 active;
	__u32 nr_versions;
	__s32 phase;
	__u32 must_update;
	__u32 reserved2;
	char handler[DYNAMOS_SYMBOL_LEN];
	char handler_module[DYNAMOS_NAME_LEN];
	__u32 level;
	__u32 depth;
	__u32 flags;
	__u32 reserved3;
};

/* Values of dynamos_rec_update.flags. */
#define DYNAMOS_UPDATE_TARGET_ABSENT	0x1	/* its function's module is
						 * not loaded: the redirection
						 * waits for it */
#define DYNAMOS_UPDATE_FAST_PATH	0x2	/* its function's calls take
						 * the fast path (no handler
						 * on its stack): a route
						 * straight to the version */

/* Values of dynamos_rec_version.state. */
#define DYNAMOS_VERSION_LIVE		1	/* may be chosen for new calls */
#define DYNAMOS_VERSION_REMOVING	2	/* a removal is in progress */

/*
 * One version of the update whose record precedes it, 728 bytes:
 *    +8    4 number       version number (1 = the original function)
 *   +12    4 state        DYNAMOS_VERSION_*
 *   +16    8 calls        calls that entered it through the redirection
 *   +24  128 function     symbol of the version's code
 *  +152   64 module       its module, "vmlinux" for the core kernel
 *  +216  512 hooks        4 x 128: hook symbols indexed by
 *                         DYNAMOS_HOOK_* - 1, "" where none is set
 * format 2 appends (984 bytes):
 *  +728  256 hooks[4..5]  TARGET_COMING and TARGET_GOING hooks
 */
struct dynamos_rec_version {
	struct dynamos_rec_head head;
	__u32 number;
	__u32 state;
	__u64 calls;
	char function[DYNAMOS_SYMBOL_LEN];
	char module[DYNAMOS_NAME_LEN];
	char hooks[DYNAMOS_NR_HOOKS][DYNAMOS_SYMBOL_LEN];
};

/* Values of dynamos_rec_task.reason. */
#define DYNAMOS_TASK_IN_CODE		1	/* PC or return address in it */
#define DYNAMOS_TASK_UNRELIABLE		2	/* its stack cannot be walked */

/*
 * A task that keeps a version busy, 232 bytes:
 *    +8    4 pid          the task's pid
 *   +12    4 version      version whose code it is in (0: unreliable)
 *   +16    4 reason       DYNAMOS_TASK_*
 *   +20    4 reserved2    0
 *   +24   16 comm         the task's command name
 *   +40  128 where        "symbol+0xoff/0xsize" of the PC or return
 *                         address found in the version ("" if unreliable)
 *  +168   64 module       module of that address, "" for the core kernel
 */
struct dynamos_rec_task {
	struct dynamos_rec_head head;
	__s32 pid;
	__u32 version;
	__u32 reason;
	__u32 reserved2;
	char comm[16];
	char where[DYNAMOS_SYMBOL_LEN];
	char module[DYNAMOS_NAME_LEN];
};

/*
 * Monitors (MONITOR_LIST writes these): per monitor, in start order, one
 * MONITOR record, then nr_callers MONITOR_CALLER records (BY_CALLER only),
 * then nr_versions MONITOR_VERSION records (an update replaces the
 * function).
 */
#define DYNAMOS_REC_MONITOR		5
#define DYNAMOS_REC_MONITOR_CALLER	6
#define DYNAMOS_REC_MONITOR_VERSION	7

#define DYNAMOS_MAX_MONITORS		32	/* running at once */
#define DYNAMOS_MONITOR_MAX_ACTIVE	4096	/* max_active at most */
#define DYNAMOS_MONITOR_BUCKETS		40	/* log2-ns histogram buckets */
#define DYNAMOS_MONITOR_CALLERS		16	/* callers one monitor tells apart */

/* Values of dynamos_req.flags for MONITOR_START. */
#define DYNAMOS_MONITOR_BY_CALLER	0x1	/* count per caller too */

/*
 * A monitored function, 512 + 8 * nr_cpus bytes (rounded up to 8):
 *    +8    4 id           the monitor's id
 *   +12    4 flags        DYNAMOS_MONITOR_* it was started with
 *   +16    4 owner_pid    process (tgid) that started it; its file owns it
 *   +20    4 nr_cpus      entries of calls[] (possible CPU ids)
 *   +24    8 elapsed_ns   local_clock() time since it started
 *   +32    8 missed       calls counted but not timed: no free instance
 *                         (more than max_active calls in flight), entered
 *                         in NMI, or hit inside another probe's handler
 *   +40    4 nr_callers   MONITOR_CALLER records that follow
 *   +44    4 nr_versions  MONITOR_VERSION records after those
 *   +48    4 max_active   calls in flight it can time at once
 *   +52    4 reserved2    0
 *   +56    8 other_calls  timed calls of callers beyond the
 *                         DYNAMOS_MONITOR_CALLERS the table holds
 *   +64  128 function     the function as MONITOR_START named it
 *  +192  320 hist         40 x u64: calls that returned, by duration:
 *                         bucket i holds [2^i, 2^(i+1)) ns (0 ns in
 *                         bucket 0, the last bucket open-ended)
 *  +512  8*n calls        calls that entered, per CPU id
 */
struct dynamos_rec_monitor {
	struct dynamos_rec_head head;
	__u32 id;
	__u32 flags;
	__s32 owner_pid;
	__u32 nr_cpus;
	__u64 elapsed_ns;
	__u64 missed;
	__u32 nr_callers;
	__u32 nr_versions;
	__u32 max_active;
	__u32 reserved2;
	__u64 other_calls;
	char function[DYNAMOS_SYMBOL_LEN];
	__u64 hist[DYNAMOS_MONITOR_BUCKETS];
	__u64 calls[];
};

/*
 * One caller of the monitored function (the return address), 472 bytes:
 *    +8    8 address      the return address
 *   +16    8 calls        timed calls from it
 *   +24  128 caller       "symbol+0xoff/0xsize [module]" (%pS)
 *  +152  320 hist         its calls' durations, as the monitor's
 */
struct dynamos_rec_monitor_caller {
	struct dynamos_rec_head head;
	__u64 address;
	__u64 calls;
	char caller[DYNAMOS_SYMBOL_LEN];
	__u64 hist[DYNAMOS_MONITOR_BUCKETS];
};

/*
 * One version of an update on the monitored function, 224 bytes: calls
 * that entered it (the framework's exact per-version counter) since the
 * monitor started.  Latency is not split by version.
 *    +8   64 name         update name
 *   +72    4 id           update id
 *   +76    4 version      version number (1 = what the layer below runs)
 *   +80    8 calls        calls since the monitor started
 *   +88  128 function     the version's code
 *  +216    8 reserved2    0
 */
struct dynamos_rec_monitor_version {
	struct dynamos_rec_head head;
	char name[DYNAMOS_NAME_LEN];
	__u32 id;
	__u32 version;
	__u64 calls;
	char function[DYNAMOS_SYMBOL_LEN];
	__u64 reserved2;
};

#define DYNAMOS_IOC_MAGIC	0xDA

/*
 * Commands; all are _IOWR(0xDA, nr, struct dynamos_req), i.e. the number
 * is 0xC200DA00 + nr.  Fields not listed must be zero / empty.
 *
 * VERSION (nr 0)      -> result = framework version (major<<16 | minor<<8 |
 *                        patch); error = "dynamos <version> abi <abi>".
 * REGISTER (1)        name, id, symbol.  First registration of <name,id>:
 *                        symbol is the kernel function to update; it becomes
 *                        version 1.  If no update replaces the function yet,
 *                        the redirection is installed on it; otherwise the
 *                        new <name,id> is stacked on top of the updates
 *                        already there.  Calls run the top update's choice
 *                        (handler or active version); a choice of version 1
 *                        passes the call to the update below, down to the
 *                        original, so a new layer changes nothing until it
 *                        activates a version of its own.  "module:symbol"
 *                        of a module that is not loaded is accepted: the
 *                        function is absent (LIST flag TARGET_ABSENT) and
 *                        redirected when the module loads, before its init
 *                        runs (a function that cannot be found or redirected
 *                        then, or a TARGET_COMING hook that fails, refuses
 *                        the module's load); when the module unloads (also
 *                        by force) the redirection goes and the updates
 *                        stay, absent.  Target modules are not pinned.
 *                        Functions of dynamos itself may be updated
 *                        ("dynamos:sym"), except those on the redirection,
 *                        removal and command paths (EOPNOTSUPP, saying so).
 *                        Static functions of one name in several files of
 *                        the core kernel ("namesakes") are ambiguous by name:
 *                        the first registration then also gives address, the
 *                        start of the kallsyms entry meant (the Nth of the
 *                        name in /proc/kallsyms, which is address order).
 *                        The kernel checks it: ENOEXEC if no kallsyms entry
 *                        starts there, EINVAL if that entry is not named
 *                        symbol or symbol names a module function (those
 *                        are always found by name), ENOENT no such name.
 *                        A unique name may be given with its address too.
 *                        Address 0: found by name (ENOTUNIQ if ambiguous).
 *                        Kernels before this addition refuse a non-zero
 *                        address on REGISTER with EINVAL.
 *                        Later registrations add the next version (highest
 *                        registered + 1; address must be 0, else EINVAL).
 *                        -> result = version number.
 *                        Errors: EAGAIN the function's module is still
 *                        initialising, ENOENT unknown symbol, ENOTUNIQ ambiguous
 *                        name, ENOEXEC not a function, EOPNOTSUPP no ftrace
 *                        site (notrace/inlined), EBUSY claimed by livepatch or
 *                        another IPMODIFY ftrace user, or a version of an
 *                        update (as target), or an update's original (as a
 *                        version), EEXIST already a version, ENOSPC too many
 *                        versions.
 * DEREGISTER (2)      name, id, version, timeout_ms.  version 0: all
 *                        versions and the update's layer of its function's
 *                        stack, wherever it is (the layers above then pass
 *                        calls to the one below it; the last layer takes
 *                        the redirection with it); version >= 2: that
 *                        version; version 1 alone: EINVAL.  The active
 *                        version is never removed (EBUSY: activate another
 *                        one first; for version 0, version 1 must be
 *                        active), so a removal never changes which version
 *                        calls run.  Runs pre-removal
 *                        hooks (they cannot veto; failures are logged),
 *                        stops new calls from entering the version(s) (a
 *                        handler's choice of them falls back to the active
 *                        version meanwhile), waits up to timeout_ms until
 *                        no task runs in the code of a version that lives
 *                        in a module: its function, its .cold/.part pieces,
 *                        and the module's whole text when its last version
 *                        goes (version 1 and core-kernel versions are never
 *                        freed, so they need no wait) (EBUSY, or
 *                        EINTR on a signal: everything stays as before, but
 *                        the pre-removal hooks have run), runs post-removal
 *                        hooks.  -> result = post-removal hook's value.
 * ACTIVATE (3)        name, id, version: new calls run that version.  Runs
 *                        the version's pre-activation hook (non-zero aborts
 *                        with that error; kernel-internal codes such as
 *                        -ERESTARTSYS become EINTR or ECANCELED) and
 *                        post-activation hook (its return value lands in
 *                        result; activation stays).  The post-activation
 *                        hook runs as soon as new calls go to the version:
 *                        calls that entered the previous version before may
 *                        still be running it.
 * SET_HANDLER (4)     name, id, symbol or address: the adaptation handler of
 *                        the update; symbol "" and address 0 remove it.
 * SET_HOOK (5)        name, id, version, hook, symbol or address
 *                        (""/0 removes the hook).
 * CALL (6)            symbol: runs int fn(void) of a loaded module once.
 *                        -> result = its return value.
 * STOP (7)            timeout_ms: activates version 1 of every update (with
 *                        its hooks), then deregisters every update, newest
 *                        first.  Stops at the first failure (error names the
 *                        update; what was done stays done).
 *                        -> result = number of updates deregistered.
 * STATE (8)           name, flags, phase, must_update: with
 *                        DYNAMOS_STATE_SET_PHASE / _SET_MUST_UPDATE sets
 *                        them; always returns the current ones in phase and
 *                        must_update.  ENOENT if the name has no state (no
 *                        <name,id> registered, no module holding it).
 * ACTIVATE_GROUP (9)  version = n (1..DYNAMOS_MAX_GROUP), address = user
 *                        pointer to n struct dynamos_group_member: activates
 *                        all as one step.  Every member must exist, name a
 *                        live version and name a different <name,id>; then
 *                        the pre-activation hooks run in order (a failure
 *                        aborts: no member switches, the hooks that ran are
 *                        not undone); then all switch at once, with every
 *                        CPU stopped (stop_machine): no callback is running
 *                        its choice on any CPU meanwhile, so a call that
 *                        enters one member after the switch sees every
 *                        member switched - except calls made in NMI
 *                        context, which stop_machine cannot hold off, and
 *                        calls whose adaptation handler picks a version
 *                        itself; then post-activation hooks (their
 *                        failures do not undo the switch; count says how
 *                        many failed, the kernel log which).
 *                        -> result = number of members.
 * IN_USE (10)         name, id, version, timeout_ms: does any task run that
 *                        version (PC or a return address in its code, by a
 *                        reliable stack walk of every task incl. idle
 *                        tasks; an unreliable stack counts as busy)?  Waits
 *                        up to timeout_ms (0: checks once) for it to become
 *                        idle.  -> result = 0 idle, else the number of busy
 *                        tasks, with error = the report (pid, comm, where)
 *                        and, if address and size give a buffer, up to
 *                        DYNAMOS_MAX_TASKS TASK records (as many as fit;
 *                        count says how many, size what all would need).
 *                        DEREGISTER and STOP fill such a buffer too when
 *                        they fail with EBUSY because tasks are busy.
 * LIST (11)           address, size: writes the table's records (see
 *                        Records) to the buffer.  -> result = count =
 *                        number of records, size = bytes written.  A buffer
 *                        too small (also size 0: a query) gives ENOSPC with
 *                        size = the bytes needed and count = the records,
 *                        and nothing written; retry with a larger buffer.
 *                        EFAULT: the buffer cannot be written.  LIST waits
 *                        for no command (as read() does).
 * MONITOR_START (12)  symbol, flags (DYNAMOS_MONITOR_BY_CALLER), version =
 *                        max_active (0: 256): starts timing every call of
 *                        the function (a kretprobe armed through ftrace;
 *                        an update on it is timed as the version that
 *                        runs).  The monitor belongs to this open file:
 *                        closing it (the process ends, also by a signal)
 *                        stops it.  -> result = the monitor's id (> 0).
 *                        Errors: ENOENT unknown symbol, ENOTUNIQ
 *                        ambiguous, ENOEXEC not a function, EOPNOTSUPP no
 *                        ftrace site (notrace/inlined), EINVAL refused by
 *                        kprobes (blacklist) or of dynamos itself or
 *                        max_active > DYNAMOS_MONITOR_MAX_ACTIVE, EEXIST
 *                        the function is monitored already, ENOSPC
 *                        DYNAMOS_MAX_MONITORS running.
 * MONITOR_STOP (13)   id: stops that monitor (of any file); returns once
 *                        no handler of it runs (calls still inside the
 *                        function return normally, untimed).  ENOENT: no
 *                        such monitor.
 * MONITOR_LIST (14)   address, size: writes the monitor records (above),
 *                        as LIST does (ENOSPC with size = bytes needed).
 *                        -> result = count = records.
 *
 * Errors common to all commands: ENOTTY unknown command (nothing copied
 * back), EFAULT bad pointer, EPERM no CAP_SYS_ADMIN, or no CAP_SYS_MODULE
 * for REGISTER, SET_HANDLER, SET_HOOK and CALL, which make the kernel run
 * code as loading a module does (only error[] is written), EPROTO wrong abi, EINVAL bad flags/reserved/unused field set/
 * out-of-range number, ENAMETOOLONG unterminated string, EINTR/ERESTARTSYS
 * killed while waiting for another command.
 */
#define DYNAMOS_IOC_VERSION	_IOWR(DYNAMOS_IOC_MAGIC, 0, struct dynamos_req)
#define DYNAMOS_IOC_REGISTER	_IOWR(DYNAMOS_IOC_MAGIC, 1, struct dynamos_req)
#define DYNAMOS_IOC_DEREGISTER	_IOWR(DYNAMOS_IOC_MAGIC, 2, struct dynamos_req)
#define DYNAMOS_IOC_ACTIVATE	_IOWR(DYNAMOS_IOC_MAGIC, 3, struct dynamos_req)
#define DYNAMOS_IOC_SET_HANDLER	_IOWR(DYNAMOS_IOC_MAGIC, 4, struct dynamos_req)
#define DYNAMOS_IOC_SET_HOOK	_IOWR(DYNAMOS_IOC_MAGIC, 5, struct dynamos_req)
#define DYNAMOS_IOC_CALL	_IOWR(DYNAMOS_IOC_MAGIC, 6, struct dynamos_req)
#define DYNAMOS_IOC_STOP	_IOWR(DYNAMOS_IOC_MAGIC, 7, struct dynamos_req)
#define DYNAMOS_IOC_STATE	_IOWR(DYNAMOS_IOC_MAGIC, 8, struct dynamos_req)
#define DYNAMOS_IOC_ACTIVATE_GROUP _IOWR(DYNAMOS_IOC_MAGIC, 9, struct dynamos_req)
#define DYNAMOS_IOC_IN_USE	_IOWR(DYNAMOS_IOC_MAGIC, 10, struct dynamos_req)
#define DYNAMOS_IOC_LIST	_IOWR(DYNAMOS_IOC_MAGIC, 11, struct dynamos_req)
#define DYNAMOS_IOC_MONITOR_START _IOWR(DYNAMOS_IOC_MAGIC, 12, struct dynamos_req)
#define DYNAMOS_IOC_MONITOR_STOP _IOWR(DYNAMOS_IOC_MAGIC, 13, struct dynamos_req)
#define DYNAMOS_IOC_MONITOR_LIST _IOWR(DYNAMOS_IOC_MAGIC, 14, struct dynamos_req)

#endif /* _UAPI_LINUX_DYNAMOS_H */
