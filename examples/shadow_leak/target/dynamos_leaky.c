// SPDX-License-Identifier: GPL-2.0
/*
 * dynamos_leaky: a module with a memory leak, for the shadow-data fixes in
 * examples/shadow_leak.
 *
 * Every tick it allocates one object together with a "leak" buffer that it
 * forgets to keep, checks every live object and frees those that expired.
 * The three steps are separate traceable functions (ftrace sites), so that
 * updates can replace them:
 *
 *   leaky_alloc(id, expires)  a new object; allocates its leak buffer and
 *                             drops the pointer (the bug)
 *   leaky_check(obj, now)     true once the object has expired
 *   leaky_free(obj)           frees the object (the leak stays)
 *
 * Leak buffers are allocated and released through two exported helpers,
 * dynamos_leaky_leak_new() and dynamos_leaky_leak_release(), which count
 * them: a fix that keeps the pointer frees the buffer through the second.
 * The module keeps a ledger of buffers nobody released, only to report them
 * and give their memory back when it is unloaded (kmemleak's job in real
 * life).
 *
 * Parameters:
 *   period_ms  ticks run by a delayed work every period_ms (0: only on
 *              request, see below); set at load time
 *   lifetime   ticks an object lives: allocated at tick t, it expires at
 *              t + lifetime (checked lifetime + 1 times)
 *
 * /proc/dynamos_leaky
 *   write "N"  run N ticks now (in the writer's task)
 *   read       "ticks=T alive=A allocated=N freed=F checks=C leaks=L
 *               leaks_allocated=LA leaks_released=LR"
 *              leaks: leak buffers allocated and not released
 */
#define pr_fmt(fmt) "dynamos_leaky: " fmt

#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#define LEAKY_LEAK_SIZE	64
#define LEAKY_MAX_TICKS	100000

static unsigned int period_ms = 1000;
module_param(period_ms, uint, 0444);
MODULE_PARM_DESC(period_ms, "run a tick every period_ms milliseconds (0: only when asked through /proc/dynamos_leaky)");
static unsigned int lifetime = 4;
module_param(lifetime, uint, 0644);
MODULE_PARM_DESC(lifetime, "ticks an object lives");

/* An object of the module; the fixes declare the same layout. */
struct leaky_obj {
	struct list_head node;
	unsigned long id;	/* 1, 2, ... in allocation order */
	unsigned long expires;	/* tick at which it is freed */
};

/* A leak buffer: what leaky_alloc() forgets. */
struct leaky_leak {
	struct list_head ledger;
	unsigned long id;	/* the object it was allocated for */
	char payload[LEAKY_LEAK_SIZE];
};

/* The objects and the counters below; taken by every tick. */
static DEFINE_MUTEX(leaky_lock);
static LIST_HEAD(leaky_objs);
static unsigned long leaky_ticks, leaky_allocated, leaky_freed, leaky_checks;

/* Leak buffers not released yet, and their counters. */
static DEFINE_SPINLOCK(ledger_lock);
static LIST_HEAD(ledger);
static unsigned long leaks_allocated, leaks_released;

static void leaky_tick_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(leaky_work, leaky_tick_work);

/**
 * dynamos_leaky_leak_new() - a leak buffer for object @id
 * Return: the buffer (counted as outstanding until released), or NULL.
 */
void *dynamos_leaky_leak_new(unsigned long id, gfp_t gfp)
{
	struct leaky_leak *leak = kzalloc(sizeof(*leak), gfp);

	if (!leak)
		return NULL;
	leak->id = id;
	spin_lock(&ledger_lock);
	list_add_tail(&leak->ledger, &ledger);
	leaks_allocated++;
	spin_unlock(&ledger_lock);
	return leak;
}
EXPORT_SYMBOL_GPL(dynamos_leaky_leak_new);

/** dynamos_leaky_leak_release() - free a leak buffer (NULL is fine) */
void dynamos_leaky_leak_release(void *buf)
{
	struct leaky_leak *leak = buf;

	if (!leak)
		return;
	spin_lock(&ledger_lock);
	list_del(&leak->ledger);
	leaks_released++;
	spin_unlock(&ledger_lock);
	kfree(leak);
}
EXPORT_SYMBOL_GPL(dynamos_leaky_leak_release);

noinline struct leaky_obj *leaky_alloc(unsigned long id, unsigned long expires)
{
	struct leaky_obj *obj = kzalloc(sizeof(*obj), GFP_KERNEL);
	void *leak;

	if (!obj)
		return NULL;
	obj->id = id;
	obj->expires = expires;
	leak = dynamos_leaky_leak_new(id, GFP_KERNEL);
	if (!leak) {
		kfree(obj);
		return NULL;
	}
	/* The bug: nothing keeps the leak buffer's address. */
	return obj;
}

noinline bool leaky_check(struct leaky_obj *obj, unsigned long now)
{
	return now >= obj->expires;
}

noinline void leaky_free(struct leaky_obj *obj)
{
	kfree(obj);
}

/* One tick: a new object, then check every object and free the expired. */
static void leaky_tick(void)
{
	struct leaky_obj *obj, *next;
	unsigned long now;

	mutex_lock(&leaky_lock);
	now = ++leaky_ticks;
	obj = leaky_alloc(leaky_allocated + 1, now + READ_ONCE(lifetime));
	if (obj) {
		leaky_allocated++;
		list_add_tail(&obj->node, &leaky_objs);
	} else {
		pr_warn_ratelimited("tick %lu: out of memory\n", now);
	}
	list_for_each_entry_safe(obj, next, &leaky_objs, node) {
		leaky_checks++;
		if (leaky_check(obj, now)) {
			list_del(&obj->node);
			leaky_free(obj);
			leaky_freed++;
		}
	}
	mutex_unlock(&leaky_lock);
}

static void leaky_tick_work(struct work_struct *work)
{
	leaky_tick();
	schedule_delayed_work(&leaky_work, msecs_to_jiffies(period_ms));
}

static ssize_t leaky_write(struct file *file, const char __user *ubuf,
			   size_t len, loff_t *ppos)
{
	unsigned long n, i;
	int ret;

	ret = kstrtoul_from_user(ubuf, len, 10, &n);
	if (ret)
		return ret;
	if (n > LEAKY_MAX_TICKS)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		leaky_tick();
		cond_resched();
	}
	return len;
}

static int leaky_show(struct seq_file *m, void *v)
{
	unsigned long la, lr;

	mutex_lock(&leaky_lock);
	spin_lock(&ledger_lock);
	la = leaks_allocated;
	lr = leaks_released;
	spin_unlock(&ledger_lock);
	seq_printf(m, "ticks=%lu alive=%lu allocated=%lu freed=%lu checks=%lu leaks=%lu leaks_allocated=%lu leaks_released=%lu\n",
		   leaky_ticks, leaky_allocated - leaky_freed, leaky_allocated,
		   leaky_freed, leaky_checks, la - lr, la, lr);
	mutex_unlock(&leaky_lock);
	return 0;
}

static int leaky_open(struct inode *inode, struct file *file)
{
	return single_open(file, leaky_show, NULL);
}

static const struct proc_ops leaky_proc_ops = {
	.proc_open	= leaky_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
	.proc_write	= leaky_write,
};

static int __init leaky_init(void)
{
	if (!proc_create("dynamos_leaky", 0600, NULL, &leaky_proc_ops))
		return -ENOMEM;
	if (period_ms)
		schedule_delayed_work(&leaky_work, msecs_to_jiffies(period_ms));
	pr_info("loaded: a tick every %u ms, objects live %u ticks\n",
		period_ms, lifetime);
	return 0;
}

static void __exit leaky_exit(void)
{
	struct leaky_obj *obj, *next;
	struct leaky_leak *leak, *lnext;
	unsigned long lost = 0;

	remove_proc_entry("dynamos_leaky", NULL);
	cancel_delayed_work_sync(&leaky_work);
	mutex_lock(&leaky_lock);
	list_for_each_entry_safe(obj, next, &leaky_objs, node) {
		list_del(&obj->node);
		leaky_free(obj);
		leaky_freed++;
	}
	mutex_unlock(&leaky_lock);
	/* Nothing can release a buffer any more: the fixes depend on us. */
	list_for_each_entry_safe(leak, lnext, &ledger, ledger) {
		list_del(&leak->ledger);
		kfree(leak);
		lost++;
	}
	pr_info("unloaded after %lu ticks: %lu object(s), %lu leak buffer(s) allocated, %lu released, %lu leaked\n",
		leaky_ticks, leaky_allocated, leaks_allocated, leaks_released, lost);
}

module_init(leaky_init);
module_exit(leaky_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: a module that leaks memory, fixed live with shadow data");
