// SPDX-License-Identifier: GPL-2.0
/*
 * Test update "stack_replace": a cumulative update replacing every applied
 * update (StackingIT).  It covers dynamos_target_fn only (a + b + 300), so
 * dynamos_target_sleepy, which stack_a replaces, goes back to the original.
 */
#include <linux/module.h>
#include <dynamos.h>

static noinline long stack_replace_fn(long a, long b)
{
	return a + b + 300;
}

static int stack_replace_pre_activation(void) { pr_info("stack_replace: pre_activation\n"); return 0; }
static int stack_replace_post_activation(void) { pr_info("stack_replace: post_activation\n"); return 0; }
static int stack_replace_pre_removal(void) { pr_info("stack_replace: pre_removal\n"); return 0; }
static int stack_replace_post_removal(void) { pr_info("stack_replace: post_removal\n"); return 0; }

DYNAMOS_UPDATE("stack_replace");
DYNAMOS_REPLACES_ALL();
DYNAMOS_REPLACE(1, "dynamos_target:dynamos_target_fn", stack_replace_fn);
DYNAMOS_HOOK(pre_activation, 1, 2, stack_replace_pre_activation);
DYNAMOS_HOOK(post_activation, 1, 2, stack_replace_post_activation);
DYNAMOS_HOOK(pre_removal, 1, 2, stack_replace_pre_removal);
DYNAMOS_HOOK(post_removal, 1, 2, stack_replace_post_removal);
MODULE_LICENSE("GPL");
