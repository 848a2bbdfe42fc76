// SPDX-License-Identifier: GPL-2.0
/*
 * Example update (the paper's kswapd update, for today's kernel): the page
 * reclaim threads kswapd0, kswapd1, ... moved live onto kswapd_v2, which
 * reclaims as the stock kswapd does and also counts its reclaim rounds
 * (calls of balance_pgdat) per node, shown in /proc/dynamos_kswapd with the
 * thread of each node and the version it runs.  Reverting moves the
 * threads back onto the stock kswapd.
 *
 * kswapd never returns, so a new version of it reaches no running thread:
 * the framework restarts the threads (kernel/kthread.c).  Id 2 is the safe
 * point, a version of kthread_should_stop() that also tells a thread being
 * moved to stop; kswapd asks it right after it wakes up and before it
 * sleeps.  Id 1's hooks move the threads: forward once version 2 is active,
 * back before version 1 becomes active again.
 *
 * The functions of mm/vmscan.c, compaction and vmstat that kswapd_v2 calls
 * are not exported: the module looks them up when it loads (through the
 * framework), so it loads with insmod (control scripts) as well as with
 * dynamos apply.
 */
#include <linux/mm.h>
#include <linux/cpumask.h>
#include <linux/freezer.h>
#include <linux/kthread.h>
#include <linux/mmzone.h>
#include <linux/module.h>
#include <linux/nodemask.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/topology.h>
#include <linux/vmstat.h>
#include <linux/wait.h>
#include <dynamos.h>

/* Kernel functions kswapd_v2 calls, past their ftrace sites. */
static int (*balance_pgdat_fn)(pg_data_t *pgdat, int order, int highest_zoneidx);
static bool (*prepare_sleep_fn)(pg_data_t *pgdat, int order, int highest_zoneidx);
static void (*reset_isolation_fn)(pg_data_t *pgdat);
static void (*wakeup_kcompactd_fn)(pg_data_t *pgdat, int order, int highest_zoneidx);
static void (*set_threshold_fn)(pg_data_t *pgdat, int (*calc)(struct zone *));
static int (*normal_threshold_fn)(struct zone *zone);
static int (*pressure_threshold_fn)(struct zone *zone);

/* Reclaim rounds per node, by kswapd_v2. */
static atomic_long_t kswapd_rounds[MAX_NUMNODES];

/* The zone a wake-up asked for, or @prev when none did. */
static unsigned int next_zoneidx(pg_data_t *pgdat, unsigned int prev)
{
	unsigned int idx = READ_ONCE(pgdat->kswapd_highest_zoneidx);

	return idx == MAX_NR_ZONES ? prev : idx;
}

/*
 * Sleep until woken, as the stock kswapd does (its kswapd_try_to_sleep is
 * inlined, so this is our own): first briefly, waking kcompactd, then for
 * good if the node stays balanced, with the per-CPU vmstat thresholds
 * relaxed while asleep.
 */
static void kswapd_v2_sleep(pg_data_t *pgdat, int alloc_order,
			    int reclaim_order, unsigned int highest_zoneidx)
{
	long remaining = 0;
	DEFINE_WAIT(wait);

	if (freezing(current) || kthread_should_stop())
		return;
	prepare_to_wait(&pgdat->kswapd_wait, &wait, TASK_INTERRUPTIBLE);
	if (prepare_sleep_fn(pgdat, reclaim_order, highest_zoneidx)) {
		reset_isolation_fn(pgdat);
		wakeup_kcompactd_fn(pgdat, alloc_order, highest_zoneidx);
		remaining = schedule_timeout(HZ / 10);
		if (remaining) {
			/* Woken early: keep what the waker asked for. */
			WRITE_ONCE(pgdat->kswapd_highest_zoneidx,
				   next_zoneidx(pgdat, highest_zoneidx));
			if (READ_ONCE(pgdat->kswapd_order) < reclaim_order)
				WRITE_ONCE(pgdat->kswapd_order, reclaim_order);
		}
		finish_wait(&pgdat->kswapd_wait, &wait);
		prepare_to_wait(&pgdat->kswapd_wait, &wait, TASK_INTERRUPTIBLE);
	}
	if (!remaining && prepare_sleep_fn(pgdat, reclaim_order, highest_zoneidx)) {
		set_threshold_fn(pgdat, normal_threshold_fn);
		if (!kthread_should_stop())
			schedule();
		set_threshold_fn(pgdat, pressure_threshold_fn);
	} else {
		count_vm_event(remaining ? KSWAPD_LOW_WMARK_HIT_QUICKLY :
					   KSWAPD_HIGH_WMARK_HIT_QUICKLY);
	}
	finish_wait(&pgdat->kswapd_wait, &wait);
}

/*
 * Version 2 of kswapd: the stock loop, counting each balance_pgdat round.
 * A successor leaves the node's pending wake-up request alone (the stock
 * kswapd clears it when it starts; a request posted during the move would
 * be lost).
 */
static noinline int kswapd_v2(void *p)
{
	pg_data_t *pgdat = p;
	const struct cpumask *cpus = cpumask_of_node(pgdat->node_id);
	unsigned int highest_zoneidx = MAX_NR_ZONES - 1;
	unsigned int alloc_order, reclaim_order;
	struct task_struct *tsk = current;

	if (!cpumask_empty(cpus))
		set_cpus_allowed_ptr(tsk, cpus);
	tsk->flags |= PF_MEMALLOC | PF_KSWAPD;
	set_freezable();
	for (;;) {
		bool was_frozen;

		alloc_order = READ_ONCE(pgdat->kswapd_order);
		reclaim_order = alloc_order;
		highest_zoneidx = next_zoneidx(pgdat, highest_zoneidx);
sleep:
		kswapd_v2_sleep(pgdat, alloc_order, reclaim_order, highest_zoneidx);
		alloc_order = READ_ONCE(pgdat->kswapd_order);
		highest_zoneidx = next_zoneidx(pgdat, highest_zoneidx);
		WRITE_ONCE(pgdat->kswapd_order, 0);
		WRITE_ONCE(pgdat->kswapd_highest_zoneidx, MAX_NR_ZONES);

		was_frozen = try_to_freeze();
		if (kthread_should_stop())
			break;
		if (was_frozen)
			continue;
		reclaim_order = balance_pgdat_fn(pgdat, alloc_order, highest_zoneidx);
		atomic_long_inc(&kswapd_rounds[pgdat->node_id]);
		if (reclaim_order < alloc_order)
			goto sleep;
	}
	tsk->flags &= ~(PF_MEMALLOC | PF_KSWAPD);
	return 0;
}

/*
 * The kernel keeps each node's thread in pgdat->kswapd (for kswapd_stop()
 * on memory hot-remove), under pgdat->kswapd_lock, which kswapd_stop()
 * holds across kthread_stop() of the old thread: only try it.
 */
static int kswapd_publish(struct task_struct *old, struct task_struct *successor,
			  void *data)
{
	pg_data_t *pgdat = data;

	if (!mutex_trylock(&pgdat->kswapd_lock))
		return -EBUSY;
	if (pgdat->kswapd == old)
		pgdat->kswapd = successor;
	mutex_unlock(&pgdat->kswapd_lock);
	return 0;
}

static struct dynamos_kthread kswapd_threads = {
	.name = "kswapd",
	.version = kswapd_v2,
	.publish = kswapd_publish,
};

static int kswapd_forward(void)
{
	return dynamos_kthread_forward(&kswapd_threads, 10000);
}

static int kswapd_back(void)
{
	return dynamos_kthread_back(&kswapd_threads, 10000);
}

DYNAMOS_UPDATE("kswapd");
DYNAMOS_REPLACE(1, kswapd, kswapd_v2);
DYNAMOS_KTHREAD_SAFE_POINT(2, kswapd_safe_point);
DYNAMOS_HOOK(post_activation, 1, 2, kswapd_forward);
DYNAMOS_HOOK(pre_activation, 1, 1, kswapd_back);

static int kswapd_show(struct seq_file *m, void *v)
{
	int nid;

	for_each_online_node(nid) {
		pg_data_t *pgdat = NODE_DATA(nid);
		void *fn = NULL;

		mutex_lock(&pgdat->kswapd_lock);
		if (pgdat->kswapd) {
			fn = kthread_func(pgdat->kswapd);
			seq_printf(m, "node=%d pid=%d comm=%s version=%d main=%ps ",
				   nid, task_pid_nr(pgdat->kswapd),
				   pgdat->kswapd->comm, fn == (void *)kswapd_v2 ? 2 : 1, fn);
		} else {
			seq_printf(m, "node=%d pid=none ", nid);
		}
		mutex_unlock(&pgdat->kswapd_lock);
		seq_printf(m, "rounds=%ld\n", atomic_long_read(&kswapd_rounds[nid]));
	}
	return 0;
}

/* @name's original entry into *@fn; false (logged by the framework) if not found. */
static bool find(void *fn, const char *name)
{
	*(unsigned long *)fn = dynamos_original_by_name(name);
	return *(unsigned long *)fn;
}

static int __init kswapd_example_init(void)
{
	int ret = dynamos_kthread_prepare();

	if (ret)
		return ret;
	kswapd_threads.threadfn = dynamos_kthread_fn_by_name("kswapd");
	if (!kswapd_threads.threadfn ||
	    !find(&balance_pgdat_fn, "balance_pgdat") ||
	    !find(&prepare_sleep_fn, "prepare_kswapd_sleep") ||
	    !find(&reset_isolation_fn, "reset_isolation_suitable") ||
	    !find(&wakeup_kcompactd_fn, "wakeup_kcompactd") ||
	    !find(&set_threshold_fn, "set_pgdat_percpu_threshold") ||
	    !find(&normal_threshold_fn, "calculate_normal_threshold") ||
	    !find(&pressure_threshold_fn, "calculate_pressure_threshold")) {
		pr_err("dynamos_example_kswapd: a kernel function kswapd_v2 needs is missing\n");
		return -ENOENT;
	}
	if (!proc_create_single("dynamos_kswapd", 0444, NULL, kswapd_show))
		return -ENOMEM;
	return 0;
}

static void __exit kswapd_example_exit(void)
{
	remove_proc_entry("dynamos_kswapd", NULL);
}

module_init(kswapd_example_init);
module_exit(kswapd_example_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: kswapd moved live onto a version that counts its reclaim rounds");
