// SPDX-License-Identifier: GPL-2.0
/*
 * Test target for moving kernel threads (kernel/kthread.c): one kernel
 * thread, "dynamos_kt", that never exits until the module goes.  Its state
 * is the round counter, a local of dynamos_kt_main(); /proc/dynamos_kt
 * shows the thread, the main function it was started at, the last round
 * and the jumps (see kt.h).
 */
#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

#include "kt.h"

struct dynamos_kt_data dynamos_kt_data = { .magic = DYNAMOS_KT_MAGIC };
EXPORT_SYMBOL_GPL(dynamos_kt_data);
DEFINE_MUTEX(dynamos_kt_lock);
EXPORT_SYMBOL_GPL(dynamos_kt_lock);
struct task_struct *dynamos_kt_task;
EXPORT_SYMBOL_GPL(dynamos_kt_task);
atomic_t dynamos_kt_bad_data = ATOMIC_INIT(0);
EXPORT_SYMBOL_GPL(dynamos_kt_bad_data);

static DEFINE_SPINLOCK(kt_note_lock);	/* protects kt_last, kt_jumps */
static unsigned long kt_last, kt_jumps;

void dynamos_kt_note(unsigned long counter)
{
	spin_lock(&kt_note_lock);
	if (counter != kt_last + 1) {
		kt_jumps++;
		pr_err("dynamos_kt: round %lu after %lu (pid %d)\n", counter,
		       kt_last, task_pid_nr(current));
	}
	kt_last = counter;
	spin_unlock(&kt_note_lock);
}
EXPORT_SYMBOL_GPL(dynamos_kt_note);

/* Where the thread sleeps between rounds: its safe point. */
noinline void dynamos_kt_sleep(unsigned long *counter)
{
	dynamos_kt_note(*counter);
	schedule_timeout_interruptible(msecs_to_jiffies(10));
}
EXPORT_SYMBOL_GPL(dynamos_kt_sleep);

noinline int dynamos_kt_main(void *data)
{
	unsigned long counter = 0;

	if (data != &dynamos_kt_data)
		atomic_inc(&dynamos_kt_bad_data);
	while (!kthread_should_stop()) {
		counter++;
		dynamos_kt_sleep(&counter);
	}
	return 0;
}
EXPORT_SYMBOL_GPL(dynamos_kt_main);

static int kt_show(struct seq_file *m, void *v)
{
	unsigned long last, jumps;

	spin_lock(&kt_note_lock);
	last = kt_last;
	jumps = kt_jumps;
	spin_unlock(&kt_note_lock);
	mutex_lock(&dynamos_kt_lock);
	if (dynamos_kt_task)
		seq_printf(m, "pid=%d comm=%s main=%ps ",
			   task_pid_nr(dynamos_kt_task), dynamos_kt_task->comm,
			   kthread_func(dynamos_kt_task));
	mutex_unlock(&dynamos_kt_lock);
	seq_printf(m, "last=%lu jumps=%lu bad_data=%d\n", last, jumps,
		   atomic_read(&dynamos_kt_bad_data));
	return 0;
}

static int __init kt_init(void)
{
	struct task_struct *t;

	if (!proc_create_single("dynamos_kt", 0444, NULL, kt_show))
		return -ENOMEM;
	t = kthread_run(dynamos_kt_main, &dynamos_kt_data, "dynamos_kt");
	if (IS_ERR(t)) {
		remove_proc_entry("dynamos_kt", NULL);
		return PTR_ERR(t);
	}
	dynamos_kt_task = t;
	return 0;
}

static void __exit kt_exit(void)
{
	/* Holding the lock: a move cannot publish a successor meanwhile. */
	mutex_lock(&dynamos_kt_lock);
	kthread_stop(dynamos_kt_task);
	dynamos_kt_task = NULL;
	mutex_unlock(&dynamos_kt_lock);
	remove_proc_entry("dynamos_kt", NULL);
}

module_init(kt_init);
module_exit(kt_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS test: a kernel thread whose state is a local counter");
