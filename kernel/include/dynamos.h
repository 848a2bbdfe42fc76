/* SPDX-License-Identifier: GPL-2.0 */
/*
 * DynAMOS API for update-module authors.
 *
 * An update module holds new versions of kernel functions plus, optionally,
 * an adaptation handler, hooks and init functions.  Userspace registers
 * them with the framework by symbol name (see uapi/dynamos.h); this header
 * gives the signatures the framework calls and the helpers it exports.
 *
 * Versions: a version of function f has exactly f's prototype.  It runs
 * instead of f for calls entering f while it is chosen; calls already
 * running finish in the version they started in.
 *
 * Hooks and init functions: int fn(void).  They run in process context
 * from the control ioctl, may sleep, and run with the framework's table
 * lock held, so they must not use /dev/dynamos themselves.  A non-zero
 * return from a pre-activation hook aborts the activation and is reported
 * as its error; pre-removal hooks cannot veto a removal (it must stay
 * possible), their failures are only logged.  Post hooks' return values
 * are passed back in the request's result.
 */
#ifndef _DYNAMOS_H
#define _DYNAMOS_H

#include <linux/types.h>

struct task_struct;
struct dynamos_update;

/**
 * struct dynamos_call - one call of an updated function, as seen by the
 *	adaptation handler.
 * @update:	the framework's update (opaque; pass it back to helpers)
 * @name:	update name
 * @id:		update id
 * @active:	the update's active version when the call entered
 * @args:	the first six integer/pointer argument registers (x86-64
 *		rdi, rsi, rdx, rcx, r8, r9), i.e. the function's arguments
 * @ip:		address of the original function's ftrace site
 * @parent_ip:	return address into the caller
 * @task:	the calling task (current)
 */
struct dynamos_call {
	struct dynamos_update *update;
	const char *name;
	u32 id;
	u32 active;
	unsigned long args[6];
	unsigned long ip;
	unsigned long parent_ip;
	struct task_struct *task;
};

/**
 * typedef dynamos_handler_t - adaptation handler
 *
 * Runs on every call of the updated function, before the version is
 * chosen, in the ftrace callback: preemption is disabled, it may run in
 * IRQ/NMI context or from the idle loop (RCU possibly not watching), so it
 * must not sleep, take sleeping locks or call traced functions that are
 * themselves updated.  Mark it and its helpers notrace if they are cheap.
 *
 * Return: the version this call runs; 0 (or any version that does not
 * exist, is being removed or is out of range) means the active version.
 */
typedef int (*dynamos_handler_t)(const struct dynamos_call *call);

/* Hooks and init functions (see above). */
typedef int (*dynamos_hook_t)(void);

/**
 * dynamos_set_active() - make @version the active version of the update
 *	@call belongs to.
 *
 * Lock-free; safe in the handler and in any context.  Runs no hooks.
 * Return: 0, or -ENOENT if @version is not a live version.
 */
int dynamos_set_active(const struct dynamos_call *call, unsigned int version);

/**
 * dynamos_original_entry() - where to call @func's original body without
 *	being redirected again.
 *
 * Returns @func's ftrace site + MCOUNT_INSN_SIZE for functions with an
 * ftrace site, @func itself for functions without (they cannot be
 * redirected), and 0 if calling past the entry is impossible (kernels with
 * IBT enforcement).  Looks the site up each time: call it once (e.g. in
 * module init) and keep the result.  Does not sleep.
 */
unsigned long dynamos_original_entry(unsigned long func);

/*
 * DYNAMOS_ORIGINAL(fn) - typed pointer to fn's original body, e.g. in a
 * wrapper version:
 *
 *	static long (*orig)(long, long);
 *	init:    orig = DYNAMOS_ORIGINAL(dynamos_target_fn);
 *	version: return orig(a, b) + 1;
 */
#define DYNAMOS_ORIGINAL(fn) \
	((typeof(&(fn)))dynamos_original_entry((unsigned long)&(fn)))

#endif /* _DYNAMOS_H */
