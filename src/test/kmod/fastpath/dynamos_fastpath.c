// SPDX-License-Identifier: GPL-2.0
/*
 * DynAMOS fast-path test target (FastPathIT): two traceable functions whose
 * versions record which version ran (fastpath.h), and one kernel thread per
 * online CPU calling them flat out, so that a control loop can switch the
 * functions between the fast path (no handler) and the handler path, and
 * between versions, and check at every quiescent point that no call was
 * lost, ran twice or ran a version it should not have.
 *
 * Each worker, bound to its CPU, loops: with preemption disabled (so that a
 * group activation, which stops every CPU, happens wholly before or after),
 * dynamos_fastpath_fn(i & 3, slot) then dynamos_fastpath_other(0, slot);
 * then counts both calls and reports a Tasks RCU quiescent state.
 *
 * /proc/dynamos_fastpath
 *   write "start"             start the workers (one per online CPU, at
 *                             most FP_MAX_WORKERS, nice 19)
 *   write "stop"              stop them
 *   write "pause"             park every worker (a quiescent point: no call
 *                             in flight), then check each worker's counts:
 *                             the runs of the versions of each function
 *                             must add up to the calls it made; -ETIMEDOUT
 *                             if a worker does not park within 10 s
 *   write "resume"            let them go on
 *   write "expect FM OM H"    versions (bit masks) the calls of fn and other
 *                             may run and the handler state of fn (0 off,
 *                             1 on, 2 either); ends a "group" check
 *   write "group F0 O0 F1 O1" a group activation switches fn F0 -> F1 and
 *                             other O0 -> O1: a worker that sees fn in one
 *                             state and other in the other counts a torn
 *   write "gone F V"          version V of function F (0 fn, 1 other) was
 *                             removed: a run of it is a ghost
 *   write "park"              a kernel thread calls fn(FP_PARK, slot 8):
 *                             version 4 sleeps in dynamos_fastpath_park
 *   write "release"           wake it
 *   read  "workers=<n> points=<n> unbalanced=<n> lost=<n> misdirected=<n>
 *          ghost=<n> torn=<n> fast=<n> handled=<n> handler_calls=<n>
 *          calls_fn=<n> calls_other=<n> fn_V=<runs> ... other_V=<runs> ...
 *          parked=<n> park_result=<r>"
 *         (sums over every slot; lost: calls minus runs at the last
 *         unbalanced point, negative if a call ran twice)
 */
#define pr_fmt(fmt) "dynamos_fastpath: " fmt

#include <linux/atomic.h>
#include <linux/cpumask.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "fastpath.h"

struct fp_slot dynamos_fastpath_slots[FP_SLOTS];
EXPORT_SYMBOL_GPL(dynamos_fastpath_slots);
struct fp_expect dynamos_fastpath_expect = {
	.mask = { 1u << 1, 1u << 1 },
};
EXPORT_SYMBOL_GPL(dynamos_fastpath_expect);

/* Serialises the control writes and the worker table; taken by writers only. */
static DEFINE_MUTEX(fp_lock);
static struct task_struct *fp_workers[FP_MAX_WORKERS];	/* under fp_lock */
static int fp_nr_workers;				/* under fp_lock */
static long fp_points, fp_unbalanced, fp_lost;		/* under fp_lock */

/* Pausing: fp_pause_gen is bumped before fp_paused is set (smp_wmb). */
static bool fp_paused;
static unsigned long fp_pause_gen;
static DECLARE_WAIT_QUEUE_HEAD(fp_resume_wq);	/* workers wait to go on */
static DECLARE_WAIT_QUEUE_HEAD(fp_parked_wq);	/* the controller waits */

/* Torn-group check: {fn before, other before, fn after, other after}, 0 off. */
static int fp_group[4];

/* The "park" thread. */
static DECLARE_WAIT_QUEUE_HEAD(fp_park_wq);
static unsigned long fp_park_gen;	/* bumped by "release" */
static atomic_t fp_parked = ATOMIC_INIT(0);
static atomic_long_t fp_park_result = ATOMIC_LONG_INIT(0);

/* Version 1 of each: traceable, and opaque to GCC's interprocedural analyses. */
noinline __attribute__((__noipa__)) long dynamos_fastpath_fn(long a, long b)
{
	return fp_ran(FP_FN, 1, a, b);
}
EXPORT_SYMBOL_GPL(dynamos_fastpath_fn);

noinline __attribute__((__noipa__)) long dynamos_fastpath_other(long a, long b)
{
	return fp_ran(FP_OTHER, 1, a, b);
}
EXPORT_SYMBOL_GPL(dynamos_fastpath_other);

/* Where version 4 sleeps on FP_PARK, until "release" (or module exit). */
long dynamos_fastpath_park(void)
{
	unsigned long gen = READ_ONCE(fp_park_gen);
	long ret;

	atomic_inc(&fp_parked);
	pr_info("pid %d parks in a version\n", current->pid);
	ret = wait_event_interruptible(fp_park_wq, READ_ONCE(fp_park_gen) != gen);
	atomic_dec(&fp_parked);
	return ret;
}
EXPORT_SYMBOL_GPL(dynamos_fastpath_park);

static int fp_version_of(long r, long a, long b)
{
	return (int)((r - a - b) / FP_TAG);
}

/* Whether fn version @vf and other version @vo are half of a group switch. */
static bool fp_torn(int vf, int vo)
{
	int f0 = READ_ONCE(fp_group[0]), o0 = READ_ONCE(fp_group[1]);
	int f1 = READ_ONCE(fp_group[2]), o1 = READ_ONCE(fp_group[3]);

	if (!f0 || f0 == f1 || o0 == o1)
		return false;
	return (vf == f0 && vo == o1) || (vf == f1 && vo == o0);
}

static int fp_worker(void *data)
{
	struct fp_slot *s = data;
	long slot = s - dynamos_fastpath_slots;
	unsigned long i = 0;
	long a, x, y;

	while (!kthread_should_stop()) {
		if (READ_ONCE(fp_paused)) {
			unsigned long gen;

			smp_rmb();	/* the generation of this pause */
			gen = READ_ONCE(fp_pause_gen);
			smp_store_release(&s->parked_gen, gen);
			wake_up(&fp_parked_wq);
			wait_event_idle(fp_resume_wq, !READ_ONCE(fp_paused) ||
					READ_ONCE(fp_pause_gen) != gen ||
					kthread_should_stop());
			continue;
		}
		a = i++ & 3;
		preempt_disable();
		x = dynamos_fastpath_fn(a, slot);
		y = dynamos_fastpath_other(0, slot);
		preempt_enable();
		WRITE_ONCE(s->calls[FP_FN], s->calls[FP_FN] + 1);
		WRITE_ONCE(s->calls[FP_OTHER], s->calls[FP_OTHER] + 1);
		if (a == 0 && fp_torn(fp_version_of(x, a, slot),
				      fp_version_of(y, 0, slot)))
			WRITE_ONCE(s->torn, s->torn + 1);
		/* Between calls: in no version, so quiescent for Tasks RCU. */
		cond_resched_tasks_rcu_qs();
	}
	return 0;
}

static void fp_stop_workers(void)
{
	int i;

	lockdep_assert_held(&fp_lock);
	WRITE_ONCE(fp_paused, false);
	for (i = 0; i < fp_nr_workers; i++)
		kthread_stop(fp_workers[i]);
	fp_nr_workers = 0;
}

static int fp_start_workers(void)
{
	struct task_struct *t;
	unsigned int cpu;

	lockdep_assert_held(&fp_lock);
	if (fp_nr_workers)
		return -EBUSY;
	WRITE_ONCE(fp_paused, false);
	for_each_online_cpu(cpu) {
		if (fp_nr_workers == FP_MAX_WORKERS)
			break;
		t = kthread_create(fp_worker,
				   &dynamos_fastpath_slots[fp_nr_workers],
				   "dynamos_fp/%u", cpu);
		if (IS_ERR(t)) {
			fp_stop_workers();
			return PTR_ERR(t);
		}
		kthread_bind(t, cpu);
		/* Flat out, but the control loop comes first. */
		set_user_nice(t, MAX_NICE);
		fp_workers[fp_nr_workers++] = t;
		wake_up_process(t);
	}
	pr_info("%d workers calling\n", fp_nr_workers);
	return 0;
}

static bool fp_all_parked(unsigned long gen)
{
	int i;

	for (i = 0; i < fp_nr_workers; i++)
		if (smp_load_acquire(&dynamos_fastpath_slots[i].parked_gen) != gen)
			return false;
	return true;
}

/* A quiescent point: every worker parked, then its counts must add up. */
static int fp_pause(void)
{
	unsigned long gen = fp_pause_gen + 1;
	long lost;
	int i, f, v;

	lockdep_assert_held(&fp_lock);
	WRITE_ONCE(fp_pause_gen, gen);
	smp_wmb();	/* the generation before the flag (fp_worker) */
	WRITE_ONCE(fp_paused, true);
	if (!wait_event_timeout(fp_parked_wq, fp_all_parked(gen), 10 * HZ))
		return -ETIMEDOUT;
	for (i = 0; i < fp_nr_workers; i++) {
		struct fp_slot *s = &dynamos_fastpath_slots[i];

		for (f = 0; f < FP_FUNCS; f++) {
			lost = s->calls[f];
			for (v = 1; v <= FP_VERSIONS; v++)
				lost -= s->hits[f][v];
			if (lost) {
				fp_unbalanced++;
				fp_lost = lost;
				pr_err("worker %d function %d: %ld calls made, %ld not run by a version\n",
				       i, f, s->calls[f], lost);
			}
		}
	}
	fp_points++;
	return 0;
}

static void fp_resume(void)
{
	lockdep_assert_held(&fp_lock);
	WRITE_ONCE(fp_paused, false);
	wake_up_all(&fp_resume_wq);
}

static int fp_park_thread(void *data)
{
	struct fp_slot *s = &dynamos_fastpath_slots[FP_SLEEPER_SLOT];

	atomic_long_set(&fp_park_result,
			dynamos_fastpath_fn(FP_PARK, FP_SLEEPER_SLOT));
	WRITE_ONCE(s->calls[FP_FN], s->calls[FP_FN] + 1);
	module_put_and_kthread_exit(0);
}

static int fp_spawn_park(void)
{
	struct task_struct *t;

	/* The thread runs our code: keep the module until it exits. */
	__module_get(THIS_MODULE);
	t = kthread_run(fp_park_thread, NULL, "dynamos_fp_park");
	if (IS_ERR(t)) {
		module_put(THIS_MODULE);
		return PTR_ERR(t);
	}
	return 0;
}

static bool fp_mask_ok(unsigned int mask)
{
	return mask && !(mask & ~(((1u << FP_VERSIONS) - 1) << 1));
}

static int fp_command(const char *buf)
{
	struct fp_expect *e = &dynamos_fastpath_expect;
	unsigned int fm, om, h;
	int g[4], f, v;

	lockdep_assert_held(&fp_lock);
	if (sysfs_streq(buf, "start"))
		return fp_start_workers();
	if (sysfs_streq(buf, "stop")) {
		fp_stop_workers();
		return 0;
	}
	if (sysfs_streq(buf, "pause"))
		return fp_nr_workers ? fp_pause() : -ESRCH;
	if (sysfs_streq(buf, "resume")) {
		fp_resume();
		return 0;
	}
	if (sscanf(buf, "expect %u %u %u", &fm, &om, &h) == 3) {
		if (!fp_mask_ok(fm) || !fp_mask_ok(om) || h > FP_HANDLER_EITHER)
			return -EINVAL;
		WRITE_ONCE(fp_group[0], 0);
		WRITE_ONCE(e->mask[FP_FN], fm);
		WRITE_ONCE(e->mask[FP_OTHER], om);
		WRITE_ONCE(e->handler[FP_FN], h);
		smp_mb();	/* seen by the workers before the next switch */
		return 0;
	}
	if (sscanf(buf, "group %d %d %d %d", &g[0], &g[1], &g[2], &g[3]) == 4) {
		for (f = 0; f < 4; f++)
			if (g[f] < 1 || g[f] > FP_VERSIONS)
				return -EINVAL;
		for (f = 3; f >= 0; f--)	/* fp_group[0] last: the switch */
			WRITE_ONCE(fp_group[f], g[f]);
		smp_mb();
		return 0;
	}
	if (sscanf(buf, "gone %d %d", &f, &v) == 2) {
		if (f < 0 || f >= FP_FUNCS || v < 2 || v > FP_VERSIONS)
			return -EINVAL;
		WRITE_ONCE(e->gone[f], e->gone[f] | 1u << v);
		smp_mb();
		return 0;
	}
	if (sysfs_streq(buf, "park"))
		return fp_spawn_park();
	if (sysfs_streq(buf, "release")) {
		WRITE_ONCE(fp_park_gen, fp_park_gen + 1);
		wake_up_all(&fp_park_wq);
		return 0;
	}
	return -EINVAL;
}

static ssize_t fp_write(struct file *file, const char __user *ubuf,
			size_t len, loff_t *ppos)
{
	char buf[64];
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	mutex_lock(&fp_lock);
	ret = fp_command(buf);
	mutex_unlock(&fp_lock);
	return ret ? ret : len;
}

static int fp_show(struct seq_file *m, void *v)
{
	long hits[FP_FUNCS][FP_VERSIONS + 1] = {};
	long calls[FP_FUNCS] = {};
	long misdirected = 0, ghost = 0, torn = 0, fast = 0, handled = 0;
	long handler_calls = 0;
	int i, f, ver;

	for (i = 0; i < FP_SLOTS; i++) {
		struct fp_slot *s = &dynamos_fastpath_slots[i];

		for (f = 0; f < FP_FUNCS; f++) {
			calls[f] += READ_ONCE(s->calls[f]);
			for (ver = 1; ver <= FP_VERSIONS; ver++)
				hits[f][ver] += READ_ONCE(s->hits[f][ver]);
		}
		misdirected += READ_ONCE(s->misdirected);
		ghost += READ_ONCE(s->ghost);
		torn += READ_ONCE(s->torn);
		fast += READ_ONCE(s->fast);
		handled += READ_ONCE(s->handled);
		handler_calls += READ_ONCE(s->handler_calls);
	}
	mutex_lock(&fp_lock);
	seq_printf(m, "workers=%d points=%ld unbalanced=%ld lost=%ld",
		   fp_nr_workers, fp_points, fp_unbalanced, fp_lost);
	mutex_unlock(&fp_lock);
	seq_printf(m, " misdirected=%ld ghost=%ld torn=%ld fast=%ld handled=%ld handler_calls=%ld calls_fn=%ld calls_other=%ld",
		   misdirected, ghost, torn, fast, handled, handler_calls,
		   calls[FP_FN], calls[FP_OTHER]);
	for (ver = 1; ver <= FP_VERSIONS; ver++)
		seq_printf(m, " fn_%d=%ld", ver, hits[FP_FN][ver]);
	for (ver = 1; ver <= 2; ver++)
		seq_printf(m, " other_%d=%ld", ver, hits[FP_OTHER][ver]);
	seq_printf(m, " parked=%d park_result=%ld\n", atomic_read(&fp_parked),
		   atomic_long_read(&fp_park_result));
	return 0;
}

static int fp_open(struct inode *inode, struct file *file)
{
	return single_open(file, fp_show, NULL);
}

static const struct proc_ops fp_proc_ops = {
	.proc_open	= fp_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= fp_write,
};

static int __init fp_init(void)
{
	if (!proc_create("dynamos_fastpath", 0600, NULL, &fp_proc_ops))
		return -ENOMEM;
	return 0;
}

static void __exit fp_exit(void)
{
	remove_proc_entry("dynamos_fastpath", NULL);
	mutex_lock(&fp_lock);
	fp_stop_workers();
	mutex_unlock(&fp_lock);
	WRITE_ONCE(fp_park_gen, fp_park_gen + 1);
	wake_up_all(&fp_park_wq);
}

module_init(fp_init);
module_exit(fp_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: fast-path switching target with flat-out callers");
