// SPDX-License-Identifier: GPL-2.0
/*
 * Test update "stack_a", the first of two updates stacked on one function
 * (StackingIT): dynamos_target_fn returns a + b + 100, dynamos_target_sleepy
 * a + b + 100.  Its hooks log their kind, so the test sees their order.
 */
#include <linux/module.h>
#include <dynamos.h>

static noinline long stack_a_fn(long a, long b)
{
	return a + b + 100;
}

static noinline long stack_a_sleepy(long a, long b)
{
	return a + b + 100;
}

static int stack_a_pre_activation(void) { pr_info("stack_a: pre_activation\n"); return 0; }
static int stack_a_post_activation(void) { pr_info("stack_a: post_activation\n"); return 0; }
static int stack_a_pre_removal(void) { pr_info("stack_a: pre_removal\n"); return 0; }
static int stack_a_post_removal(void) { pr_info("stack_a: post_removal\n"); return 0; }

DYNAMOS_UPDATE("stack_a");
DYNAMOS_REPLACE(1, "dynamos_target:dynamos_target_fn", stack_a_fn);
DYNAMOS_REPLACE(2, "dynamos_target:dynamos_target_sleepy", stack_a_sleepy);
DYNAMOS_HOOK(pre_activation, 1, 2, stack_a_pre_activation);
DYNAMOS_HOOK(post_activation, 1, 2, stack_a_post_activation);
DYNAMOS_HOOK(pre_removal, 1, 2, stack_a_pre_removal);
DYNAMOS_HOOK(post_removal, 1, 2, stack_a_post_removal);
MODULE_LICENSE("GPL");
