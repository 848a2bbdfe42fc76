// SPDX-License-Identifier: GPL-2.0
/*
 * Test fixture "stack_replace_fail": a cumulative update whose
 * pre-activation hook refuses, so the replace must leave every update as it
 * was (StackingIT).  dynamos_target_fn would return a + b + 500.
 */
#include <linux/module.h>
#include <dynamos.h>

static noinline long stack_replace_fail_fn(long a, long b)
{
	return a + b + 500;
}

static int stack_replace_fail_refuse(void)
{
	pr_info("stack_replace_fail: pre_activation refuses\n");
	return -ECANCELED;
}

DYNAMOS_UPDATE("stack_replace_fail");
DYNAMOS_REPLACES_ALL();
DYNAMOS_REPLACE(1, "dynamos_target:dynamos_target_fn", stack_replace_fail_fn);
DYNAMOS_HOOK(pre_activation, 1, 2, stack_replace_fail_refuse);
MODULE_LICENSE("GPL");
