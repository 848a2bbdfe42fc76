// SPDX-License-Identifier: GPL-2.0
/*
 * DynAMOS stress target for the reliability campaign (bench/reliability,
 * ReliabilityIT): a traceable function whose every version records that it
 * ran, so that a test can check, to the call, where the calls went while
 * versions are switched, registered and removed underneath them.
 *
 *   dynamos_stress_fn         the original (stress version 1)
 *   dynamos_stress_fn_v2..v4  stress versions 2..4, same prototype
 *   dynamos_stress_handler    adaptation handler: the call's first argument
 *                             is the framework version number it asks for
 *                             (0 or an absent/removed version: the active one)
 *
 * Every body counts its call in hits[v] and returns a + b + v * STRESS_TAG,
 * from which the caller checks that some version 1..4 ran.  A body that runs
 * while its version is marked removed counts a ghost.
 *
 * /proc/dynamos_stress
 *   write "N a b"      call dynamos_stress_fn(a, b) N times in this task
 *                      (cond_resched() after each); a < 0 cycles the first
 *                      argument through 0..33, i.e. through every choice
 *                      of the handler (33: out of range); adds N to the
 *                      calls made
 *   write "live V"     stress version V is (about to be) registered: calls
 *                      in it are legitimate, and its hits since now are
 *                      what the framework's counter of it must show
 *   write "removed V"  stress version V is deregistered: every call that
 *                      still runs in it is a ghost
 *   read               "calls=<made> bad=<n> ghost=<n> handler=<n>" and per
 *                      version V " hitsV=<n> sinceV=<n> ghostV=<n>
 *                      markV=live|removed"
 *
 * The original is always marked live (it is the unpatched function);
 * versions 2..4 start marked removed.
 */
#define pr_fmt(fmt) "dynamos_stress: " fmt

#include <linux/atomic.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>

#include <dynamos.h>

#define STRESS_VERSIONS	4
#define STRESS_TAG	1000000L
#define STRESS_MAX_CALLS 100000000L
#define STRESS_MAX_CHOICE 32	/* DYNAMOS_MAX_VERSIONS */

enum { STRESS_REMOVED, STRESS_LIVE };

static atomic_long_t hits[STRESS_VERSIONS + 1];
static atomic_long_t ghosts[STRESS_VERSIONS + 1];
static int marks[STRESS_VERSIONS + 1];	/* READ_ONCE/WRITE_ONCE */
static long base[STRESS_VERSIONS + 1];	/* hits at "live V"; under stress_lock */
static atomic_long_t calls_made = ATOMIC_LONG_INIT(0);
static atomic_long_t bad_results = ATOMIC_LONG_INIT(0);
static atomic_long_t handler_calls = ATOMIC_LONG_INIT(0);
static DEFINE_MUTEX(stress_lock);

/* Every version's body: count the call, and a ghost if it should not run. */
static __always_inline long stress_hit(int v, long a, long b)
{
	atomic_long_inc(&hits[v]);
	if (READ_ONCE(marks[v]) != STRESS_LIVE)
		atomic_long_inc(&ghosts[v]);
	return a + b + v * STRESS_TAG;
}

/* Traceable on purpose: ftrace gives it an fentry site. */
noinline long dynamos_stress_fn(long a, long b)
{
	return stress_hit(1, a, b);
}

noinline long dynamos_stress_fn_v2(long a, long b)
{
	return stress_hit(2, a, b);
}

noinline long dynamos_stress_fn_v3(long a, long b)
{
	return stress_hit(3, a, b);
}

noinline long dynamos_stress_fn_v4(long a, long b)
{
	return stress_hit(4, a, b);
}

/* The first argument names the version (ftrace callback context). */
int notrace dynamos_stress_handler(const struct dynamos_call *call)
{
	long a = (long)dynamos_arg(call, 0);

	atomic_long_inc(&handler_calls);
	return a >= 1 && a <= STRESS_MAX_CHOICE ? (int)a : 0;
}

/* Whether @r is what some version 1..4 returns for (a, b). */
static bool stress_result_ok(long r, long a, long b)
{
	long d = r - a - b;

	return d % STRESS_TAG == 0 && d / STRESS_TAG >= 1 &&
	       d / STRESS_TAG <= STRESS_VERSIONS;
}

static int stress_mark(int v, int mark)
{
	if (v < 1 || v > STRESS_VERSIONS)
		return -EINVAL;
	if (v == 1 && mark != STRESS_LIVE)
		return -EINVAL;	/* the original cannot go */
	mutex_lock(&stress_lock);
	if (mark == STRESS_LIVE)
		base[v] = atomic_long_read(&hits[v]);
	WRITE_ONCE(marks[v], mark);
	mutex_unlock(&stress_lock);
	/* Seen by every CPU before the version can be reached or removed. */
	smp_mb();
	return 0;
}

static ssize_t stress_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	char buf[80];
	long n, a, b, i, ai, r;
	int v, ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	if (sscanf(buf, "live %d", &v) == 1) {
		ret = stress_mark(v, STRESS_LIVE);
		return ret ? ret : len;
	}
	if (sscanf(buf, "removed %d", &v) == 1) {
		ret = stress_mark(v, STRESS_REMOVED);
		return ret ? ret : len;
	}
	if (sscanf(buf, "%ld %ld %ld", &n, &a, &b) != 3 || n < 0 ||
	    n > STRESS_MAX_CALLS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		ai = a < 0 ? i % (STRESS_MAX_CHOICE + 2) : a;
		r = dynamos_stress_fn(ai, b);
		if (!stress_result_ok(r, ai, b))
			atomic_long_inc(&bad_results);
		cond_resched();
	}
	atomic_long_add(n, &calls_made);
	return len;
}

static int stress_show(struct seq_file *m, void *v)
{
	long ghost = 0;
	int i;

	for (i = 1; i <= STRESS_VERSIONS; i++)
		ghost += atomic_long_read(&ghosts[i]);
	seq_printf(m, "calls=%ld bad=%ld ghost=%ld handler=%ld",
		   atomic_long_read(&calls_made),
		   atomic_long_read(&bad_results), ghost,
		   atomic_long_read(&handler_calls));
	mutex_lock(&stress_lock);
	for (i = 1; i <= STRESS_VERSIONS; i++)
		seq_printf(m, " hits%d=%ld since%d=%ld ghost%d=%ld mark%d=%s",
			   i, atomic_long_read(&hits[i]),
			   i, atomic_long_read(&hits[i]) - base[i],
			   i, atomic_long_read(&ghosts[i]),
			   i, READ_ONCE(marks[i]) == STRESS_LIVE ?
			   "live" : "removed");
	mutex_unlock(&stress_lock);
	seq_putc(m, '\n');
	return 0;
}

static int stress_open(struct inode *inode, struct file *file)
{
	return single_open(file, stress_show, NULL);
}

static const struct proc_ops stress_proc_ops = {
	.proc_open	= stress_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= stress_write,
};

static int __init stress_init(void)
{
	marks[1] = STRESS_LIVE;
	if (!proc_create("dynamos_stress", 0600, NULL, &stress_proc_ops))
		return -ENOMEM;
	return 0;
}

static void __exit stress_exit(void)
{
	remove_proc_entry("dynamos_stress", NULL);
}

module_init(stress_init);
module_exit(stress_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: stress target with versions that record where calls ran");
