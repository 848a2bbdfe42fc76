// SPDX-License-Identifier: GPL-2.0
/*
 * Test update for moving kernel threads: version 2 of the thread's main
 * function and of the function it sleeps in, the safe point, and hooks that
 * move the thread forward (after activating version 2) and back (before
 * activating version 1).  The counter travels: the sleeping version saves
 * it after each sleep (the thread then reaches kthread_should_stop()), a
 * successor takes it in the new main function or, moving back to the
 * original main function, in its first sleep.
 */
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <dynamos.h>

#include "kt.h"

/* Successors that ran version 2 of the main function. */
static atomic_t kt_v2_starts = ATOMIC_INIT(0);
module_param_named(v2_starts, kt_v2_starts.counter, int, 0444);

noinline int dynamos_kt_main_v2(void *data)
{
	unsigned long counter = 0, prev;

	atomic_inc(&kt_v2_starts);
	if (data != &dynamos_kt_data)
		atomic_inc(&dynamos_kt_bad_data);
	if (dynamos_kthread_restore(&prev, sizeof(prev)))
		counter = prev;
	while (!kthread_should_stop()) {
		counter++;
		dynamos_kt_sleep(&counter);	/* redirected: the active version */
	}
	return 0;
}

noinline void dynamos_kt_sleep_v2(unsigned long *counter)
{
	unsigned long prev;

	/* A successor started in the original main function: rounds so far. */
	if (dynamos_kthread_restore(&prev, sizeof(prev)))
		*counter += prev;
	dynamos_kt_note(*counter);
	schedule_timeout_interruptible(msecs_to_jiffies(10));
	dynamos_kthread_save(counter, sizeof(*counter));
}

/* The target keeps the thread for kthread_stop(): point it at the successor. */
static int kt_publish(struct task_struct *old, struct task_struct *successor,
		      void *data)
{
	if (!mutex_trylock(&dynamos_kt_lock))
		return -EBUSY;	/* module exit may hold it across kthread_stop() */
	if (dynamos_kt_task == old)
		dynamos_kt_task = successor;
	mutex_unlock(&dynamos_kt_lock);
	return 0;
}

static const struct dynamos_kthread kt = {
	.name = "dynamos_kt",
	.threadfn = dynamos_kt_main,
	.version = dynamos_kt_main_v2,
	.publish = kt_publish,
	.state_size = sizeof(unsigned long),
};

static int kt_forward(void)
{
	return dynamos_kthread_forward(&kt, 10000);
}

static int kt_back(void)
{
	return dynamos_kthread_back(&kt, 10000);
}

DYNAMOS_UPDATE("dynamos_kt");
DYNAMOS_REPLACE(1, "dynamos_kt_target:dynamos_kt_main", dynamos_kt_main_v2);
DYNAMOS_REPLACE(2, "dynamos_kt_target:dynamos_kt_sleep", dynamos_kt_sleep_v2);
DYNAMOS_KTHREAD_SAFE_POINT(3, kt_safe_point);
DYNAMOS_HOOK(post_activation, 1, 2, kt_forward);
DYNAMOS_HOOK(pre_activation, 1, 1, kt_back);

static int __init kt_update_init(void)
{
	return dynamos_kthread_prepare();
}

static void __exit kt_update_exit(void)
{
}

module_init(kt_update_init);
module_exit(kt_update_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: move a kernel thread onto a new main function and back");
