// SPDX-License-Identifier: GPL-2.0
/*
 * Example update (manual §5.2, for today's kernel): count calls of the scheduler.
 *
 * schedule_v2 counts its calls and reports every 5000th, then continues in the original schedule()
 * with a tail call. The tail call matters: a task that sleeps is inside schedule() until it wakes, so
 * a version that *called* the original would sit on the stack of every sleeping task and could not
 * be removed until they all woke. Jumping to the original leaves no schedule_v2 frame behind, so the
 * version is quiescent as soon as no CPU is running its few counting instructions.
 */
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/atomic.h>
#include <dynamos.h>

#define REPORT_EVERY 5000

static void (*original_schedule)(void);
static atomic_long_t schedule_calls = ATOMIC_LONG_INIT(0);

noinline void schedule_v2(void)
{
	long n = atomic_long_inc_return(&schedule_calls);

	if (n % REPORT_EVERY == 0)
		pr_info("schedule_v2 called for %d times (%ld times total), this time from %d\n",
			REPORT_EVERY, n, task_pid_nr(current));
	/* A sibling call: the kernel builds without frame pointers, so gcc emits a jmp. */
	return original_schedule();
}

static int __init schedule_example_init(void)
{
	original_schedule = DYNAMOS_ORIGINAL(schedule);
	if (!original_schedule) {
		pr_err("dynamos_example_schedule: cannot find schedule's original entry\n");
		return -ENOENT;
	}
	return 0;
}

static void __exit schedule_example_exit(void)
{
}

module_init(schedule_example_init);
module_exit(schedule_example_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("DynAMOS example: count scheduler calls (schedule_v2)");
