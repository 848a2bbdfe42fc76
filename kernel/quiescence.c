// SPDX-License-Identifier: GPL-2.0
/*
 * Quiescence: is any task still executing code that is about to go away?
 *
 * A version is busy while some task has its PC or a return address inside
 * the version's function.  The check runs under stop_machine(): every
 * other CPU spins in its stopper with interrupts off, so every other task,
 * including the per-CPU idle tasks, is switched out with a stable stack
 * that the reliable unwinder can walk.  A stack it cannot walk reliably
 * counts as busy.  The only tasks on a CPU (->on_cpu) are the stopper
 * threads, which run stop_machine code only, and are skipped.
 *
 * Callers first make sure no new call can enter the code and that every
 * task on its way into it has arrived (dyn_sync_tasks()); then busy is a
 * property that only ever goes away.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>

#include "internal.h"

#define DYN_TRACE_DEPTH		256	/* deeper stacks count as busy */
#define DYN_MAX_REPORT		8	/* busy tasks named in the message */
#define DYN_RETRY_MS		20

struct dyn_busy {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long where;		/* 0: stack not reliable */
	unsigned int version;
};

/* Shared with the stop_machine callback; allocated before it runs. */
struct dyn_qstate {
	const struct dyn_range *ranges;
	unsigned int nr_ranges;
	unsigned long *trace;
	unsigned int nr_busy;		/* busy tasks seen */
	struct dyn_busy busy[DYN_MAX_REPORT];
};

static const struct dyn_range *dyn_range_of(struct dyn_qstate *st,
					    unsigned long addr)
{
	unsigned int i;

	/* A return address may equal the end for a call at the very end. */
	for (i = 0; i < st->nr_ranges; i++)
		if (addr >= st->ranges[i].start && addr <= st->ranges[i].end)
			return &st->ranges[i];
	return NULL;
}

static void dyn_check_task(struct dyn_qstate *st, struct task_struct *t)
{
	const struct dyn_range *r = NULL;
	struct dyn_busy *b;
	int i, n;

	n = dyn_stack_trace_reliable(t, st->trace, DYN_TRACE_DEPTH);
	for (i = 0; i < n && !r; i++)
		r = dyn_range_of(st, st->trace[i]);
	if (n >= 0 && !r)
		return;

	if (st->nr_busy < DYN_MAX_REPORT) {
		b = &st->busy[st->nr_busy];
		b->pid = task_pid_nr(t);
		/* Tasks are stopped: plain copy of comm is stable. */
		memcpy(b->comm, t->comm, sizeof(b->comm));
		b->comm[sizeof(b->comm) - 1] = '\0';
		b->where = r ? st->trace[i - 1] : 0;
		b->version = r ? r->version : 0;
	}
	st->nr_busy++;
}

/* Runs on one CPU while all others spin with interrupts disabled. */
static int dyn_quiescence_check(void *data)
{
	struct dyn_qstate *st = data;
	struct task_struct *g, *t;
	int cpu;

	rcu_read_lock();
	for_each_process_thread(g, t) {
		if (READ_ONCE(t->on_cpu))
			continue;	/* a stopper thread */
		dyn_check_task(st, t);
	}
	rcu_read_unlock();

	/* Idle tasks are not on the task list. */
	for_each_online_cpu(cpu) {
		t = dyn_idle_task(cpu);
		if (t && !READ_ONCE(t->on_cpu))
			dyn_check_task(st, t);
	}
	return 0;
}

static void dyn_report_busy(struct dyn_qstate *st, unsigned int timeout_ms,
			    struct dynamos_req *req)
{
	char *msg = req->error;
	size_t size = sizeof(req->error), len;
	unsigned int i, n = min_t(unsigned int, st->nr_busy, DYN_MAX_REPORT);

	req->result = st->nr_busy;
	len = scnprintf(msg, size, "not quiescent after %u ms: %u task(s) busy:",
			timeout_ms, st->nr_busy);
	for (i = 0; i < n; i++) {
		struct dyn_busy *b = &st->busy[i];

		if (b->where) {
			pr_info("busy: pid %d (%s) in version %u at %pS\n",
				b->pid, b->comm, b->version, (void *)b->where);
			len += scnprintf(msg + len, size - len,
					 " pid %d (%s) v%u at %pS;", b->pid,
					 b->comm, b->version, (void *)b->where);
		} else {
			pr_info("busy: pid %d (%s): stack not reliable\n",
				b->pid, b->comm);
			len += scnprintf(msg + len, size - len,
					 " pid %d (%s) unreliable stack;",
					 b->pid, b->comm);
		}
	}
}

int dyn_quiesce(const struct dyn_range *ranges, unsigned int nr,
		unsigned int timeout_ms, struct dynamos_req *req)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(timeout_ms);
	struct dyn_qstate *st;
	int ret;

	if (!nr)
		return 0;
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	st->trace = kmalloc_array(DYN_TRACE_DEPTH, sizeof(*st->trace),
				  GFP_KERNEL);
	if (!st->trace) {
		kfree(st);
		return -ENOMEM;
	}
	st->ranges = ranges;
	st->nr_ranges = nr;

	for (;;) {
		st->nr_busy = 0;
		ret = stop_machine(dyn_quiescence_check, st, NULL);
		if (ret) {
			dyn_err(req, "quiescence check failed: stop_machine error %d",
				ret);
			break;
		}
		if (!st->nr_busy)
			break;
		if (time_after_eq(jiffies, deadline)) {
			dyn_report_busy(st, timeout_ms, req);
			ret = -EBUSY;
			break;
		}
		msleep_interruptible(DYN_RETRY_MS);
		if (signal_pending(current)) {
			dyn_err(req, "interrupted while waiting for quiescence (%u task(s) busy)",
				st->nr_busy);
			ret = -EINTR;
			break;
		}
	}

	kfree(st->trace);
	kfree(st);
	return ret;
}
