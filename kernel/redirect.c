// SPDX-License-Identifier: GPL-2.0
/*
 * Redirection: every updated function's ftrace site calls its stub
 * (stub.c), an ftrace direct call, so no ftrace_ops callback runs.  The
 * stub jumps either
 *   - along a route (the fast path): the function's decision written down
 *     as code - count the call, jump to the version - while no update on
 *     its stack has an adaptation handler, a few instructions per call; or
 *   - into the handler path: dyn_handler_entry (trampoline.S) calls
 *     dyn_handler_dispatch(), which asks the top update of the function's stack for
 *     the version of each call (a choice of version 1 passes the call down
 *     to the update below, see function.c), exactly as the route would but
 *     reading the table each time.
 *
 * dyn_func_refresh() keeps the stub in step with the table: whoever
 * changes what a function's calls run (active version, handler, live
 * versions, stack) calls it before relying on the change.  Switching path
 * or route patches one jmp while the machine is stopped (stub.c), which
 * every CPU sees at once: no call is lost; a call that entered before runs
 * what was chosen before.
 *
 * dyn_handler_dispatch() runs in whatever context calls the function (IRQ, NMI,
 * the idle loop with RCU not watching), so it and everything it calls is
 * notrace, takes no locks and never sleeps.  It only reads fields marked
 * lockless in internal.h.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/ftrace.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/static_call.h>


#include "internal.h"

/*
 * The update whose adaptation handler runs on this CPU (NULL if none), and
 * the preempt_count() it runs with, whose interrupt bits tell its context
 * (task, softirq, hardirq, NMI).  They tell dynamos_set_active() and
 * dynamos_call_state() which update the handler belongs to, and guard
 * recursion: a handler that calls an updated function in its own context
 * gets that function's active version without its handler, while an
 * interrupt, softirq or NMI nested in a handler runs handlers of its own
 * and then gives the slot back.  (An interrupt that arrives between the
 * two stores of the slot may take itself for the same context and skip
 * its handler: its call then runs the active version.)
 */
static DEFINE_PER_CPU(struct dyn_update *, dyn_handler_upd);
static DEFINE_PER_CPU(unsigned int, dyn_handler_pc);

#define DYN_CONTEXT_BITS (NMI_MASK | HARDIRQ_MASK | SOFTIRQ_OFFSET)

/* preempt_count() without masking the resched bit: only the context bits count. */
static __always_inline unsigned int dyn_preempt_bits(void)
{
	return raw_cpu_read_4(__preempt_count);
}

/* Valid while preemption is disabled, as it is in handlers. */
struct dyn_update *notrace dyn_handler_update(void)
{
	return this_cpu_read(dyn_handler_upd);
}

static __always_inline int dyn_call_handler(dynamos_handler_t handler,
					    struct pt_regs *regs)
{
	/* dyn_handler_entry saved the argument registers (only them). */
	return handler((const struct dynamos_call *)regs);
}

/* A handler already runs on this CPU: nested in it, or its own call? */
static noinline unsigned int notrace
dyn_handler_nested(struct dyn_update *upd, dynamos_handler_t handler,
		   struct pt_regs *regs, struct dyn_update *outer)
{
	unsigned int pc = dyn_preempt_bits(), outer_pc;
	int v;

	outer_pc = __this_cpu_read(dyn_handler_pc);
	if (!((pc ^ outer_pc) & DYN_CONTEXT_BITS))
		return 0;	/* the handler's own call: the active version */
	__this_cpu_write(dyn_handler_upd, upd);
	__this_cpu_write(dyn_handler_pc, pc);
	v = dyn_call_handler(handler, regs);
	__this_cpu_write(dyn_handler_upd, outer);
	__this_cpu_write(dyn_handler_pc, outer_pc);
	return v;
}

/*
 * The handler's choice for this call: a version number, unchecked (the
 * caller takes only versions with an entry), or 0 (the active version)
 * for a call the handler itself makes.
 */
static __always_inline unsigned int
dyn_handler_choice(struct dyn_update *upd, dynamos_handler_t handler,
		   struct pt_regs *regs)
{
	struct dyn_update *outer = __this_cpu_read(dyn_handler_upd);
	int v;

	if (unlikely(outer))
		return dyn_handler_nested(upd, handler, regs, outer);
	__this_cpu_write(dyn_handler_upd, upd);
	barrier();
	__this_cpu_write(dyn_handler_pc, dyn_preempt_bits());
	v = dyn_call_handler(handler, regs);
	__this_cpu_write(dyn_handler_upd, NULL);
	return v;
}

/*
 * The entry @upd chooses for this call, which is counted; 0 to pass the
 * call down to the update below (version 1 of a stacked update).  A
 * handler's choice is taken if that version is live; 0 and out-of-range
 * choices (negative ones wrap) mean the active version, which the handler
 * may just have set: entry[0] is always 0, so they take the not-live
 * branch, like a version being removed (the active one being removed
 * means version 1).
 */
static __always_inline unsigned long
dyn_choose_with(struct dyn_update *upd, struct pt_regs *regs,
		dynamos_handler_t handler)
{
	unsigned long entry, v = 0;	/* long: indexes without extending */

	if (handler) {
		v = (unsigned int)dyn_handler_choice(upd, handler, regs);
		if (v > DYNAMOS_MAX_VERSIONS)
			v = 0;
	}
	entry = READ_ONCE(upd->entry[v]);
	if (unlikely(!entry)) {
		v = READ_ONCE(upd->active);
		entry = READ_ONCE(upd->entry[v]);
		if (!entry) {
			v = 1;
			entry = READ_ONCE(upd->entry[1]);
		}
	}
	this_cpu_inc(upd->counters->calls[v]);
	if (v == 1 && READ_ONCE(upd->below))
		return 0;
	return entry;
}

static __always_inline unsigned long dyn_choose(struct dyn_update *upd,
						struct pt_regs *regs)
{
	return dyn_choose_with(upd, regs, READ_ONCE(upd->handler));
}

/*
 * The handler path: every call of a function whose stack has a handler
 * comes here from dyn_handler_entry (trampoline.S), which continues at the
 * entry returned.  Kept short on purpose (each instruction is paid on
 * every call; see bench/redirection-cost): the version's entry address is
 * precomputed, and version 1's entry is the instruction after the ftrace
 * site, so "run the original" needs no branch.
 */
unsigned long notrace dyn_handler_dispatch(struct dyn_func *func,
					   struct pt_regs *regs)
{
	struct dyn_update *upd;
	unsigned long entry;

	/*
	 * Preemption off for the whole choice: dyn_sync_callbacks() relies on
	 * it.  Recursion needs no guard here: this calls nothing that is
	 * traced except the handler, which dyn_handler_choice() guards.
	 */
	preempt_disable_notrace();
	/* Pairs with the release that published a new top (function.c). */
	upd = smp_load_acquire(&func->top);
	while (!(entry = dyn_choose(upd, regs)))
		upd = READ_ONCE(upd->below);	/* not NULL: dyn_choose() saw it */
	preempt_enable_notrace();
	return entry;
}

/*
 * Keyed handler paths.  A handler is called through a function pointer,
 * which under retpolines costs a thunk on every call.  So the handler of
 * a function's top update gets, while one is free, a key k: its own entry
 * (dyn_keyed_entry_k, trampoline.S) that the stub jumps to directly, and
 * its own dispatch, which calls the handler through static call
 * dyn_hcall_k (patched to a direct call) and knows the function.  It
 * still checks that the top update is the key's owner: a call that
 * passed the stub before a change may arrive late, and then takes the
 * general way.
 *
 * A key is released (owner NULL) before its handler can go away, and is
 * given to another function or handler only once no stub jumps to its
 * entry any more and no task can be between a stub and the owner check
 * (dyn_sync_routes()), so .func and the static call never change under a
 * call.  All fields are written under dyn_mutex; .func and .owner are
 * read lockless.
 */
struct dyn_keyed {
	struct dyn_func *func;
	struct dyn_update *owner;	/* NULL: released */
	dynamos_handler_t handler;	/* the static call's target */
	unsigned int stubs;		/* stubs jumping to its entry */
	bool dirty;			/* released since the last sync */
};

static struct dyn_keyed dyn_keyed[DYN_NR_KEYED];

static int notrace dyn_no_handler(const struct dynamos_call *call)
{
	return 0;
}

static __always_inline unsigned long
dyn_keyed_dispatch(struct pt_regs *regs, unsigned int k,
		   dynamos_handler_t call_handler)
{
	struct dyn_func *func = READ_ONCE(dyn_keyed[k].func);
	struct dyn_update *upd;
	unsigned long entry;

	preempt_disable_notrace();
	upd = smp_load_acquire(&func->top);
	if (likely(upd == READ_ONCE(dyn_keyed[k].owner)))
		entry = dyn_choose_with(upd, regs, call_handler);
	else
		entry = dyn_choose(upd, regs);
	while (!entry) {
		upd = READ_ONCE(upd->below);	/* not NULL: dyn_choose() saw it */
		entry = dyn_choose(upd, regs);
	}
	preempt_enable_notrace();
	return entry;
}

#define DYN_DEFINE_KEYED(k)						\
DEFINE_STATIC_CALL(dyn_hcall_##k, dyn_no_handler);			\
static int notrace dyn_hcall_do_##k(const struct dynamos_call *call)	\
{									\
	return static_call(dyn_hcall_##k)(call);			\
}									\
unsigned long notrace dyn_keyed_dispatch_##k(struct pt_regs *regs);	\
unsigned long notrace dyn_keyed_dispatch_##k(struct pt_regs *regs)	\
{									\
	return dyn_keyed_dispatch(regs, k, dyn_hcall_do_##k);		\
}									\
static void dyn_hcall_set_##k(dynamos_handler_t handler)		\
{									\
	static_call_update(dyn_hcall_##k, handler);			\
}									\
void dyn_keyed_entry_##k(void)

DYN_DEFINE_KEYED(0);
DYN_DEFINE_KEYED(1);
DYN_DEFINE_KEYED(2);
DYN_DEFINE_KEYED(3);
DYN_DEFINE_KEYED(4);
DYN_DEFINE_KEYED(5);
DYN_DEFINE_KEYED(6);
DYN_DEFINE_KEYED(7);

static const struct {
	void (*set)(dynamos_handler_t handler);
	void (*entry)(void);
} dyn_keyed_code[DYN_NR_KEYED] = {
#define DYN_KEYED_CODE(k) { dyn_hcall_set_##k, dyn_keyed_entry_##k }
	DYN_KEYED_CODE(0), DYN_KEYED_CODE(1), DYN_KEYED_CODE(2),
	DYN_KEYED_CODE(3), DYN_KEYED_CODE(4), DYN_KEYED_CODE(5),
	DYN_KEYED_CODE(6), DYN_KEYED_CODE(7),
#undef DYN_KEYED_CODE
};

/*
 * A stub now jumps to key @k's entry (@add) or no longer does: its entry,
 * dispatch and static call must stay as they are meanwhile.  Under
 * dyn_mutex (stub.c).
 */
unsigned long dyn_keyed_entry(unsigned int k, bool add)
{
	if (add)
		dyn_keyed[k].stubs++;
	else
		dyn_keyed[k].stubs--;
	return (unsigned long)dyn_keyed_code[k].entry;
}

/* The key of @func's top update @upd with @handler; -1: none free. */
static int dyn_keyed_get(struct dyn_func *func, struct dyn_update *upd,
			 dynamos_handler_t handler)
{
	int k, clean = -1, dirty = -1;

	for (k = 0; k < DYN_NR_KEYED; k++) {
		struct dyn_keyed *key = &dyn_keyed[k];

		if (key->owner == upd && key->func == func &&
		    key->handler == handler)
			return k;
		if (key->owner || key->stubs)
			continue;
		if (!key->dirty && clean < 0)
			clean = k;
		if (key->dirty && dirty < 0)
			dirty = k;
	}
	if (clean < 0) {
		if (dirty < 0)
			return -1;
		/* Late calls of released keys have passed their check. */
		dyn_sync_routes();
		for (k = 0; k < DYN_NR_KEYED; k++)
			if (!dyn_keyed[k].owner && !dyn_keyed[k].stubs)
				dyn_keyed[k].dirty = false;
		clean = dirty;
	}
	k = clean;
	dyn_keyed_code[k].set(handler);
	dyn_keyed[k].handler = handler;
	WRITE_ONCE(dyn_keyed[k].func, func);
	/* Pairs with nothing but program order: text patching serialised. */
	smp_store_release(&dyn_keyed[k].owner, upd);
	return k;
}

/*
 * @upd's handler changes or @upd goes: its keys send late calls the
 * general way from now on.  Under dyn_mutex; the caller then waits for
 * running calls (dyn_sync_callbacks()) before the handler may go.
 */
void dyn_keyed_release(struct dyn_update *upd)
{
	int k;

	for (k = 0; k < DYN_NR_KEYED; k++) {
		if (dyn_keyed[k].owner != upd)
			continue;
		WRITE_ONCE(dyn_keyed[k].owner, NULL);
		dyn_keyed[k].dirty = true;
	}
}

/*
 * What dyn_handler_dispatch() would do for every call, as long as no handler
 * decides: the entry and the counters it would count.  A route too long
 * to write down, or a handler on the way, means the handler path.  Under
 * dyn_mutex (the only writer of what it reads, but for handlers, which
 * only run while this says "handler path").
 */
static void dyn_route_of(const struct dyn_func *func, struct dyn_route *r)
{
	struct dyn_update *upd = func->top;
	unsigned int v;

	memset(r, 0, sizeof(*r));
	for (;;) {
		if (READ_ONCE(upd->handler) || r->nr == DYN_ROUTE_MAX_COUNTS)
			goto handler;
		v = READ_ONCE(upd->active);
		if (!READ_ONCE(upd->entry[v]))
			v = 1;
		r->count[r->nr++] = &upd->counters->calls[v];
		r->target = READ_ONCE(upd->entry[v]);
		if (v != 1 || !upd->below)
			break;
		upd = upd->below;
	}
	if (r->target)
		return;
handler:
	memset(r, 0, sizeof(*r));
	r->handler = true;
}

/*
 * Make @func's stub follow the table (see the top of this file); with
 * @handler, send every call through the handler path whatever the table
 * says, e.g. while several functions must switch as one (group.c).  Under
 * dyn_mutex.  Cannot fail: without room for a route the function takes
 * the handler path, which is always right.
 */
void dyn_func_route(struct dyn_func *func, bool handler)
{
	struct dyn_route r;

	if (!func->redirected)
		return;
	if (handler) {
		memset(&r, 0, sizeof(r));
		r.handler = true;
	} else {
		dyn_route_of(func, &r);
	}
	if (r.handler && !handler && func->top->handler) {
		int k = dyn_keyed_get(func, func->top, func->top->handler);

		r.keyed = k + 1;	/* 0: the general handler path */
	}
	dyn_stub_route(func, &r);
}

void dyn_func_refresh(struct dyn_func *func)
{
	dyn_func_route(func, false);
}

int dyn_redirect_install(struct dyn_func *func, struct dynamos_req *req)
{
	int ret;

	ret = dyn_stub_alloc(func);
	if (ret) {
		dyn_err(req, "cannot redirect %s: all %d stubs are in use (functions redirected at once)",
			func->sym, DYN_NR_STUBS);
		return ret;
	}
	/* The new stub takes the handler path until the route is known. */
	ret = register_ftrace_direct(func->fentry, func->stub);
	if (ret) {
		if (ret == -EBUSY)
			dyn_err(req, "%s is already claimed by livepatch, BPF or another ftrace IPMODIFY/direct user (or ftrace is disabled)",
				func->sym);
		else
			dyn_err(req, "cannot redirect %s: ftrace error %d",
				func->sym, ret);
		dyn_stub_free(func);
		return ret;
	}
	func->redirected = true;
	dyn_func_refresh(func);
	return 0;
}

/*
 * Once the site no longer calls the stub, wait until no task can be in
 * the stub, a route or the handler path (none of them sleeps; the idle
 * loop and RCU-idle code count only for the "rude" flavour), so @func and
 * its updates may be freed afterwards.
 */
int dyn_redirect_remove(struct dyn_func *func)
{
	int ret;

	if (!func->redirected)
		return 0;
	ret = unregister_ftrace_direct(func->fentry, func->stub);
	if (ret) {
		pr_err("cannot remove the redirection of %s: %d\n", func->sym,
		       ret);
		return ret;
	}
	func->redirected = false;
	dyn_sync_routes();
	dyn_stub_free(func);
	return 0;
}

/*
 * Wait until every dyn_handler_dispatch() that may have started before has
 * returned: it runs with preemption disabled, possibly where RCU is not
 * watching, so make every CPU schedule.
 */
void dyn_sync_callbacks(void)
{
	synchronize_rcu_tasks_rude();
}

/*
 * Wait until no task is on a route or in the handler path it was on
 * before: also the tasks preempted there (they have not switched
 * voluntarily since).
 */
void dyn_sync_routes(void)
{
	synchronize_rcu_tasks_rude();
	synchronize_rcu_tasks();
}

unsigned long dynamos_original_entry(unsigned long func)
{
	unsigned long site;

#ifdef CONFIG_X86_KERNEL_IBT
	/* An indirect call past ENDBR would trap. */
	if (cpu_feature_enabled(X86_FEATURE_IBT))
		return 0;
#endif
	site = dyn_ftrace_location(func);
	if (!site)
		return func;	/* no ftrace site: never redirected */
	return site + MCOUNT_INSN_SIZE;
}
EXPORT_SYMBOL_GPL(dynamos_original_entry);

/*
 * The address of function @name ("symbol" or "module:symbol"), or with
 * @entry its dynamos_original_entry() (taken while the module is held); 0
 * (logged for @caller) if unknown, ambiguous or not a function.  May sleep.
 */
unsigned long dyn_function_by_name(const char *name, bool entry,
				   const char *caller)
{
	struct dynamos_req *req;	/* only carries the error message */
	struct dyn_code code;
	unsigned long addr = 0;

	req = dyn_alloc(sizeof(*req));
	if (!req)
		return 0;
	if (dyn_resolve(name, DYN_CODE_TARGET, &code, req)) {
		pr_warn("%s: %s\n", caller, req->error);
	} else {
		addr = entry ? dynamos_original_entry(code.addr) : code.addr;
		/* Only the address is kept; the module reference is not needed. */
		dyn_code_put(&code);
	}
	dyn_free(req);
	return addr;
}

unsigned long dynamos_original_by_name(const char *name)
{
	return dyn_function_by_name(name, true, "dynamos_original_by_name");
}
EXPORT_SYMBOL_GPL(dynamos_original_by_name);
