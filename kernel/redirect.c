// SPDX-License-Identifier: GPL-2.0
/*
 * Redirection: one ftrace_ops per update, on the original function's
 * ftrace (fentry) site.  The callback picks the version for each call and
 * moves the saved instruction pointer to it; for version 1 it leaves the
 * ip alone, so the original body runs.
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
#include <linux/trace_recursion.h>

#include <linux/slab.h>

#include "internal.h"

/* The live version @v, or NULL if it cannot take new calls. */
static __always_inline struct dyn_version *
dyn_live(struct dyn_update *upd, unsigned int v)
{
	struct dyn_version *vp;

	if (v < 1 || v > DYNAMOS_MAX_VERSIONS)
		return NULL;
	vp = READ_ONCE(upd->ver[v]);
	if (!vp || READ_ONCE(vp->state) != DYN_LIVE)
		return NULL;
	return vp;
}

/*
 * Set while this CPU runs an adaptation handler: a handler that calls an
 * updated function (directly, or from an interrupt that nests in it) gets
 * that function's original instead of recursing into handlers.
 */
static DEFINE_PER_CPU(int, dyn_in_handler);

/* The handler's choice; out of line, so the common path builds no struct. */
static noinline int notrace dyn_run_handler(struct dyn_update *upd,
					    dynamos_handler_t handler,
					    unsigned long ip,
					    unsigned long parent_ip,
					    struct ftrace_regs *fregs)
{
	struct pt_regs *regs = &fregs->regs;	/* x86-64: args always saved */
	struct dynamos_call call = {
		.update = (struct dynamos_update *)upd,
		.name = upd->name,
		.id = upd->id,
		.active = READ_ONCE(upd->active),
		.args = { regs->di, regs->si, regs->dx,
			  regs->cx, regs->r8, regs->r9 },
		.ip = ip,
		.parent_ip = parent_ip,
		.task = current,
	};
	int r;

	if (__this_cpu_read(dyn_in_handler))
		return -1;
	__this_cpu_write(dyn_in_handler, 1);
	r = handler(&call);
	__this_cpu_write(dyn_in_handler, 0);
	return r;
}

static void notrace dyn_ftrace_func(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *op,
				    struct ftrace_regs *fregs)
{
	struct dyn_update *upd = container_of(op, struct dyn_update, ops);
	struct dyn_version *vp = NULL;
	dynamos_handler_t handler;
	unsigned int v = 0;
	int r;

	/*
	 * Preemption off for the whole choice: dyn_sync_callbacks() relies on
	 * it.  Recursion needs no guard here: the callback calls nothing that
	 * is traced except the handler, which dyn_run_handler() guards.
	 */
	preempt_disable_notrace();

	handler = READ_ONCE(upd->handler);
	if (handler) {
		r = dyn_run_handler(upd, handler, ip, parent_ip, fregs);
		if (r < 0) {
			v = 1;		/* nested in a handler: the original */
			goto count;
		}
		if (r > 0 && r <= DYNAMOS_MAX_VERSIONS) {
			v = r;
			vp = dyn_live(upd, v);
		}
	}
	if (!vp) {
		v = READ_ONCE(upd->active);
		vp = dyn_live(upd, v);
	}
	if (!vp || v == 1) {
		v = 1;
		vp = NULL;	/* original: leave the ip alone */
	}
count:
	this_cpu_inc(upd->counters->calls[v]);
	if (vp)
		ftrace_instruction_pointer_set(fregs, vp->code.addr);

	preempt_enable_notrace();
}

int dyn_redirect_install(struct dyn_update *upd, struct dynamos_req *req)
{
	int ret, err;

	upd->ops.func = dyn_ftrace_func;
	/*
	 * No FTRACE_OPS_FL_RECURSION: that flag asks ftrace to wrap the
	 * callback in its recursion-guarding assist function, which would
	 * double the per-call cost; the callback guards recursion itself.
	 * PERMANENT: refuse "ftrace_enabled=0" while a redirection exists.
	 */
	upd->ops.flags = FTRACE_OPS_FL_DYNAMIC | FTRACE_OPS_FL_IPMODIFY |
			 FTRACE_OPS_FL_PERMANENT;

	ret = ftrace_set_filter_ip(&upd->ops, upd->fentry, 0, 0);
	if (ret) {
		dyn_err(req, "cannot set an ftrace filter on %s (error %d)",
			upd->ver[1]->code.sym, ret);
		return ret;
	}

	ret = register_ftrace_function(&upd->ops);
	if (ret) {
		if (ret == -EBUSY)
			dyn_err(req, "%s is already claimed by livepatch or another ftrace IPMODIFY/direct user (or ftrace is disabled)",
				upd->ver[1]->code.sym);
		else
			dyn_err(req, "cannot redirect %s: ftrace error %d",
				upd->ver[1]->code.sym, ret);
		err = ftrace_set_filter_ip(&upd->ops, upd->fentry, 1, 0);
		if (err)
			pr_warn("cannot drop filter of %s: %d\n",
				upd->ver[1]->code.sym, err);
		ftrace_free_filter(&upd->ops);
		return ret;
	}
	upd->redirected = true;
	return 0;
}

/*
 * Unregistering a dynamic ops waits until no task can be in its callback
 * or trampoline any more, so @upd may be freed afterwards.
 */
int dyn_redirect_remove(struct dyn_update *upd)
{
	int ret;

	if (!upd->redirected)
		return 0;
	ret = unregister_ftrace_function(&upd->ops);
	if (ret) {
		pr_err("cannot remove the redirection of %s/%u: %d\n",
		       upd->name, upd->id, ret);
		return ret;
	}
	ftrace_free_filter(&upd->ops);
	upd->redirected = false;
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

/*
 * Additionally wait until every task that was between a callback and the
 * version it was sent to (in the ftrace trampoline, possibly preempted) has
 * reached it, so the version shows up on that task's stack.
 */
void dyn_sync_tasks(void)
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

unsigned long dynamos_original_by_name(const char *name)
{
	struct dynamos_req *req;	/* only carries the error message */
	struct dyn_code code;
	unsigned long entry = 0;

	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return 0;
	if (dyn_resolve(name, 0, &code, req)) {
		pr_warn("dynamos_original_by_name: %s\n", req->error);
	} else {
		entry = dynamos_original_entry(code.addr);
		/* Only the address is kept; the module reference is not needed. */
		dyn_code_put(&code);
	}
	kfree(req);
	return entry;
}
EXPORT_SYMBOL_GPL(dynamos_original_by_name);
