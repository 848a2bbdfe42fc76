// SPDX-License-Identifier: GPL-2.0
/*
 * Redirection: one ftrace_ops per updated function, on its ftrace (fentry)
 * site.  The callback asks the top update of the function's stack for the
 * version of each call (a choice of version 1 passes the call down to the
 * update below, see function.c) and moves the saved instruction pointer to
 * it; for the original it leaves the ip after the site, so the original
 * body runs.
 *
 * The callback runs in whatever context calls the function (IRQ, NMI, the
 * idle loop with RCU not watching), so it and everything it calls is
 * notrace, takes no locks and never sleeps.  It only reads fields marked
 * lockless in internal.h.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/ftrace.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>


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
					    struct ftrace_regs *fregs)
{
	/* x86-64: the argument registers are always saved */
	return handler((const struct dynamos_call *)&fregs->regs);
}

/* A handler already runs on this CPU: nested in it, or its own call? */
static noinline unsigned int notrace
dyn_handler_nested(struct dyn_update *upd, dynamos_handler_t handler,
		   struct ftrace_regs *fregs, struct dyn_update *outer)
{
	unsigned int pc = dyn_preempt_bits(), outer_pc;
	int v;

	outer_pc = __this_cpu_read(dyn_handler_pc);
	if (!((pc ^ outer_pc) & DYN_CONTEXT_BITS))
		return 0;	/* the handler's own call: the active version */
	__this_cpu_write(dyn_handler_upd, upd);
	__this_cpu_write(dyn_handler_pc, pc);
	v = dyn_call_handler(handler, fregs);
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
		   struct ftrace_regs *fregs)
{
	struct dyn_update *outer = __this_cpu_read(dyn_handler_upd);
	int v;

	if (unlikely(outer))
		return dyn_handler_nested(upd, handler, fregs, outer);
	__this_cpu_write(dyn_handler_upd, upd);
	barrier();
	__this_cpu_write(dyn_handler_pc, dyn_preempt_bits());
	v = dyn_call_handler(handler, fregs);
	__this_cpu_write(dyn_handler_upd, NULL);
	return v;
}

/*
 * Every call of a redirected function comes here.  Kept short on purpose
 * (each instruction is paid on every call; see bench/redirection-cost):
 * the version's entry address is precomputed, version 1's entry is the
 * instruction after the ftrace site, so "run the original" needs no
 * branch, and the active version is read only once it is needed, so that
 * fewer values live across the handler call.
 */
static void notrace dyn_ftrace_func(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *op,
				    struct ftrace_regs *fregs)
{
	struct dyn_func *func = container_of(op, struct dyn_func, ops);
	struct dyn_update *upd, *below;
	dynamos_handler_t handler;
	unsigned long entry;
	unsigned int v, choice;

	/*
	 * Preemption off for the whole choice: dyn_sync_callbacks() relies on
	 * it.  Recursion needs no guard here: the callback calls nothing that
	 * is traced except the handler, which dyn_handler_choice() guards.
	 */
	preempt_disable_notrace();

	/* Pairs with the release that published a new top (function.c). */
	upd = smp_load_acquire(&func->top);
	for (;;) {
		handler = READ_ONCE(upd->handler);
		if (handler) {
			choice = dyn_handler_choice(upd, handler, fregs);
			/*
			 * 0 and out-of-range choices (negative ones wrap)
			 * mean the active version, which the handler may
			 * just have set.
			 */
			if (choice - 1 < DYNAMOS_MAX_VERSIONS)
				v = choice;
			else
				v = READ_ONCE(upd->active);
		} else {
			v = READ_ONCE(upd->active);
		}
		entry = READ_ONCE(upd->entry[v]);
		if (unlikely(!entry)) {
			/*
			 * Not live: the handler chose a version that is
			 * absent or being removed (take the active one), or
			 * the active one is being removed (take version 1).
			 */
			v = READ_ONCE(upd->active);
			entry = READ_ONCE(upd->entry[v]);
			if (!entry) {
				v = 1;
				entry = READ_ONCE(upd->entry[1]);
			}
		}
		this_cpu_inc(upd->counters->calls[v]);
		/* Version 1 of a stacked update: the one below decides. */
		if (likely(v != 1))
			break;
		below = READ_ONCE(upd->below);
		if (likely(!below))
			break;
		upd = below;
	}
	ftrace_instruction_pointer_set(fregs, entry);

	preempt_enable_notrace();
}

int dyn_redirect_install(struct dyn_func *func, struct dynamos_req *req)
{
	int ret, err;

	memset(&func->ops, 0, sizeof(func->ops));
	func->ops.func = dyn_ftrace_func;
	/*
	 * No FTRACE_OPS_FL_RECURSION: that flag asks ftrace to wrap the
	 * callback in its recursion-guarding assist function, which would
	 * double the per-call cost; the callback guards recursion itself.
	 * PERMANENT: refuse "ftrace_enabled=0" while a redirection exists.
	 */
	func->ops.flags = FTRACE_OPS_FL_DYNAMIC | FTRACE_OPS_FL_IPMODIFY |
			  FTRACE_OPS_FL_PERMANENT;

	ret = ftrace_set_filter_ip(&func->ops, func->fentry, 0, 0);
	if (ret) {
		dyn_err(req, "cannot set an ftrace filter on %s (error %d)",
			func->sym, ret);
		return ret;
	}

	ret = register_ftrace_function(&func->ops);
	if (ret) {
		if (ret == -EBUSY)
			dyn_err(req, "%s is already claimed by livepatch or another ftrace IPMODIFY/direct user (or ftrace is disabled)",
				func->sym);
		else
			dyn_err(req, "cannot redirect %s: ftrace error %d",
				func->sym, ret);
		err = ftrace_set_filter_ip(&func->ops, func->fentry, 1, 0);
		if (err)
			pr_warn("cannot drop filter of %s: %d\n", func->sym, err);
		ftrace_free_filter(&func->ops);
		return ret;
	}
	func->redirected = true;
	return 0;
}

/*
 * Unregistering a dynamic ops waits until no task can be in its callback
 * or trampoline any more, so @func and its updates may be freed afterwards.
 */
int dyn_redirect_remove(struct dyn_func *func)
{
	int ret;

	if (!func->redirected)
		return 0;
	ret = unregister_ftrace_function(&func->ops);
	if (ret) {
		pr_err("cannot remove the redirection of %s: %d\n", func->sym,
		       ret);
		return ret;
	}
	ftrace_free_filter(&func->ops);
	func->redirected = false;
	return 0;
}

/*
 * Wait until every callback that may have started before has returned:
 * callbacks run with preemption disabled, possibly where RCU is not
 * watching, so make every CPU schedule.
 */
void dyn_sync_callbacks(void)
{
	synchronize_rcu_tasks_rude();
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

unsigned long dynamos_original_by_name(const char *name)
{
	struct dynamos_req *req;	/* only carries the error message */
	struct dyn_code code;
	unsigned long entry = 0;

	req = dyn_alloc(sizeof(*req));
	if (!req)
		return 0;
	if (dyn_resolve(name, DYN_CODE_TARGET, &code, req)) {
		pr_warn("dynamos_original_by_name: %s\n", req->error);
	} else {
		entry = dynamos_original_entry(code.addr);
		/* Only the address is kept; the module reference is not needed. */
		dyn_code_put(&code);
	}
	dyn_free(req);
	return entry;
}
EXPORT_SYMBOL_GPL(dynamos_original_by_name);
