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

/**
 * dynamos_original_by_name() - dynamos_original_entry() of a function named
 *	"symbol" or "module:symbol", for functions the update module cannot
 *	reference because the kernel does not export them.
 *
 * Return: the entry, or 0 (and a kernel log line saying why) when the name
 * is unknown, ambiguous or not a function.  May sleep: call it from module
 * init and keep the result.
 */
unsigned long dynamos_original_by_name(const char *name);

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


/* ====================================================================== */
/*
 * Shadow data: new fields for existing kernel objects
 *
 * A datatype update cannot grow a structure the running kernel already
 * allocates.  Instead the update keeps the new fields in a "shadow" of each
 * object: a separate zeroed buffer found by the object's address.  Only the
 * functions that use the new fields need new versions.  A table holds the
 * shadows of one kind (one "new datatype"), e.g.
 *
 *	struct task_ext { int flags; struct list_head list; };
 *	static struct dynamos_shadow_table task_ext;
 *
 *	init:    ret = dynamos_shadow_init(&task_ext);
 *	create:  ext = dynamos_shadow_create(&task_ext, p, sizeof(*ext),
 *					     GFP_KERNEL);
 *	use:     ext = dynamos_shadow_find(&task_ext, p);
 *		 if (ext)	(objects older than the update have none)
 *			DYNAMOS_SHADOW_FIELD(struct task_ext, ext, flags) = 1;
 *	free:    dynamos_shadow_remove(&task_ext, p);
 *	exit:    dynamos_shadow_cleanup(&task_ext);
 *
 * Rules for update authors:
 *  - Objects that existed before the update, or that were created on a path
 *    the update does not cover, have no shadow: every user of a shadow must
 *    cope with find() returning NULL.
 *  - Remove the shadow wherever the object is freed.  A shadow left behind
 *    stays attached to the address and would be seen by the next object
 *    allocated there; create() therefore refuses to reuse it (-EEXIST).
 *  - A shadow becomes visible to find() as soon as create() inserted it,
 *    i.e. while still zeroed: zero must be a valid state for every field,
 *    or creators and users must both hold the table lock.
 *  - The table itself is internally synchronised: create/find/remove need
 *    no lock.  The shadow's contents are the update's business; the table
 *    lock (dynamos_shadow_lock) is offered for that and for compound
 *    operations such as "find, else create".
 *
 * Contexts:
 *   find     any context in which RCU is watching: process, softirq,
 *            hardirq, NMI, IRQs disabled, under any lock, and in an
 *            adaptation handler or a version of any function.  It is
 *            notrace and takes no lock.  Where RCU is not watching (parts of
 *            the idle loop) it returns NULL, as for an object without a
 *            shadow.  The result stays valid until the end of the caller's
 *            RCU read-side critical section (rcu_read_lock, or a region with
 *            preemption, BH or IRQs disabled) or, outside one, as long as
 *            the caller ensures nobody removes the shadow (e.g. the caller
 *            owns the object, or holds the table lock and every remover
 *            takes it too).
 *   create   process or softirq context with IRQs enabled; not hardirq,
 *   remove   not NMI, not with IRQs disabled (the table's bucket locks
 *            disable BH).  Called there anyway they fail with -EPERM and
 *            change nothing.  create allocates with @gfp: GFP_KERNEL only
 *            where sleeping is allowed, GFP_ATOMIC (or GFP_NOWAIT) under a
 *            spinlock, the table lock, rcu_read_lock or with preemption
 *            disabled.  remove never sleeps; it frees after an RCU grace
 *            period (kfree_rcu).
 *   lock     same as create/remove: process or softirq context, IRQs
 *   unlock   enabled.  A spinlock that also disables BH: do not sleep while
 *            holding it (use GFP_ATOMIC), do not take it recursively.
 *   init     process context, may sleep.
 *   cleanup  process context, may sleep; only when nothing else can use
 *            the table any more (update removed, e.g. in module exit).
 *   count    any context.
 */
#include <linux/gfp_types.h>
#include <linux/lockdep_types.h>
#include <linux/rhashtable-types.h>
#include <linux/spinlock_types.h>

/**
 * struct dynamos_shadow_table - shadows of one kind, keyed by object address
 * @ht:		object address -> shadow; internally synchronised (RCU for
 *		lookups, per-bucket locks for insert/remove, a mutex for
 *		resizing, which runs from a workqueue)
 * @lock:	for update code only (dynamos_shadow_lock()); protects
 *		whatever the update says it protects, typically the shadows'
 *		contents and find-then-create sequences.  The table never
 *		takes it.
 * @ready:	set by init, cleared by cleanup; a table that is zeroed
 *		(static) but not initialised is empty and refuses creates
 *
 * Treat the members as private; a static or zeroed table is safe to pass
 * to every function, but only an initialised one holds shadows.
 */
struct dynamos_shadow_table {
	struct rhashtable ht;
	spinlock_t lock;
	bool ready;
};

int __dynamos_shadow_init(struct dynamos_shadow_table *t, const char *name,
			  struct lock_class_key *key);

/**
 * dynamos_shadow_init() - initialise an empty table
 * @t: the table (typically static in the update module)
 *
 * @t must be zeroed (static) or cleaned up.  Each call site gets its own
 * lockdep class for the table lock, so the locks of two tables may nest.
 * Process context, may sleep.
 * Return: 0, -EBUSY if @t is already initialised, -ENOMEM.
 */
#define dynamos_shadow_init(t)						\
({									\
	static struct lock_class_key __dynamos_shadow_key;		\
									\
	__dynamos_shadow_init((t), #t, &__dynamos_shadow_key);		\
})

/**
 * dynamos_shadow_cleanup() - free every remaining shadow and the table
 * @t: the table; nothing may use it concurrently any more
 *
 * Waits for an RCU grace period first, so lookups that were still
 * finishing are done.  Logs how many shadows were left if any.  @t can be
 * initialised again afterwards; cleanup of an uninitialised table does
 * nothing.  Process context, may sleep.
 * Return: the number of shadows freed.
 */
unsigned long dynamos_shadow_cleanup(struct dynamos_shadow_table *t);

/**
 * dynamos_shadow_create() - attach a new zeroed shadow to @obj
 * @t: the table
 * @obj: the object's address (the key; never dereferenced)
 * @size: size of the shadow in bytes, > 0; aligned like kmalloc memory
 * @gfp: allocation flags (see Contexts above)
 *
 * Never returns an existing shadow: if @obj has one, the call fails with
 * -EEXIST and the caller decides (e.g. dynamos_shadow_find() it, or treat
 * it as stale).  Of concurrent creators for one @obj exactly one succeeds.
 * Return: the new shadow, or ERR_PTR(): -EINVAL (@obj NULL, @size 0 or too
 * large, @t not initialised), -EEXIST, -ENOMEM, -EPERM (wrong context),
 * or another error of the hash table (-EBUSY, -E2BIG: it could not grow in
 * time; retry later).
 */
void *dynamos_shadow_create(struct dynamos_shadow_table *t, const void *obj,
			    size_t size, gfp_t gfp);

/**
 * dynamos_shadow_find() - the shadow of @obj
 * Return: the shadow, or NULL if @obj has none (or RCU is not watching,
 * or @t is not initialised).  Any context; see Contexts for how long the
 * pointer stays valid.
 */
void *dynamos_shadow_find(struct dynamos_shadow_table *t, const void *obj);

/**
 * dynamos_shadow_remove() - detach @obj's shadow and free it after an RCU
 *	grace period
 *
 * Of concurrent removers exactly one succeeds.
 * Return: 0, -ENOENT if @obj has no shadow (or @t is not initialised),
 * -EPERM (wrong context).
 */
int dynamos_shadow_remove(struct dynamos_shadow_table *t, const void *obj);

/*
 * dynamos_shadow_lock() / dynamos_shadow_unlock() - the table's lock, for
 * the update's own compound operations (spin_lock_bh; see Contexts).
 */
void dynamos_shadow_lock(struct dynamos_shadow_table *t);
void dynamos_shadow_unlock(struct dynamos_shadow_table *t);

/* Number of shadows in @t (a snapshot while others change it).  Any context. */
unsigned long dynamos_shadow_count(struct dynamos_shadow_table *t);

/*
 * DYNAMOS_SHADOW_FIELD(type, ptr, field) - a field of a shadow @ptr of
 * @type, usable as an lvalue:
 *	DYNAMOS_SHADOW_FIELD(struct task_ext, ext, flags) |= 1;
 */
#define DYNAMOS_SHADOW_FIELD(type, ptr, field) (((type *)(ptr))->field)

#endif /* _DYNAMOS_H */
