// SPDX-License-Identifier: GPL-2.0
/*
 * Test update "stack_b", stacked on "stack_a" (StackingIT):
 * dynamos_target_fn returns a + b + 200.  A call with a == 777 while the
 * parameter hold is set parks in the version until hold is cleared (at most
 * 60 s), so that a removal of this version finds it busy.
 *
 * /sys/module/dynamos_test_stack_b/parameters/
 *   hold    1: calls with a == 777 wait in stack_b_fn
 *   parked  calls waiting there now (read)
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <dynamos.h>

static int hold;
module_param(hold, int, 0644);
static atomic_t parked_calls = ATOMIC_INIT(0);

static int parked_get(char *buffer, const struct kernel_param *kp)
{
	return sysfs_emit(buffer, "%d\n", atomic_read(&parked_calls));
}

static const struct kernel_param_ops parked_ops = {
	.get = parked_get,
};
module_param_cb(parked, &parked_ops, NULL, 0444);

static noinline long stack_b_fn(long a, long b)
{
	int i;

	if (a == 777 && READ_ONCE(hold)) {
		atomic_inc(&parked_calls);
		for (i = 0; i < 3000 && READ_ONCE(hold); i++)
			msleep(20);
		atomic_dec(&parked_calls);
	}
	return a + b + 200;
}

static int stack_b_pre_activation(void) { pr_info("stack_b: pre_activation\n"); return 0; }
static int stack_b_post_activation(void) { pr_info("stack_b: post_activation\n"); return 0; }
static int stack_b_pre_removal(void) { pr_info("stack_b: pre_removal\n"); return 0; }
static int stack_b_post_removal(void) { pr_info("stack_b: post_removal\n"); return 0; }

DYNAMOS_UPDATE("stack_b");
DYNAMOS_REPLACE(1, "dynamos_target:dynamos_target_fn", stack_b_fn);
DYNAMOS_HOOK(pre_activation, 1, 2, stack_b_pre_activation);
DYNAMOS_HOOK(post_activation, 1, 2, stack_b_post_activation);
DYNAMOS_HOOK(pre_removal, 1, 2, stack_b_pre_removal);
DYNAMOS_HOOK(post_removal, 1, 2, stack_b_post_removal);
MODULE_LICENSE("GPL");
