// SPDX-License-Identifier: GPL-2.0
/*
 * Quiescence: is any task still executing code that is about to go away?
 *
 * A task is busy while its PC or a return address lies in one of the
 * ranges (a version's function, its .cold/.part pieces, or the whole text
 * of a module whose last version goes).  A stack the reliable unwinder
 * cannot walk counts as busy.
 *
 * Callers first make sure no new call can enter the code and that every
 * task on its way into it has arrived (dyn_sync_tasks()); from then on
 * "busy" only ever goes away, so tasks may be checked one at a time:
 *
 *  1. Each task that is not on a CPU is checked under task_call_func(),
 *     which holds its pi_lock (and its runqueue lock if it is queued): it
 *     cannot be woken or scheduled in while its stack is walked.  The
 *     machine keeps running; only that task is held, briefly.
 *  2. Only if every task checked so far was idle, the tasks that were on a
 *     CPU in step 1 (and the idle tasks of idle CPUs) are checked under
 *     stop_machine(): every CPU then runs its stopper, so they are all
 *     switched out.  The stoppers themselves (on_cpu there) run
 *     stop_machine code only and are skipped.
 *
 * A round that finds a busy task is retried every DYN_RETRY_MS until the
 * deadline; a busy task usually stays busy for a while, so while it does
 * no stop_machine() runs at all.
 */
#define pr_fmt(fmt) "dynamos: " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <linux/string.h>

#include "internal.h"

#define DYN_TRACE_DEPTH		256	/* deeper stacks count as busy */
#define DYN_MAX_REPORT		DYNAMOS_MAX_TASKS	/* busy tasks named */
#define DYN_MAX_DEFERRED	64	/* running tasks kept for step 2 */
#define DYN_RETRY_MS		20

struct dyn_busy {
	pid_t pid;
	char comm[TASK_COMM_LEN];
	unsigned long where;		/* 0: stack not reliable */
	unsigned int version;
};

/*
 * One quiescence check.  Step 1 fills it from this task; step 2 from the
 * stop_machine callback while this task waits: never concurrently.
 */
struct dyn_qstate {
	const struct dyn_range *ranges;
	unsigned int nr_ranges;
	unsigned long *trace;
	unsigned int nr_busy;		/* busy tasks seen */
	struct dyn_busy busy[DYN_MAX_REPORT];
	/* tasks on a CPU in step 1, referenced */
	struct task_struct *deferred[DYN_MAX_DEFERRED];
	unsigned int nr_deferred;
	bool overflow;			/* more than DYN_MAX_DEFERRED */
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

/* @t must not run meanwhile (see the two steps above). */
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
		/* The task cannot run: a plain copy of comm is stable. */
		memcpy(b->comm, t->comm, sizeof(b->comm));
		b->comm[sizeof(b->comm) - 1] = '\0';
		b->where = r ? st->trace[i - 1] : 0;
		b->version = r ? r->version : 0;
	}
	st->nr_busy++;
}

/* Step 1, under task_call_func(): -EAGAIN if @t is on a CPU. */
static int dyn_check_switched_out(struct task_struct *t, void *data)
{
	/*
	 * on_cpu stays set until the task has completely switched out; with
	 * it clear and the task's locks held, its stack is still.
	 */
	if (smp_load_acquire(&t->on_cpu))
		return -EAGAIN;
	dyn_check_task(data, t);
	return 0;
}

static void dyn_check_or_defer(struct dyn_qstate *st, struct task_struct *t)
{
	if (t == current)
		return;		/* in this ioctl: never in a version */
	if (dyn_task_call(t, dyn_check_switched_out, st) != -EAGAIN)
		return;
	if (st->nr_deferred < DYN_MAX_DEFERRED) {
		get_task_struct(t);
		st->deferred[st->nr_deferred++] = t;
	} else {
		st->overflow = true;
	}
}

static void dyn_check_each_task(struct dyn_qstate *st)
{
	struct task_struct *g, *t;
	int cpu;

	rcu_read_lock();
	for_each_process_thread(g, t)
		dyn_check_or_defer(st, t);
	rcu_read_unlock();

	/* Idle tasks are not on the task list. */
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		t = dyn_idle_task(cpu);
		if (t)
			dyn_check_or_defer(st, t);
	}
	cpus_read_unlock();
}

/* Step 2: runs on one CPU while all others spin with interrupts off. */
static int dyn_check_stopped(void *data)
{
	struct dyn_qstate *st = data;
	struct task_struct *g, *t;
	unsigned int i;
	int cpu;

	if (!st->overflow) {
		for (i = 0; i < st->nr_deferred; i++)
			if (!READ_ONCE(st->deferred[i]->on_cpu))
				dyn_check_task(st, st->deferred[i]);
		return 0;
	}
	/* Too many were running to keep: check everybody. */
	rcu_read_lock();
	for_each_process_thread(g, t)
		if (!READ_ONCE(t->on_cpu))
			dyn_check_task(st, t);
	rcu_read_unlock();
	for_each_online_cpu(cpu) {
		t = dyn_idle_task(cpu);
		if (t && !READ_ONCE(t->on_cpu))
			dyn_check_task(st, t);
	}
	return 0;
}

static void dyn_drop_deferred(struct dyn_qstate *st)
{
	while (st->nr_deferred)
		put_task_struct(st->deferred[--st->nr_deferred]);
	st->overflow = false;
}

/* One round: 0 quiescent, else the number of busy tasks (or -errno). */
static int dyn_quiescence_round(struct dyn_qstate *st)
{
	int ret = 0;

	st->nr_busy = 0;
	dyn_check_each_task(st);
	if (!st->nr_busy && (st->nr_deferred || st->overflow))
		ret = stop_machine(dyn_check_stopped, st, NULL);
	dyn_drop_deferred(st);
	return ret ? ret : st->nr_busy;
}

/* The caller's record of busy task @b. */
static void dyn_busy_record(const struct dyn_busy *b,
			    struct dynamos_rec_task *rec)
{
	char *mod;

	memset(rec, 0, sizeof(*rec));
	rec->head.kind = DYNAMOS_REC_TASK;
	rec->head.size = sizeof(*rec);
	rec->pid = b->pid;
	rec->version = b->version;
	strscpy(rec->comm, b->comm, sizeof(rec->comm));
	if (!b->where) {
		rec->reason = DYNAMOS_TASK_UNRELIABLE;
		return;
	}
	rec->reason = DYNAMOS_TASK_IN_CODE;
	snprintf(rec->where, sizeof(rec->where), "%pS", (void *)b->where);
	/* "%pS" appends " [module]" to module text: that is the module field. */
	mod = strstr(rec->where, " [");
	if (mod) {
		strscpy(rec->module, mod + 2, sizeof(rec->module));
		*strchrnul(rec->module, ']') = '\0';
		*mod = '\0';
	}
}

/* The busy tasks as records (into @busy, if given) and as the message. */
static void dyn_report_busy(struct dyn_qstate *st, unsigned int timeout_ms,
			    struct dynamos_req *req, struct dyn_busy_tasks *busy)
{
	char *msg = req->error;
	size_t size = sizeof(req->error), len;
	unsigned int i, n = min_t(unsigned int, st->nr_busy, DYN_MAX_REPORT);
	struct dynamos_rec_task rec;

	req->result = st->nr_busy;
	len = scnprintf(msg, size, "not quiescent after %u ms: %u task(s) busy:",
			timeout_ms, st->nr_busy);
	for (i = 0; i < n; i++) {
		dyn_busy_record(&st->busy[i], &rec);
		if (busy)
			busy->task[i] = rec;
		if (rec.reason == DYNAMOS_TASK_IN_CODE) {
			pr_info("busy: pid %d (%s) in version %u at %s%s%s%s\n",
				rec.pid, rec.comm, rec.version, rec.where,
				rec.module[0] ? " [" : "", rec.module,
				rec.module[0] ? "]" : "");
			len += scnprintf(msg + len, size - len,
					 " pid %d (%s) v%u at %s%s%s%s;", rec.pid,
					 rec.comm, rec.version, rec.where,
					 rec.module[0] ? " [" : "", rec.module,
					 rec.module[0] ? "]" : "");
		} else {
			pr_info("busy: pid %d (%s): stack not reliable\n",
				rec.pid, rec.comm);
			len += scnprintf(msg + len, size - len,
					 " pid %d (%s) unreliable stack;",
					 rec.pid, rec.comm);
		}
	}
	if (busy)
		busy->nr = n;
}

int dyn_quiesce(const struct dyn_range *ranges, unsigned int nr,
		unsigned long deadline, unsigned int timeout_ms,
		struct dynamos_req *req, struct dyn_busy_tasks *busy)
{
	struct dyn_qstate *st;
	int ret;

	if (!nr)
		return 0;
	st = dyn_alloc(sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->trace = dyn_alloc(DYN_TRACE_DEPTH * sizeof(*st->trace));
	if (!st->trace) {
		dyn_free(st);
		return -ENOMEM;
	}
	st->ranges = ranges;
	st->nr_ranges = nr;

	for (;;) {
		ret = dyn_quiescence_round(st);
		if (ret < 0) {
			dyn_err(req, "quiescence check failed: stop_machine error %d",
				ret);
			break;
		}
		if (!ret)
			break;
		if (time_after_eq(jiffies, deadline)) {
			dyn_report_busy(st, timeout_ms, req, busy);
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

	dyn_free(st->trace);
	dyn_free(st);
	return ret;
}

/*
 * Waiting for tasks in transit: an RCU-tasks grace period ends once every
 * task has switched voluntarily (or run in userspace or idle), so every
 * task a callback sent to a version but that was preempted in the ftrace
 * trampoline before reaching it has arrived.  A task preempted in the
 * kernel that never yields can hold a grace period for long, so we queue
 * a callback and wait for it only until the deadline.  Callers have
 * already waited for callbacks that were choosing a version.
 */
struct dyn_tasks_wait {
	struct rcu_head rcu;
	struct completion done;
	refcount_t refs;		/* the waiter's and the callback's */
};

static void dyn_tasks_wait_put(struct dyn_tasks_wait *w)
{
	if (refcount_dec_and_test(&w->refs))
		dyn_free(w);
}

static void dyn_tasks_passed(struct rcu_head *rcu)
{
	struct dyn_tasks_wait *w = container_of(rcu, struct dyn_tasks_wait, rcu);

	complete(&w->done);
	dyn_tasks_wait_put(w);
}

int dyn_sync_tasks(unsigned long deadline, struct dynamos_req *req)
{
	struct dyn_tasks_wait *w;
	long left;

	/* The caller has waited for running callbacks (dyn_sync_callbacks()). */
	w = dyn_alloc(sizeof(*w));
	if (!w)
		return -ENOMEM;
	init_completion(&w->done);
	refcount_set(&w->refs, 2);
	call_rcu_tasks(&w->rcu, dyn_tasks_passed);

	left = (long)(deadline - jiffies);
	left = wait_for_completion_killable_timeout(&w->done, max(left, 1L));
	dyn_tasks_wait_put(w);
	if (left > 0)
		return 0;
	if (left < 0) {
		dyn_err(req, "interrupted while waiting for tasks to reach the version");
		return -EINTR;
	}
	dyn_err(req, "not quiescent: a task sent to the version did not reach it before the timeout (it has not yielded the CPU since: RCU-tasks grace period still pending)");
	return -EBUSY;
}

/* No dyn_tasks_passed() may run once our text is gone. */
void dyn_quiescence_exit(void)
{
	rcu_barrier_tasks();
}
