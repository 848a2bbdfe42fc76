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
 * from the control ioctl, may sleep, and run with the framework's command
 * lock held, so they must not use /dev/dynamos commands themselves.  A non-zero
 * return from a pre-activation hook aborts the activation and is reported
 * as its error; pre-removal hooks cannot veto a removal (it must stay
 * possible), their failures are only logged.  Post hooks' return values
 * are passed back in the request's result (ACTIVATE_GROUP: how many
 * failed); the activation stays, but `dynamos apply` takes a failed
 * post-activation hook as a failed apply and undoes everything.
 */
#ifndef _DYNAMOS_H
#define _DYNAMOS_H

#include <linux/types.h>
#include <linux/compiler.h>
#include <asm/barrier.h>
#include <asm/ptrace.h>
#include <linux/static_call.h>

/**
 * struct dynamos_call - one call of an updated function, as seen by the
 *	adaptation handler: the argument registers at the original
 *	function's entry (only they are saved; other fields of @regs mean
 *	nothing).  Read the arguments with dynamos_arg(); the calling task is
 *	current; dynamos_set_active() and dynamos_call_state() find the
 *	update the handler runs for.
 *
 * Deliberately nothing but a view of registers the handler path has saved
 * anyway: the handler runs on every call, and building anything costs
 * every call.
 */
struct dynamos_call {
	struct pt_regs regs;
};

/**
 * dynamos_arg() - integer or pointer argument @n (0..5) of the call, in
 *	the order of the function's prototype (x86-64: rdi, rsi, rdx, rcx,
 *	r8, r9).  Use a constant @n: it compiles to one load.
 */
static __always_inline unsigned long
dynamos_arg(const struct dynamos_call *call, unsigned int n)
{
	switch (n) {
	case 0: return call->regs.di;
	case 1: return call->regs.si;
	case 2: return call->regs.dx;
	case 3: return call->regs.cx;
	case 4: return call->regs.r8;
	case 5: return call->regs.r9;
	default: return 0;
	}
}

/**
 * typedef dynamos_handler_t - adaptation handler
 *
 * Runs on every call of the updated function, before the version is
 * chosen, on the calling task (current) in the ftrace callback: preemption
 * is disabled, it may run in IRQ/NMI context or from the idle loop (RCU
 * possibly not watching), so it must not sleep, take sleeping locks or
 * call traced functions that are themselves updated.  Mark it and its
 * helpers notrace.  It adds to the cost of every call: keep it short.
 *
 * Calls of updated functions made from the handler itself (in the same
 * context) run their active version without their handler; an interrupt,
 * softirq or NMI nested in a handler (e.g. softirqs that local_bh_enable()
 * runs) calls them as any other caller does, handler included.
 *
 * Return: the version this call runs; 0 (or any version that does not
 * exist, is being removed or is out of range) means the active version.
 */
typedef int (*dynamos_handler_t)(const struct dynamos_call *call);

/* Hooks and init functions (see above). */
typedef int (*dynamos_hook_t)(void);

/**
 * dynamos_set_active() - make @version the active version of the update
 *	whose adaptation handler is running with @call.
 *
 * Only from an adaptation handler (or what it calls); lock-free.  Runs no
 * hooks.
 * Return: 0, or -ENOENT if @version is not a live version or no handler
 * is running on this CPU.
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
 * Update state: a phase number and a must_update flag shared by every
 * <name, id> of one update name, for synchronized updates of subsystems
 * that never quiesce (e.g. pipe_read and pipe_write of one pipe update):
 * a handler raises must_update when a version should move on, versions
 * read it after they wake up, and the phase records how far the update
 * is (userspace sees and sets both: dynamos state NAME).  Both start at 0.
 *
 * Get the state once where sleeping is allowed (module init, or a hook)
 * and keep it; the accessors below are lock-free, notrace and work in any
 * context, including handlers.  Each <name, id> registered holds a
 * reference too, so in a handler dynamos_call_state(call) gives it.
 */
struct dynamos_state {
	int phase;		/* use the accessors: READ_ONCE/WRITE_ONCE */
	int must_update;
};

/* The state of update @name, created if needed.  May sleep.  NULL: ENOMEM or bad name. */
struct dynamos_state *dynamos_state_get(const char *name);
/* Drops a reference taken with dynamos_state_get() (NULL is fine). */
void dynamos_state_put(struct dynamos_state *state);
/*
 * The state of the update whose adaptation handler is running with @call;
 * NULL outside a handler.
 */
struct dynamos_state *dynamos_call_state(const struct dynamos_call *call);

static __always_inline int dynamos_phase(const struct dynamos_state *state)
{
	return READ_ONCE(state->phase);
}

static __always_inline void dynamos_set_phase(struct dynamos_state *state,
					      int phase)
{
	WRITE_ONCE(state->phase, phase);
}

static __always_inline bool dynamos_must_update(const struct dynamos_state *state)
{
	/* Pairs with the release in dynamos_set_must_update(). */
	return smp_load_acquire(&state->must_update);
}

/*
 * Everything the caller wrote before raising must_update (e.g. a resized
 * buffer) is visible to whoever sees the flag set.
 */
static __always_inline void dynamos_set_must_update(struct dynamos_state *state,
						    bool must_update)
{
	smp_store_release(&state->must_update, must_update ? 1 : 0);
}

/**
 * dynamos_version_in_use() - whether any task runs version @version of
 *	<@name, @id>: its PC or a return address lies in the version's code
 *	or its .cold/.part pieces (reliable stack walk of every task and idle
 *	task, each while it cannot run).
 * @timeout_ms: wait up to this long for it to become idle; 0 checks once
 *
 * Process context, may sleep; not from hooks (they run under the
 * framework's lock) nor from versions or handlers.
 * Return: 0 idle, the number of busy tasks, or -ENOENT (no such version),
 * -ENOMEM, -EINTR.
 */
int dynamos_version_in_use(const char *name, u32 id, unsigned int version,
			   unsigned int timeout_ms);

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

/*
 * DYNAMOS_DEFINE_ORIGINAL(name, proto) - a static call @name to call an
 *	original body with a direct call: with retpolines, a call through a
 *	pointer (DYNAMOS_ORIGINAL) costs a thunk, 4 instructions, on every
 *	call.  @proto is any function of the same type (the version itself
 *	will do).  Set it once in DYNAMOS_INIT, call it in the version:
 *
 *	DYNAMOS_DEFINE_ORIGINAL(orig_getpid, my_getpid_v2);
 *	init:    ret = dynamos_set_original(orig_getpid, "__do_sys_getpid");
 *	version: return static_call(orig_getpid)(regs);
 *
 * dynamos_set_original() returns 0, or -ENOENT when the name is unknown
 * (dynamos_original_by_name() logs why).  May sleep.
 */
#define DYNAMOS_DEFINE_ORIGINAL(name, proto) \
	DEFINE_STATIC_CALL_NULL(name, proto)

#define dynamos_set_original(name, symbol)				\
({									\
	unsigned long __dyn_entry = dynamos_original_by_name(symbol);	\
									\
	if (__dyn_entry)						\
		static_call_update(name,				\
			(typeof(&STATIC_CALL_TRAMP(name)))__dyn_entry);	\
	__dyn_entry ? 0 : -ENOENT;					\
})



/* ====================================================================== */
/*
 * Update declaration: what `dynamos apply` does with this module
 *
 * An update module says in its own source what it replaces; `dynamos build`
 * checks it and `dynamos apply` carries it out (load, init, register, set
 * handlers and hooks, activate) as one step that is undone on any failure.
 * The macros below record the facts as NUL-terminated "key=value" strings
 * in the module's ELF section ".dynamos.update" (like MODULE_INFO does for
 * .modinfo); nothing of it runs in the kernel.  Use each at file scope.
 *
 *	DYNAMOS_UPDATE("fifo_sticky");
 *	DYNAMOS_REPLACE(1, may_open, may_open_v2);
 *	DYNAMOS_HANDLER(1, choose_version);
 *	DYNAMOS_HOOK(pre_activation, 1, 2, check_config);
 *	DYNAMOS_INIT(setup_tables);
 *	DYNAMOS_SYMBOL(set_root, 2);
 *	DYNAMOS_REPLACES("fifo_sticky_v1");
 *
 * Names: the update name is what `dynamos revert NAME` and the status show;
 * ids number the replaced functions within the update (as in the manual's
 * <name, id> pairs).  Version 1 of each id is always the original kernel
 * function; DYNAMOS_REPLACE adds version 2, DYNAMOS_REPLACE_VERSION any
 * further one.  Apply activates, per id, the version named by
 * DYNAMOS_ACTIVATE or else version 2.  The original may be given as
 * "symbol" or, for a function of a module, as module:symbol in a string.
 *
 * Kernel symbols that are not exported (static functions and variables of
 * the file being patched) may be used by declaring them extern and calling
 * them as usual: apply resolves them against the running kernel's
 * /proc/kallsyms.  When kallsyms lists a name more than once (statics of
 * the same name in several files) DYNAMOS_SYMBOL picks the POSITIONth of
 * them, counted from 1 in kallsyms order (`dynamos build` lists them).
 */

#define __DYNAMOS_DECLARE(fact)						\
	static const char __UNIQUE_ID(dynamos_decl)[]			\
	__used __section(".dynamos.update") __aligned(1) = fact

/*
 * A version must exist as a function in the module even when nothing else
 * calls it: keep a reference so the compiler does not drop or inline it.
 */
#define __DYNAMOS_KEEP(fn)						\
	static void *const __UNIQUE_ID(dynamos_keep) __used = (void *)&(fn)

#define __DYNAMOS_STR(x) #x

/* DYNAMOS_UPDATE("name") - the update's name (required, once). */
#define DYNAMOS_UPDATE(name) __DYNAMOS_DECLARE("update=" name)

/* DYNAMOS_REPLACE(id, original, version) - @version is version 2 of @id. */
#define DYNAMOS_REPLACE(id, original, version)				\
	DYNAMOS_REPLACE_VERSION(id, 2, original, version)

/*
 * DYNAMOS_REPLACE_VERSION(id, n, original, version) - @version is version
 * @n (>= 2) of @id; versions of one id are registered in ascending order.
 */
#define DYNAMOS_REPLACE_VERSION(id, n, original, version)		\
	__DYNAMOS_KEEP(version);					\
	__DYNAMOS_DECLARE("replace=" __DYNAMOS_STR(id) " " __DYNAMOS_STR(n) \
			  " " __DYNAMOS_STR(original) " " #version)

/* DYNAMOS_ACTIVATE(id, n) - apply activates version @n of @id. */
#define DYNAMOS_ACTIVATE(id, n)						\
	__DYNAMOS_DECLARE("activate=" __DYNAMOS_STR(id) " " __DYNAMOS_STR(n))

/* DYNAMOS_HANDLER(id, fn) - @fn (a dynamos_handler_t) is @id's handler. */
#define DYNAMOS_HANDLER(id, fn)						\
	__DYNAMOS_KEEP(fn);						\
	__DYNAMOS_DECLARE("handler=" __DYNAMOS_STR(id) " " #fn)

/*
 * DYNAMOS_HOOK(kind, id, n, fn) - @fn (a dynamos_hook_t) is the @kind hook
 * of version @n of @id; @kind is pre_activation, post_activation,
 * pre_removal, post_removal, or, for an original in a module
 * ("module:symbol"), target_coming (runs while that module loads, before
 * its init and before the redirection is installed; non-zero refuses the
 * load) or target_going (runs after its exit, once the redirection is
 * removed; the result is only logged).  See DYNAMOS_HOOK_TARGET_COMING in
 * uapi/dynamos.h for the order among several updates.
 */
#define DYNAMOS_HOOK(kind, id, n, fn)					\
	__DYNAMOS_KEEP(fn);						\
	__DYNAMOS_DECLARE("hook=" #kind " " __DYNAMOS_STR(id) " "	\
			  __DYNAMOS_STR(n) " " #fn)

/*
 * DYNAMOS_INIT(fn) - apply calls @fn (a dynamos_hook_t) once after loading
 * and before registering; a non-zero result aborts the apply.
 */
#define DYNAMOS_INIT(fn)						\
	__DYNAMOS_KEEP(fn);						\
	__DYNAMOS_DECLARE("init=" #fn)

/* DYNAMOS_SYMBOL(name, position) - which kallsyms entry @name means. */
#define DYNAMOS_SYMBOL(name, position)					\
	__DYNAMOS_DECLARE("symbol=" #name " " __DYNAMOS_STR(position))

/*
 * DYNAMOS_REPLACES("name") - this is a cumulative update: applying it
 * replaces the applied update @name (repeat the macro for several).
 * DYNAMOS_REPLACES_ALL() - it replaces every applied update.
 *
 * `dynamos apply` loads and registers the new update (stacked on the
 * functions the replaced ones update), then in one group activation
 * switches the new update's functions to their new versions and every
 * function of the replaced updates to version 1, so that a function the new
 * update no longer covers goes back to the original at the same moment;
 * then it removes the replaced updates (quiescence-checked) and unloads
 * their modules.  If any step fails, everything is undone: the replaced
 * updates stay as they were.  A name that is not applied is an error.
 */
#define DYNAMOS_REPLACES(name) __DYNAMOS_DECLARE("replaces=" name)
#define DYNAMOS_REPLACES_ALL() __DYNAMOS_DECLARE("replaces=*")

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
 * Return: 0 with the lock held, or -EPERM (hardirq, NMI, IRQs disabled, or
 * @t NULL) without it: unlock only after 0.
 */
int __must_check dynamos_shadow_lock(struct dynamos_shadow_table *t);
void dynamos_shadow_unlock(struct dynamos_shadow_table *t);

/*
 * Number of shadows in @t (a snapshot while others change it).  Any context.
 * Usually called as dynamos_shadow_count(t), see below.
 */
unsigned long
dynamos_shadow_table_count(const struct dynamos_shadow_table *t);

/*
 * DYNAMOS_SHADOW_FIELD(type, ptr, field) - a field of a shadow @ptr of
 * @type, usable as an lvalue:
 *	DYNAMOS_SHADOW_FIELD(struct task_ext, ext, flags) |= 1;
 */
#define DYNAMOS_SHADOW_FIELD(type, ptr, field) (((type *)(ptr))->field)

/*
 * Shadow data shared between updates: one namespace keyed by <obj, id>
 *
 * The tables above belong to one update module and die with it.  When a
 * later update must go on using what an earlier one attached (update 2
 * reads the field update 1 added; an update replacing another keeps its
 * data), the shadows live in the framework instead: one framework-wide
 * namespace in which a shadow is named by the object's address and an id,
 * an unsigned long the updates agree on (e.g. one per new field or
 * structure, kept in a header both updates include).  Same object, other
 * id: another shadow; same id, other object: another shadow.  No init or
 * cleanup: the namespace exists while dynamos.ko is loaded.
 *
 *	#define TASK_EXT_ID	0x7461736b	(agreed by every update using it)
 *	static int task_ext_ctor(void *obj, void *shadow, void *data)
 *	{
 *		struct task_ext *ext = shadow;
 *
 *		ext->flags = *(int *)data;	(only the new shadow)
 *		return 0;
 *	}
 *	ext = dynamos_shadow_get_or_alloc(p, TASK_EXT_ID, sizeof(*ext),
 *					  GFP_ATOMIC, task_ext_ctor, &flags);
 *	ext = dynamos_shadow_get(p, TASK_EXT_ID);	(NULL: no shadow)
 *	dynamos_shadow_free(p, TASK_EXT_ID, task_ext_dtor);	(object freed)
 *	dynamos_shadow_free_all(TASK_EXT_ID, task_ext_dtor);	(last user goes)
 *
 * Semantics:
 *  - A shadow starts zeroed; the constructor @ctor (may be NULL) then fills
 *    it.  The shadow becomes visible to get() only after @ctor returned 0,
 *    with everything @ctor stored (release/acquire): no CPU ever sees a
 *    half-built shadow.  If @ctor returns non-zero nothing is added and
 *    alloc/get_or_alloc return NULL.
 *  - Constructors run under the namespace's lock (a spinlock with BH
 *    disabled), after the check that <obj, id> is free and before the
 *    shadow is published.  So a constructor runs only for the shadow that
 *    is kept: of two CPUs racing in get_or_alloc() for one <obj, id>, one
 *    constructs and adds its shadow, the other frees its own allocation
 *    without constructing it and returns the first one.  In exchange a
 *    constructor must not sleep (allocate with GFP_ATOMIC), must be short,
 *    must not take a lock that anyone holds while calling alloc,
 *    get_or_alloc, free or free_all (the two locks would be taken in both
 *    orders), and must not call these itself (refused: they return NULL /
 *    do nothing, and a message is logged once); get() is allowed (its own
 *    <obj, id> is not visible yet).
 *  - dynamos_shadow_alloc() never returns an existing shadow: if <obj, id>
 *    has one it returns NULL, leaves the existing one as it is and logs a
 *    message once per boot.  dynamos_shadow_get_or_alloc() returns the
 *    existing one (whatever its size: all users of an id must agree on it)
 *    or adds a new one.
 *  - Destructors @dtor (may be NULL) run in the caller of free/free_all,
 *    without any framework lock held, after the shadow has been removed
 *    from the namespace (get() no longer finds it) and before its memory
 *    is freed, once per shadow.  The memory itself is freed after an RCU
 *    grace period (kfree_rcu), so readers that found the shadow before may
 *    go on reading it until the end of their RCU read-side critical
 *    section; but what @dtor releases is released at once: if readers
 *    follow pointers stored in the shadow, @dtor must release that memory
 *    RCU-deferred too (kfree_rcu, call_rcu) or the readers must hold a lock
 *    @dtor takes.
 *  - Of concurrent free() calls for one <obj, id> exactly one runs @dtor.
 *    free_all(id) frees every shadow with @id present when it takes the
 *    lock; shadows added meanwhile may survive.  Shadows of other ids are
 *    untouched.
 *  - A pointer returned by get/alloc/get_or_alloc stays valid until the
 *    shadow is freed: as for dynamos_shadow_find(), either within an RCU
 *    read-side critical section, or as long as the caller knows nobody
 *    frees it (it owns the object, or all freers take a lock it holds).
 *  - Pinning: the framework keeps no pointer to @ctor, @dtor or
 *    @ctor_data; they are called synchronously by alloc/get_or_alloc and
 *    free/free_all before these return.  So the framework never calls a
 *    function of a module that may be gone, and the shadows themselves
 *    (framework memory) outlive the module that allocated them - which is
 *    the point.  They must therefore not point into that module (its
 *    functions, static data) unless it stays loaded as long as they do.
 *  - Ownership: freeing is the job of the updates.  An update that goes
 *    for good frees its shadows (free_all in its module exit, with the
 *    destructor releasing what they point to); an update that is replaced
 *    by one that keeps using the id leaves them to its successor.  Shadows
 *    still present when dynamos.ko is unloaded are freed without
 *    destructors and their number is logged as a warning.
 *  - As with tables, an object freed without freeing its shadow leaves the
 *    shadow attached to the address, where the next object allocated there
 *    will find it.
 *
 * Contexts:
 *   get          any context in which RCU is watching, incl. adaptation
 *                handlers (ftrace callback), hardirq, NMI, IRQs off, under
 *                any lock; notrace, lock-free, never waits.  Where RCU is
 *                not watching it returns NULL.
 *   alloc        process or softirq context with IRQs enabled (not hardirq,
 *   get_or_alloc not NMI, not under spin_lock_irq*): elsewhere they return
 *   free         NULL / do nothing.  The buffer is allocated with @gfp
 *   free_all     before any lock is taken: GFP_KERNEL where the caller may
 *                sleep, GFP_ATOMIC (or GFP_NOWAIT) in softirq, under a
 *                spinlock (spin_lock, spin_lock_bh), rcu_read_lock or with
 *                preemption disabled.  free/free_all never sleep
 *                themselves; @dtor runs in the caller's context (it may
 *                sleep only if the caller may).
 *   count        any context in which RCU is watching (0 elsewhere); walks
 *                all shadows of all ids: for tests and status, not fast
 *                paths.
 */

/*
 * dynamos_shadow_ctor_t - fill a new, zeroed @shadow of @obj (the object's
 * address as given, never dereferenced by the framework) from @ctor_data.
 * Atomic context, see above.  Return: 0 to add the shadow, non-zero to
 * drop it (the allocating call then returns NULL).
 */
typedef int (*dynamos_shadow_ctor_t)(void *obj, void *shadow, void *ctor_data);

/*
 * dynamos_shadow_dtor_t - release what @shadow of @obj holds; @shadow is
 * no longer in the namespace and is freed after the call (RCU-deferred).
 */
typedef void (*dynamos_shadow_dtor_t)(void *obj, void *shadow);

/**
 * dynamos_shadow_get() - the shadow <@obj, @id>
 * Return: the shadow, or NULL if there is none (or @obj is NULL, or RCU is
 * not watching).  Any context.
 */
void *dynamos_shadow_get(const void *obj, unsigned long id);

/**
 * dynamos_shadow_alloc() - add a new shadow <@obj, @id>
 * @obj: the object's address (the key; never dereferenced), not NULL
 * @id: the kind of shadow
 * @size: bytes, 1..about KMALLOC_MAX_SIZE; aligned like kmalloc memory
 * @gfp: allocation flags for the buffer (see Contexts)
 * @ctor: fills the zeroed shadow before it is published, or NULL
 * @ctor_data: passed to @ctor
 *
 * Return: the new shadow, or NULL if <@obj, @id> has one already (left
 * untouched; logged once), on -ENOMEM (also of the namespace's hash table
 * growing in atomic context: retry later), if @ctor failed, on bad
 * arguments or in the wrong context.
 */
void *dynamos_shadow_alloc(const void *obj, unsigned long id, size_t size,
			   gfp_t gfp, dynamos_shadow_ctor_t ctor,
			   void *ctor_data);

/**
 * dynamos_shadow_get_or_alloc() - the shadow <@obj, @id>, added if none
 *
 * As dynamos_shadow_alloc(), but an existing shadow is returned as it is
 * (@ctor does not run for it).  Of concurrent callers for one <@obj, @id>
 * one adds the shadow and all get it.
 * Return: the shadow, or NULL (out of memory, @ctor failed, bad arguments
 * or wrong context).
 */
void *dynamos_shadow_get_or_alloc(const void *obj, unsigned long id,
				  size_t size, gfp_t gfp,
				  dynamos_shadow_ctor_t ctor, void *ctor_data);

/**
 * dynamos_shadow_free() - remove the shadow <@obj, @id>, if any
 * @dtor: called once with the shadow after its removal, before it is
 *	freed (RCU-deferred); may be NULL
 */
void dynamos_shadow_free(const void *obj, unsigned long id,
			 dynamos_shadow_dtor_t dtor);

/**
 * dynamos_shadow_free_all() - remove every shadow with @id, whatever its
 *	object, calling @dtor (may be NULL) for each
 */
void dynamos_shadow_free_all(unsigned long id, dynamos_shadow_dtor_t dtor);

/* Number of shadows with @id (a snapshot).  Usually dynamos_shadow_count(id). */
unsigned long dynamos_shadow_id_count(unsigned long id);

/*
 * dynamos_shadow_count(x) - number of shadows: in table @x if @x is a
 * struct dynamos_shadow_table pointer (or NULL), else with id @x in the
 * framework-wide namespace.  One name for both, chosen by the type.
 */
#define dynamos_shadow_count(x)						\
	_Generic((x),							\
		 struct dynamos_shadow_table *: dynamos_shadow_table_count, \
		 const struct dynamos_shadow_table *:			\
			dynamos_shadow_table_count,			\
		 void *: dynamos_shadow_table_count,			\
		 default: dynamos_shadow_id_count)(x)

/* ====================================================================== */
/*
 * New system calls: an update that adds system calls (x86-64)
 *
 * Where an unknown number goes (Debian 6.1, with the 2024 backport that
 * dispatches through a switch instead of the table): do_syscall_64()
 * (noinstr) calls x64_sys_call(regs, nr) for nr < NR_syscalls and answers
 * -ENOSYS itself above; x64_sys_call() has an ftrace site and gives the
 * numbers the kernel does not implement to __x64_sys_ni_syscall (-ENOSYS,
 * no ftrace site; it never reaches sys_ni_syscall).  So an update adds
 * system calls at free numbers below NR_syscalls by a version of
 * x64_sys_call with an adaptation handler that picks it only for its own
 * numbers: every other call (version 1) goes down the update stack to the
 * original, so several such updates stack, and removing the update gives
 * the numbers their -ENOSYS back.  The handler runs on every system call
 * while the update is applied (the handler path: measured +65
 * instructions per call, getpid 323 -> 389).
 *
 * Numbers: the x86-64 table leaves 335..423 unused, and its maintainers
 * keep 387..423 free for good (a comment in the x86-64 table says so),
 * so those are the safest; never the x32 bit (0x40000000), and nothing at
 * or above NR_syscalls (do_syscall_64 answers those itself).  The numbers
 * are the update's own, not the kernel's: check them when the module
 * loads (dynamos_syscalls_check() in module init), so that both
 * `dynamos apply` and insmod refuse a kernel that has taken one.
 *
 *	static long ckpt_collect(const struct pt_regs *regs)
 *	{
 *		pid_t pid = dynamos_syscall_arg(regs, 0);
 *		...
 *	}
 *	static const struct dynamos_syscall ckpt_calls[] = {
 *		{ 400, ckpt_collect }, { 401, ckpt_checkpoint },
 *	};
 *	DYNAMOS_SYSCALLS(ckpt, 5, ckpt_calls);	(id 5 of the update)
 *	init:	ret = dynamos_syscalls_check(ckpt_calls, ARRAY_SIZE(ckpt_calls));
 *
 * DYNAMOS_SYSCALLS(prefix, id, calls) defines prefix_syscall_handler (the
 * adaptation handler) and prefix_x64_sys_call_v2 (version 2 of
 * x64_sys_call, which runs the function of the call's number) and declares
 * both for `dynamos apply`.  A control script registers the same two by
 * name (see examples/checkpoint).  The functions run as system calls do:
 * process context of the calling task, may sleep; they return a value or
 * -errno, which the task sees as errno.  The version stays busy while one
 * of them runs (a blocked call delays removal until its timeout).
 */
#include <linux/kernel.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>

typedef long (*dynamos_syscall_fn_t)(const struct pt_regs *regs);

/* One added system call: its number and its function. */
struct dynamos_syscall {
	unsigned int nr;
	dynamos_syscall_fn_t fn;
};

/*
 * dynamos_syscall_arg() - argument @n (0..5) of a 64-bit system call, from
 *	the caller's saved user registers (rdi, rsi, rdx, r10, r8, r9).
 */
static __always_inline unsigned long
dynamos_syscall_arg(const struct pt_regs *regs, unsigned int n)
{
	switch (n) {
	case 0: return regs->di;
	case 1: return regs->si;
	case 2: return regs->dx;
	case 3: return regs->r10;
	case 4: return regs->r8;
	case 5: return regs->r9;
	default: return 0;
	}
}

/*
 * dynamos_syscall_nr() - the number of the system call current is in, or
 *	-1 outside one (interrupt context, kernel threads, io_uring workers).
 *	Any context; a 32-bit task's numbers are its own ABI's.
 */
static __always_inline long dynamos_syscall_nr(void)
{
	if (!in_task() || (current->flags & (PF_KTHREAD | PF_IO_WORKER)))
		return -1;
	return (long)task_pt_regs(current)->orig_ax;
}

/*
 * dynamos_syscall_entry() - whether @regs and @nr, the arguments of a call
 *	of x64_sys_call, are a user task's own system call @nr: the task's
 *	saved user registers, in task context.  (Only do_syscall_64 calls
 *	x64_sys_call today; the check keeps anything else out.)
 */
static __always_inline bool
dynamos_syscall_entry(const struct pt_regs *regs, unsigned long nr)
{
	return in_task() && !(current->flags & (PF_KTHREAD | PF_IO_WORKER)) &&
	       regs == task_pt_regs(current) && regs->orig_ax == nr;
}

/* The entry of @calls (@n of them) for @nr, or NULL. */
static __always_inline const struct dynamos_syscall *
dynamos_syscall_find(const struct dynamos_syscall *calls, unsigned int n,
		     unsigned long nr)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (calls[i].nr == nr)
			return &calls[i];
	return NULL;
}

/**
 * dynamos_syscall_unused() - whether 64-bit system call @nr is free on the
 *	running kernel and reaches x64_sys_call
 *
 * Logs why not.  Process context, may sleep.
 * Return: 0 free; -ERANGE (@nr >= NR_syscalls: never leaves do_syscall_64),
 * -EBUSY (the kernel implements it), -ENOENT (kallsyms lacks the table).
 */
int dynamos_syscall_unused(unsigned int nr);

/**
 * dynamos_syscalls_check() - dynamos_syscall_unused() for each of @n
 *	@calls, and no number twice, no function missing (-EINVAL)
 */
int dynamos_syscalls_check(const struct dynamos_syscall *calls, unsigned int n);

#define DYNAMOS_SYSCALLS(prefix, id, calls)				\
static notrace int prefix##_syscall_handler(const struct dynamos_call *call) \
{									\
	unsigned long __nr = dynamos_arg(call, 1);			\
									\
	if (dynamos_syscall_find(calls, ARRAY_SIZE(calls), __nr) &&	\
	    dynamos_syscall_entry((const struct pt_regs *)dynamos_arg(call, 0), \
				  __nr))					\
		return 2;						\
	return 1;							\
}									\
static noinline long prefix##_x64_sys_call_v2(const struct pt_regs *regs, \
					      unsigned int nr)		\
{									\
	const struct dynamos_syscall *__call =				\
		dynamos_syscall_find(calls, ARRAY_SIZE(calls), nr);	\
									\
	return __call ? __call->fn(regs) : -ENOSYS;			\
}									\
DYNAMOS_REPLACE(id, x64_sys_call, prefix##_x64_sys_call_v2);		\
DYNAMOS_HANDLER(id, prefix##_syscall_handler)

/* ====================================================================== */
/*
 * Kernel threads: moving threads that never exit onto a new main function
 *
 * A kernel thread calls its main function F once and loops in it, so a new
 * version F' of F reaches no running thread.  A restart moves each thread
 * of F's family - kthread_func() is F, F's original body or F' - onto a
 * successor thread started at the target function with the same data
 * (kthread_data()), name, node, CPU affinity and nice value:
 *
 *	static struct dynamos_kthread kt = {
 *		.name = "kswapd", .threadfn = kswapd, .version = kswapd_v2,
 *		.publish = kswapd_publish,
 *	};
 *	DYNAMOS_REPLACE(1, kswapd, kswapd_v2);
 *	DYNAMOS_KTHREAD_SAFE_POINT(2, kswapd_safe_point);
 *	post_activation of version 2 of id 1:	dynamos_kthread_forward(&kt, ms)
 *	pre_activation of version 1 of id 1:	dynamos_kthread_back(&kt, ms)
 *
 * forward moves the family onto F' (started directly); back onto F's
 * original body (started past F's redirection, since F' is still active in
 * a pre-activation hook - as are the safe point and any state-saving
 * version, which the move back needs).  Threads the kernel starts later at
 * F run whatever version is active, through the redirection.
 *
 * The safe point.  A thread moves when it calls kthread_should_stop():
 * DYNAMOS_KTHREAD_SAFE_POINT(id, name) declares a version of it that
 * answers true also to a thread being moved, once it has been moved.  At
 * its first such call the thread (1) publishes its successor where the
 * kernel keeps it, with @publish, (2) wakes it and (3) is told to stop:
 * F returns, the thread exits.  The mover wakes the thread (and again
 * every 50 ms until it moved), so a sleeping thread reaches the point.
 *
 * State.  A thread hands state over with dynamos_kthread_save() from
 * the code it passes right before its kthread_should_stop() (typically a
 * version of the function it calls to sleep, or F' itself); if @state_size
 * is not 0 the thread moves only after a save.  The successor takes it
 * with dynamos_kthread_restore() (in F', or in that version of the sleep
 * function before the successor's first sleep).  Up to
 * DYNAMOS_KTHREAD_STATE_MAX bytes; what the bytes mean is the update's.
 *
 * What the update author must guarantee:
 *  - F (and F') returns soon after kthread_should_stop() returned true,
 *    touches nothing the successor owns on the way out, and calls the
 *    kthread_should_stop() of this kernel (not a private flag) in its loop.
 *  - @publish runs on the old thread inside kthread_should_stop() under
 *    rcu_read_lock(), possibly with the task state already set for sleep:
 *    it must not sleep (mutex_trylock, not mutex_lock) and returns 0 once
 *    @successor replaces @old wherever the kernel keeps @old (e.g.
 *    pgdat->kswapd), non-zero to be asked again at the next safe point.
 *    Never block on a lock whose holder may be waiting in kthread_stop()
 *    of @old: the framework checks the kernel's stop request first and lets
 *    a thread that is really being stopped exit without moving it.
 *  - Since the successor is published while the old thread still runs,
 *    no pointer the kernel keeps ever names an exited thread; a successor
 *    that was never published is stopped by the framework.
 *
 * Contexts and locking:
 *   forward, back  process context, may sleep; from hooks (they run under
 *                  the framework's command lock, so they wait at most
 *                  @timeout_ms, then give up on the threads that did not
 *                  move, log which, and return -ETIMEDOUT).  One restart
 *                  at a time (a framework mutex).  Returns 0 (also when
 *                  nothing was to move), -EINVAL, -E2BIG (more than 64
 *                  threads), -ENOMEM or kthread_create()'s error, all
 *                  before anything moved, or -EOPNOTSUPP (see prepare).
 *   should_stop, save, restore  from the thread itself, any context
 *                  kthread_should_stop() is called in; lock-free (RCU), a
 *                  single atomic read when nothing moves.
 *   prepare        process context; from the update's module init: fails
 *                  (-EOPNOTSUPP) where an original cannot be called past
 *                  its redirection (IBT), so the update is not loaded.
 */
#define DYNAMOS_KTHREAD_STATE_MAX	64

struct task_struct;

/**
 * struct dynamos_kthread - a family of kernel threads and how to move them
 * @name:	for the kernel log
 * @threadfn:	F, the kernel's main function of the threads (version 1)
 * @version:	F', the update's main function
 * @publish:	replaces @old by @successor where the kernel keeps it (see
 *		above); NULL if the kernel keeps no pointer to the thread
 * @state_size:	bytes handed over per thread, 0 .. DYNAMOS_KTHREAD_STATE_MAX
 */
struct dynamos_kthread {
	const char *name;
	int (*threadfn)(void *data);
	int (*version)(void *data);
	int (*publish)(struct task_struct *old, struct task_struct *successor,
		       void *data);
	size_t state_size;
};

int dynamos_kthread_prepare(void);
/*
 * The address of function @name ("symbol" or "module:symbol"), not its
 * original entry: @threadfn when F is static, so that the update needs no
 * binding at apply time and can be loaded with insmod.  NULL (logged) if
 * unknown, ambiguous or not a function.  Process context, may sleep.
 */
int (*dynamos_kthread_fn_by_name(const char *name))(void *);
int dynamos_kthread_forward(const struct dynamos_kthread *kt,
			    unsigned int timeout_ms);
int dynamos_kthread_back(const struct dynamos_kthread *kt,
			 unsigned int timeout_ms);
/* kthread_should_stop(), true also for a thread that has been moved. */
bool dynamos_kthread_should_stop(void);
/* In the thread being moved: hand @size bytes of @state over. */
void dynamos_kthread_save(const void *state, size_t size);
/* In a successor: take its predecessor's state; false if there is none. */
bool dynamos_kthread_restore(void *state, size_t size);

/*
 * DYNAMOS_KTHREAD_SAFE_POINT(id, name) - defines @name, a version of
 * kthread_should_stop(), and declares it version 2 of @id.  Its cost when
 * nothing moves: the redirection's, a call of the original through a pointer
 * and one atomic read per call.
 */
#define DYNAMOS_KTHREAD_SAFE_POINT(id, name)				\
	static noinline bool name(void)					\
	{								\
		return dynamos_kthread_should_stop();			\
	}								\
	DYNAMOS_REPLACE(id, kthread_should_stop, name)

#endif /* _DYNAMOS_H */
