// SPDX-License-Identifier: GPL-2.0
/*
 * Monitors: calls, per-CPU counts and a log2 latency histogram of any
 * kernel function ftrace can patch, with no update to write
 * (MONITOR_START, MONITOR_STOP, MONITOR_LIST in uapi/dynamos.h).
 *
 * Mechanism: one kretprobe per monitored function.  On x86-64 a probe on a
 * function's entry is armed through ftrace (KPROBES_ON_FTRACE) with an
 * ftrace_ops that does not ask for IPMODIFY, so it shares the function's
 * ftrace site with our own direct call: the probe runs first, then the
 * redirection takes the call to the version that runs, and the probe's
 * return hook (the kernel's rethook trampoline, put in place of the
 * caller's return address) times that version.  The kernel owns the
 * trampoline: unregister_kretprobe() leaves calls still in flight a valid
 * return path, and the ORC unwinder sees through it, so quiescence checks
 * keep working while a function is monitored.
 *
 * Per call:
 *   dyn_mon_pre()    counts the call on this CPU (also calls the probe
 *                    cannot time), then runs the kretprobe's own entry
 *                    (saved at registration), which takes an instance
 *                    (or counts a miss) and calls
 *   dyn_mon_entry()  stamps local_clock() and the caller into the
 *                    instance (NMI: not timed, counted as missed);
 *   dyn_mon_return() adds the duration to this CPU's histogram (and the
 *                    caller's, with DYNAMOS_MONITOR_BY_CALLER).
 * All three run with preemption disabled, take no lock and are notrace
 * (Kbuild removes the ftrace flags from this file).
 *
 * Per version: the framework's own per-version call counters of the
 * updates on the function, as deltas since the monitor started (exact
 * calls; latency is the function's as a whole, not per version).
 *
 * Ownership: a monitor belongs to the /dev/dynamos file that started it;
 * the file's release stops the file's monitors, module exit stops all.
 *
 * Locking: dyn_mon_mutex protects dyn_monitors, dyn_nr_monitors and
 * dyn_mon_next_id; it is taken by the three commands and by release.  It
 * nests outside dyn_table_lock (MONITOR_START and MONITOR_LIST read the
 * per-version counters under it); nothing takes it inside that lock.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

#define DYN_MON_BUCKETS		DYNAMOS_MONITOR_BUCKETS
#define DYN_MON_CALLERS		DYNAMOS_MONITOR_CALLERS
#define DYN_MON_VERSIONS	64	/* version records of one monitor */
#define DYN_MON_DEFAULT_ACTIVE	256	/* calls in flight timed at once */

struct dyn_mon_cpu {
	u64 calls;			/* entered on this CPU */
	u64 untimed;			/* entered in NMI: not timed */
	u64 hist[DYN_MON_BUCKETS];
};

/* One caller (a return address); @addr claimed once with cmpxchg. */
struct dyn_mon_caller {
	unsigned long addr;
	atomic64_t calls;
	atomic64_t hist[DYN_MON_BUCKETS];
};

/* What one call stores in its kretprobe instance. */
struct dyn_mon_call {
	u64 start;
	unsigned long caller;
};

/* Calls of one version when the monitor started. */
struct dyn_mon_base {
	char name[DYNAMOS_NAME_LEN];
	u32 id;
	u32 version;
	u64 calls;
};

struct dyn_monitor {
	struct list_head list;		/* in dyn_monitors */
	struct kretprobe rp;
	kprobe_pre_handler_t kret_entry;	/* the kretprobe's own entry */
	struct dyn_code code;		/* the function; module referenced */
	const struct file *owner;
	pid_t owner_pid;
	int id;
	u32 flags;
	u32 max_active;
	u64 start_ns;
	struct dyn_mon_cpu __percpu *cpu;
	struct dyn_mon_caller *callers;	/* BY_CALLER: DYN_MON_CALLERS */
	atomic64_t other_calls;		/* callers beyond the table */
	unsigned int nr_base;
	struct dyn_mon_base base[DYN_MON_VERSIONS];
	char function[DYNAMOS_SYMBOL_LEN];	/* as the caller named it */
};

static DEFINE_MUTEX(dyn_mon_mutex);
static LIST_HEAD(dyn_monitors);
static unsigned int dyn_nr_monitors;
static int dyn_mon_next_id = 1;

static notrace unsigned int dyn_mon_bucket(u64 ns)
{
	unsigned int b = ns ? ilog2(ns) : 0;

	return min_t(unsigned int, b, DYN_MON_BUCKETS - 1);
}

static notrace struct dyn_mon_caller *dyn_mon_caller(struct dyn_monitor *mon,
						     unsigned long addr)
{
	struct dyn_mon_caller *c;
	unsigned int i;

	for (i = 0; i < DYN_MON_CALLERS; i++) {
		c = &mon->callers[i];
		if (READ_ONCE(c->addr) == addr)
			return c;
		if (!READ_ONCE(c->addr) && !cmpxchg(&c->addr, 0, addr))
			return c;
		if (READ_ONCE(c->addr) == addr)
			return c;	/* another CPU claimed it for @addr */
	}
	return NULL;
}

static notrace int dyn_mon_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct dyn_monitor *mon = container_of(p, struct dyn_monitor, rp.kp);

	this_cpu_inc(mon->cpu->calls);
	return mon->kret_entry(p, regs);
}

static notrace int dyn_mon_entry(struct kretprobe_instance *ri,
				 struct pt_regs *regs)
{
	struct dyn_mon_call *call = (struct dyn_mon_call *)ri->data;
	struct dyn_monitor *mon = container_of(get_kretprobe(ri),
					       struct dyn_monitor, rp);

	if (in_nmi()) {
		this_cpu_inc(mon->cpu->untimed);
		return 1;	/* no return hook */
	}
	/* At the ftrace site the return address is at the stack pointer. */
	call->caller = *(unsigned long *)kernel_stack_pointer(regs);
	call->start = local_clock();
	return 0;
}

static notrace int dyn_mon_return(struct kretprobe_instance *ri,
				  struct pt_regs *regs)
{
	struct dyn_mon_call *call = (struct dyn_mon_call *)ri->data;
	struct kretprobe *rp = get_kretprobe(ri);
	struct dyn_monitor *mon;
	struct dyn_mon_caller *c;
	u64 now = local_clock();
	unsigned int b;

	if (!rp)
		return 0;
	mon = container_of(rp, struct dyn_monitor, rp);
	b = dyn_mon_bucket(now > call->start ? now - call->start : 0);
	this_cpu_inc(mon->cpu->hist[b]);
	if (!mon->callers)
		return 0;
	c = dyn_mon_caller(mon, call->caller);
	if (!c) {
		atomic64_inc(&mon->other_calls);
		return 0;
	}
	atomic64_inc(&c->calls);
	atomic64_inc(&c->hist[b]);
	return 0;
}

/* The dyn_func of address @addr, or NULL.  Under dyn_table_lock. */
static struct dyn_func *dyn_mon_func(unsigned long addr)
{
	struct dyn_func *func;

	list_for_each_entry(func, &dyn_funcs, list)
		if (func->addr == addr)
			return func;
	return NULL;
}

/*
 * Call each live version of the updates on @mon's function: @fn(mon, upd,
 * v, calls, arg).  Under dyn_table_lock.
 */
static void dyn_mon_each_version(struct dyn_monitor *mon,
				 void (*fn)(struct dyn_monitor *,
					    struct dyn_update *, unsigned int,
					    u64, void *),
				 void *arg)
{
	struct dyn_func *func = dyn_mon_func(mon->code.addr);
	struct dyn_update *upd;
	unsigned int v;

	if (!func)
		return;
	list_for_each_entry(upd, &func->stack, stack_node)
		for (v = 1; v <= upd->nr_versions; v++)
			if (upd->ver[v])
				fn(mon, upd, v, dyn_sum_counter(upd, v), arg);
}

static void dyn_mon_note_base(struct dyn_monitor *mon, struct dyn_update *upd,
			      unsigned int v, u64 calls, void *arg)
{
	struct dyn_mon_base *b;

	if (mon->nr_base >= DYN_MON_VERSIONS)
		return;
	b = &mon->base[mon->nr_base++];
	strscpy(b->name, upd->name, sizeof(b->name));
	b->id = upd->id;
	b->version = v;
	b->calls = calls;
}

/* Calls of <name,id> version @v when @mon started (0: registered since). */
static u64 dyn_mon_base_calls(const struct dyn_monitor *mon,
			      const struct dyn_update *upd, unsigned int v)
{
	unsigned int i;

	for (i = 0; i < mon->nr_base; i++)
		if (mon->base[i].id == upd->id && mon->base[i].version == v &&
		    !strcmp(mon->base[i].name, upd->name))
			return mon->base[i].calls;
	return 0;
}

static void dyn_mon_free(struct dyn_monitor *mon)
{
	if (mon->cpu) {
		free_percpu(mon->cpu);
		dyn_count_free();
	}
	dyn_free(mon->callers);
	dyn_code_put(&mon->code);
	dyn_free(mon);
}

/* Unlink and stop @mon.  Under dyn_mon_mutex. */
static void dyn_mon_stop(struct dyn_monitor *mon)
{
	list_del(&mon->list);
	dyn_nr_monitors--;
	/*
	 * No handler of ours runs once this returns; calls still inside the
	 * function return through the kernel's trampoline to their callers.
	 */
	unregister_kretprobe(&mon->rp);
	dyn_mon_free(mon);
}

static int dyn_mon_register(struct dyn_monitor *mon, struct dynamos_req *req)
{
	int ret;

	mon->rp.kp.addr = (kprobe_opcode_t *)mon->code.addr;
	mon->rp.kp.flags = KPROBE_FLAG_DISABLED;
	mon->rp.entry_handler = dyn_mon_entry;
	mon->rp.handler = dyn_mon_return;
	mon->rp.data_size = sizeof(struct dyn_mon_call);
	mon->rp.maxactive = mon->max_active;
	ret = register_kretprobe(&mon->rp);
	if (ret) {
		if (ret == -EINVAL || ret == -EILSEQ)
			dyn_err(req, "the kernel refuses to probe %s (error %d): it is on the kprobe blacklist (/sys/kernel/debug/kprobes/blacklist) or not a probe-able instruction; monitor a caller or callee instead",
				req->symbol, ret);
		else if (ret == -EBUSY)
			dyn_err(req, "%s: ftrace refuses a probe there (error %d): another tracer owns the function's ftrace site",
				req->symbol, ret);
		else
			dyn_err(req, "register_kretprobe(%s) failed: error %d",
				req->symbol, ret);
		return ret < 0 ? ret : -EINVAL;
	}
	if (!kprobe_ftrace(&mon->rp.kp)) {
		unregister_kretprobe(&mon->rp);
		dyn_err(req, "%s: the probe would not go through ftrace (an int3 breakpoint instead); refused",
			req->symbol);
		return -EOPNOTSUPP;
	}
	/* Disabled: no call runs the handlers while they change. */
	mon->kret_entry = mon->rp.kp.pre_handler;
	mon->rp.kp.pre_handler = dyn_mon_pre;
	ret = enable_kretprobe(&mon->rp);
	if (ret) {
		unregister_kretprobe(&mon->rp);
		dyn_err(req, "%s: cannot arm the probe: error %d", req->symbol,
			ret);
		return ret;
	}
	return 0;
}

static size_t dyn_mon_rec_size(void)
{
	return ALIGN(sizeof(struct dynamos_rec_monitor) +
		     nr_cpu_ids * sizeof(u64), 8);
}

/*
 * MONITOR_START: symbol, flags, version = max_active (0: default).
 * -> result = the monitor's id.
 */
int dyn_cmd_monitor_start(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	struct dyn_monitor *mon, *other;
	int ret;

	if (req->flags & ~DYNAMOS_MONITOR_BY_CALLER) {
		dyn_err(req, "MONITOR_START: unknown flags 0x%x",
			req->flags & ~DYNAMOS_MONITOR_BY_CALLER);
		return -EINVAL;
	}
	if (req->version > DYNAMOS_MONITOR_MAX_ACTIVE) {
		dyn_err(req, "max_active %u too large (at most %d calls in flight)",
			req->version, DYNAMOS_MONITOR_MAX_ACTIVE);
		return -EINVAL;
	}
	if (!req->symbol[0]) {
		dyn_err(req, "MONITOR_START: function name missing");
		return -EINVAL;
	}
	if (dyn_mon_rec_size() > U16_MAX) {
		/* A record's size is 16 bits: calls[] of this many CPUs do not fit. */
		dyn_err(req, "%u possible CPUs: a monitor's record cannot hold their calls",
			nr_cpu_ids);
		return -EOPNOTSUPP;
	}
	mon = dyn_alloc(sizeof(*mon));
	if (!mon)
		return -ENOMEM;
	ret = dyn_resolve(req->symbol, 0, &mon->code, req);
	if (ret) {
		dyn_free(mon);
		return ret;
	}
	if (!dyn_ftrace_location(mon->code.addr)) {
		dyn_err(req, "%s has no ftrace site (notrace or inlined): it cannot be monitored",
			req->symbol);
		ret = -EOPNOTSUPP;
		goto free;
	}
	mon->cpu = alloc_percpu(struct dyn_mon_cpu);
	if (!mon->cpu) {
		ret = -ENOMEM;
		goto free;
	}
	dyn_count_alloc();
	if (req->flags & DYNAMOS_MONITOR_BY_CALLER) {
		mon->callers = dyn_alloc(DYN_MON_CALLERS *
					 sizeof(*mon->callers));
		if (!mon->callers) {
			ret = -ENOMEM;
			goto free;
		}
	}
	strscpy(mon->function, req->symbol, sizeof(mon->function));
	mon->owner = op->file;
	mon->owner_pid = task_tgid_nr(current);
	mon->flags = req->flags;
	mon->max_active = req->version ? req->version : DYN_MON_DEFAULT_ACTIVE;

	ret = mutex_lock_killable(&dyn_mon_mutex);
	if (ret)
		goto free;
	if (dyn_nr_monitors >= DYNAMOS_MAX_MONITORS) {
		dyn_err(req, "%d monitors run already; stop one first",
			DYNAMOS_MAX_MONITORS);
		ret = -ENOSPC;
		goto unlock;
	}
	list_for_each_entry(other, &dyn_monitors, list) {
		if (other->code.addr == mon->code.addr) {
			dyn_err(req, "%s is monitored already (monitor %d of pid %d)",
				req->symbol, other->id, other->owner_pid);
			ret = -EEXIST;
			goto unlock;
		}
	}
	ret = mutex_lock_killable(&dyn_table_lock);
	if (ret)
		goto unlock;
	dyn_mon_each_version(mon, dyn_mon_note_base, NULL);
	mon->start_ns = local_clock();
	mutex_unlock(&dyn_table_lock);
	ret = dyn_mon_register(mon, req);
	if (ret)
		goto unlock;
	mon->id = dyn_mon_next_id++;
	if (dyn_mon_next_id <= 0)
		dyn_mon_next_id = 1;
	list_add_tail(&mon->list, &dyn_monitors);
	dyn_nr_monitors++;
	req->result = mon->id;
	mutex_unlock(&dyn_mon_mutex);
	return 0;
unlock:
	mutex_unlock(&dyn_mon_mutex);
free:
	dyn_mon_free(mon);
	return ret;
}

/* MONITOR_STOP: id (of any file). */
int dyn_cmd_monitor_stop(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	struct dyn_monitor *mon;
	int ret;

	ret = mutex_lock_killable(&dyn_mon_mutex);
	if (ret)
		return ret;
	list_for_each_entry(mon, &dyn_monitors, list) {
		if (mon->id == (int)req->id) {
			dyn_mon_stop(mon);
			mutex_unlock(&dyn_mon_mutex);
			return 0;
		}
	}
	mutex_unlock(&dyn_mon_mutex);
	dyn_err(req, "no monitor %u (list them with: dynamos monitor --list)",
		req->id);
	return -ENOENT;
}

struct dyn_mon_fill {
	void *p;
	unsigned int nr;		/* records written */
	unsigned int versions;		/* of this monitor */
};

static void dyn_mon_fill_version(struct dyn_monitor *mon,
				 struct dyn_update *upd, unsigned int v,
				 u64 calls, void *arg)
{
	struct dyn_mon_fill *f = arg;
	struct dynamos_rec_monitor_version *r = f->p;
	struct dyn_version *vp = upd->ver[v];
	u64 base = dyn_mon_base_calls(mon, upd, v);

	if (f->versions >= DYN_MON_VERSIONS)
		return;
	r->head.kind = DYNAMOS_REC_MONITOR_VERSION;
	r->head.size = sizeof(*r);
	strscpy(r->name, upd->name, sizeof(r->name));
	r->id = upd->id;
	r->version = v;
	r->calls = calls > base ? calls - base : 0;
	strscpy(r->function, v == 1 ? upd->func->sym : vp->code.sym,
		sizeof(r->function));
	f->p = r + 1;
	f->nr++;
	f->versions++;
}

/* Write @mon's records at f->p.  Under dyn_mon_mutex and dyn_table_lock. */
static void dyn_mon_fill(struct dyn_monitor *mon, struct dyn_mon_fill *f)
{
	struct dynamos_rec_monitor *r = f->p;
	struct dynamos_rec_monitor_caller *c;
	unsigned int i, b;
	int cpu;

	r->head.kind = DYNAMOS_REC_MONITOR;
	r->head.size = dyn_mon_rec_size();
	r->id = mon->id;
	r->flags = mon->flags;
	r->owner_pid = mon->owner_pid;
	r->nr_cpus = nr_cpu_ids;
	r->elapsed_ns = local_clock() - mon->start_ns;
	r->missed = READ_ONCE(mon->rp.nmissed) + READ_ONCE(mon->rp.kp.nmissed);
	r->max_active = mon->max_active;
	r->other_calls = atomic64_read(&mon->other_calls);
	strscpy(r->function, mon->function, sizeof(r->function));
	for_each_possible_cpu(cpu) {
		struct dyn_mon_cpu *s = per_cpu_ptr(mon->cpu, cpu);

		r->calls[cpu] = READ_ONCE(s->calls);
		r->missed += READ_ONCE(s->untimed);
		for (b = 0; b < DYN_MON_BUCKETS; b++)
			r->hist[b] += READ_ONCE(s->hist[b]);
	}
	f->p += r->head.size;
	f->nr++;

	for (i = 0; mon->callers && i < DYN_MON_CALLERS; i++) {
		struct dyn_mon_caller *mc = &mon->callers[i];
		unsigned long addr = READ_ONCE(mc->addr);

		if (!addr)
			break;
		c = f->p;
		c->head.kind = DYNAMOS_REC_MONITOR_CALLER;
		c->head.size = sizeof(*c);
		c->address = addr;
		c->calls = atomic64_read(&mc->calls);
		snprintf(c->caller, sizeof(c->caller), "%pS", (void *)addr);
		for (b = 0; b < DYN_MON_BUCKETS; b++)
			c->hist[b] = atomic64_read(&mc->hist[b]);
		f->p = c + 1;
		f->nr++;
		r->nr_callers++;
	}
	f->versions = 0;
	dyn_mon_each_version(mon, dyn_mon_fill_version, f);
	r->nr_versions = f->versions;
}

static void dyn_mon_records_free(void *buf)
{
	if (!buf)
		return;
	kvfree(buf);
	dyn_count_free();
}

/* MONITOR_LIST: address, size. -> result = count = records. */
int dyn_cmd_monitor_list(struct dyn_op *op)
{
	struct dynamos_req *req = op->req;
	struct dyn_mon_fill f = {};
	struct dyn_monitor *mon;
	size_t most, size;
	void *buf;
	int ret;

	ret = mutex_lock_killable(&dyn_mon_mutex);
	if (ret)
		return ret;
	most = dyn_nr_monitors *
	       (dyn_mon_rec_size() +
		DYN_MON_CALLERS * sizeof(struct dynamos_rec_monitor_caller) +
		DYN_MON_VERSIONS * sizeof(struct dynamos_rec_monitor_version));
	buf = kvzalloc(max_t(size_t, most, 8), GFP_KERNEL);
	if (!buf) {
		mutex_unlock(&dyn_mon_mutex);
		return -ENOMEM;
	}
	dyn_count_alloc();
	ret = mutex_lock_killable(&dyn_table_lock);
	if (ret) {
		mutex_unlock(&dyn_mon_mutex);
		dyn_mon_records_free(buf);
		return ret;
	}
	f.p = buf;
	list_for_each_entry(mon, &dyn_monitors, list)
		dyn_mon_fill(mon, &f);
	mutex_unlock(&dyn_table_lock);
	mutex_unlock(&dyn_mon_mutex);

	size = f.p - buf;
	if (size > req->size) {
		dyn_err(req, "MONITOR_LIST: the buffer has %u bytes; the %u records need %zu",
			req->size, f.nr, size);
		dyn_mon_records_free(buf);
		req->size = size;
		req->count = f.nr;
		return -ENOSPC;
	}
	op->records = buf;
	op->records_size = size;
	op->records_free = dyn_mon_records_free;
	req->result = f.nr;
	return 0;
}

/* The file @file closes: stop its monitors. */
void dyn_monitor_release(const struct file *file)
{
	struct dyn_monitor *mon, *tmp;

	mutex_lock(&dyn_mon_mutex);
	list_for_each_entry_safe(mon, tmp, &dyn_monitors, list)
		if (mon->owner == file)
			dyn_mon_stop(mon);
	mutex_unlock(&dyn_mon_mutex);
}

/* Module exit: stop every monitor (none should be left: files pin us). */
void dyn_monitor_exit(void)
{
	struct dyn_monitor *mon, *tmp;

	mutex_lock(&dyn_mon_mutex);
	list_for_each_entry_safe(mon, tmp, &dyn_monitors, list)
		dyn_mon_stop(mon);
	mutex_unlock(&dyn_mon_mutex);
}
